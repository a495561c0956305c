#pragma once
// roll_out (rl/rollout.h) with a callback after each finished episode, for
// the progress lines of long evaluations (dialogue_eval.cpp). Private to rl.
#include <cstddef>
#include <functional>
#include <vector>

#include "clinrl/rl/rollout.h"

namespace clinrl::rl {

// Called on the calling thread with the episodes finished so far and the job count.
using EpisodeFinished = std::function<void(size_t finished, size_t total)>;

std::vector<RolloutEpisode> roll_out(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                     const RolloutOptions& options, uint64_t sampler_seed,
                                     const EpisodeFinished& on_finished);

}  // namespace clinrl::rl
