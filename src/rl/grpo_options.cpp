#include "clinrl/rl/grpo_options.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"

namespace clinrl::rl {

using core::check_choice;
using core::check_positive;
using core::check_range;
using core::format;

void OptimizerOptions::validate() const {
  check_positive("lr", lr);
  check_range("weight_decay", weight_decay, 0.0, 1.0);
  check_range("beta1", beta1, 0.0, 0.999999);
  check_range("beta2", beta2, 0.0, 0.999999);
  check_positive("adam_eps", adam_eps);
  if (warmup_steps < 0) throw std::invalid_argument(format("warmup_steps must be >= 0, got {}", warmup_steps));
  if (total_steps < 1) throw std::invalid_argument(format("total_steps must be >= 1, got {}", total_steps));
  if (warmup_steps > total_steps)
    throw std::invalid_argument(
        format("warmup_steps ({}) must not exceed total_steps ({})", warmup_steps, total_steps));
  check_range("min_lr_ratio", min_lr_ratio, 0.0, 1.0);
  check_range("grad_clip", grad_clip, 0.0, 1e12);
}

void RewardOptions::validate() const {
  check_range("format_penalty", format_penalty, 0.0, 1e6);
  check_range("diagnosis_weight", diagnosis_weight, 0.0, 1e6);
  check_range("length_weight", length_weight, 0.0, 1e6);
  if (length_cache_tokens < 1 || length_cache_tokens > length_max_tokens)
    throw std::invalid_argument(format("length_cache_tokens must be in [1, length_max_tokens = {}], got {}",
                                       length_max_tokens, length_cache_tokens));
  check_range("turn_rubric_weight", turn_rubric_weight, 0.0, 1e6);
  core::check_choice("grader", grader, {"rules", "llm", "mixed"});
  check_range("length_bonus_coefficient", length_bonus_coefficient, 0.0, 1e6);
  check_range("length_bonus_threshold", length_bonus_threshold, -1e6, 1e6);
  check_range("length_bonus_quantile", length_bonus_quantile, 0.0, 1.0);
}

void AdaptiveSamplingOptions::validate() const {
  check_range("decay", decay, 0.0, 0.999999);
  check_range("prior_reward", prior_reward, -1e6, 1e6);
  check_range("prior_zero_variance", prior_zero_variance, 0.0, 1.0);
  if (!(floor > 0.0 && floor <= 1.0))
    throw std::invalid_argument(
        format("floor must be in (0, 1] (a record of weight 0 would never be drawn again), got {}", floor));
  check_range("reward_low", reward_low, -1e6, 1e6);
  check_range("reward_high", reward_high, -1e6, 1e6);
  if (!(reward_high > reward_low))
    throw std::invalid_argument(
        format("reward_high ({}) must be greater than reward_low ({})", reward_high, reward_low));
}

void GrpoOptions::validate() const {
  if (group_size < 2)
    throw std::invalid_argument(
        format("group_size must be >= 2 (a group of one has no baseline), got {}", group_size));
  if (records_per_step < 1)
    throw std::invalid_argument(format("records_per_step must be >= 1, got {}", records_per_step));
  check_choice("scale", scale, {"group", "batch", "none"});
  check_positive("std_eps", std_eps);
  check_range("eps_low", eps_low, 0.0, 1.0);
  check_range("eps_high", eps_high, 0.0, 1e3);
  if (dual_clip && !(*dual_clip > 1.0))
    throw std::invalid_argument(format("dual_clip must be > 1 (or null to turn it off), got {}", *dual_clip));
  check_choice("aggregation", aggregation, {"token_mean", "seq_mean_token_mean", "seq_mean_token_sum_norm"});
  check_positive("max_length_norm", max_length_norm);
  check_range("kl_beta", kl_beta, 0.0, 1e6);
  if (num_iterations < 1) throw std::invalid_argument(format("num_iterations must be >= 1, got {}", num_iterations));
  if (max_resample_batches < 0)
    throw std::invalid_argument(format("max_resample_batches must be >= 0, got {}", max_resample_batches));
  check_choice("credit", credit, {"episode", "turn"});
  check_range("turn_outcome_mix", turn_outcome_mix, 0.0, 1.0);
  if (micro_batch_size < 1)
    throw std::invalid_argument(format("micro_batch_size must be >= 1, got {}", micro_batch_size));
  check_choice("record_sampling", record_sampling, {"uniform", "adaptive"});
}

}  // namespace clinrl::rl
