#pragma once
// `clinrl train`: the whole pipeline of a run directory: tokenizer, initial
// policy, SFT warm start, GRPO, held-out evaluation of the SFT and GRPO
// policies. `clinrl sft` runs the first part only.
#include <filesystem>
#include <optional>

#include "clinrl/core/json_io.h"
#include "clinrl/rl/reward_trend.h"
#include "clinrl/rl/train_config.h"

namespace clinrl::rl {

struct HeldOutScore {
  double rubric = 0;              // mean HealthBench score of the dialogues
  double diagnosis_accuracy = 0;
  double must_ask_coverage = 0;
  double turns = 0;               // doctor turns per episode
  int64_t episodes = 0;
  // Bootstrap std of each mean over episodes (rubric::bootstrap_std, 1000 resamples).
  double rubric_std = 0, diagnosis_accuracy_std = 0, must_ask_coverage_std = 0;
};

struct TrainingSummary {
  std::filesystem::path run_dir;
  int64_t grpo_steps_done = 0;
  RewardTrend reward_trend;  // the first and last 5 GRPO steps of this run's metrics.jsonl
  std::optional<HeldOutScore> sft_score, grpo_score;
  bool interrupted = false;       // stopped by Ctrl-C after writing a checkpoint
};

struct TrainingRequest {
  TrainConfig config;
  core::Json config_json;                       // the effective config, written to the run directory
  std::optional<std::filesystem::path> resume;  // a run directory to continue
  bool sft_only = false;
};

TrainingSummary run_training(const TrainingRequest& request);

// Reads a run directory's config.json (for --resume).
TrainConfig load_run_config(const std::filesystem::path& run_dir, core::Json* json_out);

}  // namespace clinrl::rl
