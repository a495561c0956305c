#pragma once
// Turns a finished episode into the numbers the trainer and evaluator need:
// the rubric score (the reward's main term) and the clinical outcome.
#include <cstddef>
#include <memory>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/sim/episode.h"

namespace clinrl::rl {

struct EpisodeScore {
  double rubric = 0;             // HealthBench score of the record's rubric over the dialogue
  bool has_diagnosis = false;    // the doctor wrote a DIAGNOSIS: line
  bool diagnosis_correct = false;
  double must_ask_coverage = 0;  // share of the record's must-ask topics the doctor asked
  size_t ungraded_items = 0;
  std::vector<double> turn_scores;  // per doctor turn, context-specific rubrics (when asked for)
};

class EpisodeScorer {
 public:
  virtual ~EpisodeScorer() = default;
  // `record` is the episode's record; std::invalid_argument naming its id when
  // the scorer holds no rubric for it.
  virtual EpisodeScore score(const records::Record& record, const sim::Episode& episode,
                             const std::string& system_prompt) const = 0;
};

}  // namespace clinrl::rl
