#pragma once
// The last stage of a run: the SFT and the final policy play greedy
// consultations on the test records (config.eval) with the run's patient,
// graded by their rubrics with the run's grader;
// the scores go to RUN_DIR/eval.json with the first and last GRPO rewards.
#include <filesystem>
#include <optional>

#include "clinrl/model/chat_model.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/rl/training_run.h"
#include "clinrl/rl/verifiers.h"

namespace clinrl::rl {

struct HeldOutResult {
  std::optional<HeldOutScore> sft;  // when the run has an SFT checkpoint
  HeldOutScore final_policy;
};

HeldOutResult evaluate_held_out(model::ChatModel& policy, const TrainConfig& config, const RunData& data,
                                const std::filesystem::path& run_dir, const RewardTrend& reward_trend,
                                const Verifiers& verifiers);

}  // namespace clinrl::rl
