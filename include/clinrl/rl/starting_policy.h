#pragma once
// The first stages of a run: the tokenizer and the policy GRPO starts from
// (the latest GRPO checkpoint, the finished SFT, or a given or new model
// warm-started by SFT on the scripted expert's dialogues).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/model/chat_model.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/train_config.h"

namespace clinrl::rl {

// The expert's demonstrations of a run, played on first use: both the
// tokenizer training and SFT need them, a resumed run neither.
class DemonstrationSource {
 public:
  DemonstrationSource(const TrainConfig& config, const RunData& data);
  const std::vector<Demonstration>& train();
  std::vector<Demonstration> validation() const;

 private:
  const TrainConfig& config_;
  const RunData& data_;
  QuestionBook book_;
  std::vector<Demonstration> train_;
};

// RUN_DIR/tokenizer.json: kept when present, else the starting checkpoint's,
// the configured file, or one trained on the demonstrations. Returns its path.
std::filesystem::path provide_tokenizer(const std::filesystem::path& run_dir, const TrainConfig& config,
                                        DemonstrationSource& demonstrations);

// Whether a run that has neither a GRPO checkpoint nor a finished SFT runs
// SFT, and why (logged): config.sft_enabled when set, else only for a new
// model (never by default on a given checkpoint).
struct SftDecision {
  bool run = false;
  std::string reason;
};
SftDecision decide_sft(const TrainConfig& config);

// The policy GRPO starts from; runs and saves SFT (RUN_DIR/sft) when
// decide_sft says so. Its checkpoints copy
// `tokenizer_file`, the run's own tokenizer.
model::ChatModel provide_policy(const std::filesystem::path& run_dir, const TrainConfig& config,
                                const std::optional<CheckpointInfo>& latest, const std::filesystem::path& tokenizer_file,
                                DemonstrationSource& demonstrations);

}  // namespace clinrl::rl
