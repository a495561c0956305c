#pragma once
// The GRPO stage of a run: steps from the latest checkpoint (or 0) to
// config.grpo_steps, appending metrics.jsonl, writing sample transcripts and
// checkpoints, printing progress. Ctrl-C or SIGTERM (a preempted job) checkpoints
// the current step and stops; a second signal ends the process at once.
// Episodes play against the verifiers' patient and are graded by its grader.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "clinrl/core/json_io.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/reward_trend.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/rl/verifiers.h"

namespace clinrl::rl {

struct GrpoStageResult {
  int64_t steps_done = 0;
  bool interrupted = false;
  RewardTrend reward_trend;  // the first and last 5 steps of metrics.jsonl
};

GrpoStageResult run_grpo_stage(model::ChatModel& policy, const TrainConfig& config, const core::Json& config_json,
                               const RunData& data, const std::filesystem::path& run_dir,
                               const std::optional<CheckpointInfo>& latest, Verifiers& verifiers);

}  // namespace clinrl::rl
