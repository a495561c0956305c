#pragma once
// Held-out evaluation of a policy on a record set: greedy dialogues with the
// simulated patients, scored by the records' rubrics.
#include <memory>
#include <vector>

#include "clinrl/rl/episode_scorer.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/training_run.h"

namespace clinrl::rl {

struct DialogueEvalResult {
  HeldOutScore summary;
  std::vector<RolloutEpisode> episodes;
  std::vector<EpisodeScore> scores;
};

// Plays `episodes_per_record` greedy episodes per simulator (temperature 0)
// and scores them; `seed` fixes the patients' personas and wording.
DialogueEvalResult evaluate_dialogues(model::ChatModel& policy,
                                      const std::vector<std::shared_ptr<const sim::PatientSimulator>>& simulators,
                                      const EpisodeScorer& scorer, const RolloutOptions& rollout,
                                      int64_t episodes_per_record, uint64_t seed);

}  // namespace clinrl::rl
