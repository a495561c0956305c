#include "clinrl/rl/dynamic_sampling.h"

#include <stdexcept>

#include "clinrl/core/strings.h"
#include "clinrl/rl/advantages.h"

namespace clinrl::rl {

bool has_reward_variance(const std::vector<double>& group_rewards) {
  return !group_rewards.empty() && !group_stats(group_rewards).zero_variance();
}

DynamicSampler::DynamicSampler(int target_groups, int max_resample_batches)
    : target_(target_groups), max_resample_(max_resample_batches) {
  if (target_groups < 1 || max_resample_batches < 0)
    throw std::invalid_argument(core::format("DynamicSampler: target_groups {} must be >= 1 and "
                                             "max_resample_batches {} >= 0",
                                             target_groups, max_resample_batches));
}

DynamicSampler DynamicSampler::keep_all(int target_groups) {
  DynamicSampler s(target_groups, 0);
  s.drop_zero_variance_ = false;
  return s;
}

std::vector<size_t> DynamicSampler::offer(const std::vector<std::vector<double>>& groups) {
  if (exhausted())
    throw std::logic_error(core::format("DynamicSampler: offer() after the last of {} rounds", rounds_));
  ++rounds_;
  std::vector<size_t> kept;
  for (size_t i = 0; i < groups.size(); ++i) {
    ++seen_;
    if (!has_reward_variance(groups[i])) {
      ++zero_variance_;
      if (drop_zero_variance_) continue;
    }
    if (kept_ < target_) {
      kept.push_back(i);
      ++kept_;
    }
  }
  return kept;
}

double DynamicSampler::zero_variance_fraction() const {
  return seen_ == 0 ? 0.0 : static_cast<double>(zero_variance_) / static_cast<double>(seen_);
}

}  // namespace clinrl::rl
