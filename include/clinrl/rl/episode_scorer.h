#pragma once
// Turns finished episodes into the numbers the trainer and evaluator need:
// the rubric score (the reward's main term) and the clinical outcome.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/rubric/grader.h"
#include "clinrl/sim/episode.h"

namespace clinrl::rl {

struct EpisodeScore {
  double rubric = 0;             // HealthBench score of the record's rubric over the graded items
  bool has_diagnosis = false;    // the doctor wrote a DIAGNOSIS: line
  bool diagnosis_correct = false;
  double must_ask_coverage = 0;  // share of the record's must-ask topics the doctor asked
  size_t rubric_items = 0;       // items asked for: the record's rubric and every per-turn rubric
  size_t ungraded_items = 0;     // of those, left out of the scores (no verdict)
  std::vector<double> turn_scores;  // per doctor turn, context-specific rubrics (when asked for)
  rubric::GradeResult grades;       // the record's rubric, item by item
};

// One finished episode and its record.
struct ScoreJob {
  const records::Record* record = nullptr;
  const sim::Episode* episode = nullptr;
};

class EpisodeScorer {
 public:
  virtual ~EpisodeScorer() = default;
  // Scores every job at once, in job order (a judge-backed scorer grades all
  // their rubric items in one concurrent batch). std::invalid_argument naming
  // the record id when the scorer holds no rubric for a job's record.
  virtual std::vector<EpisodeScore> score(const std::vector<ScoreJob>& jobs, const std::string& system_prompt) const = 0;
  // The rubric a record is graded by (the order of EpisodeScore::grades).
  virtual const rubric::Rubric& rubric_of(const std::string& record_id) const = 0;

  EpisodeScore score(const records::Record& record, const sim::Episode& episode, const std::string& system_prompt) const {
    return score(std::vector<ScoreJob>{{&record, &episode}}, system_prompt).front();
  }
};

}  // namespace clinrl::rl
