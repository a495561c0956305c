#include "clinrl/rl/train_config.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/model/device.h"
#include "clinrl/model/transformer.h"

namespace clinrl::rl {

void DataOptions::validate() const {
  if (train.empty()) throw std::invalid_argument("train must name a record file");
  if (val.empty()) throw std::invalid_argument("val must name a record file");
  if (test.empty()) throw std::invalid_argument("test must name a record file");
}

void PolicyOptions::validate() const {
  if (checkpoint.empty() && init_config.empty())
    throw std::invalid_argument("give either checkpoint (a model directory) or init_config (an HF config.json)");
  load.validate();
  // float16 training would need loss scaling, which the trainer does not do.
  if (load.resolved_dtype() == "float16")
    throw std::invalid_argument("dtype float16 cannot train (no loss scaling): use bfloat16 or float32");
}

void CheckpointOptions::validate() const {
  if (every < 1) throw std::invalid_argument(core::format("every must be >= 1, got {}", every));
  if (keep_last < 1) throw std::invalid_argument(core::format("keep_last must be >= 1, got {}", keep_last));
  if (samples_every < 0) throw std::invalid_argument(core::format("samples_every must be >= 0, got {}", samples_every));
}

void EvalOptions::validate() const {
  if (records < 0) throw std::invalid_argument(core::format("records must be >= 0 (0 = all), got {}", records));
  if (episodes_per_record < 1)
    throw std::invalid_argument(core::format("episodes_per_record must be >= 1, got {}", episodes_per_record));
}

void TrainConfig::validate() const {
  if (grpo_steps < 0) throw std::invalid_argument(core::format("grpo_steps must be >= 0, got {}", grpo_steps));
  if (rollout.max_episode_tokens > sft.row_length * 4)
    throw std::invalid_argument(core::format(
        "rollout.max_episode_tokens ({}) is far beyond sft.row_length ({}): the policy would see dialogues much "
        "longer than any it was warm-started on",
        rollout.max_episode_tokens, sft.row_length));
}

}  // namespace clinrl::rl
