#include "clinrl/rl/reward_trend.h"

#include <algorithm>
#include <cmath>

namespace clinrl::rl {
namespace {

double number_or(const core::Json& row, const char* key, double fallback) {
  auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace

double RewardTrend::standard_error() const {
  if (first.episodes < 2 || last.episodes < 2) return 0.0;
  return std::sqrt(first.std * first.std / static_cast<double>(first.episodes) +
                   last.std * last.std / static_cast<double>(last.episodes));
}

double RewardTrend::standard_errors() const {
  const double se = standard_error();
  return se > 0 ? gain() / se : 0.0;
}

RewardWindow pool_reward_rows(const std::vector<core::Json>& rows, size_t begin, size_t end, int group_size) {
  struct Step {
    double mean, sd, n;
  };
  std::vector<Step> steps;
  for (size_t i = begin; i < end && i < rows.size(); ++i) {
    const core::Json& row = rows[i];
    if (!row.is_object() || !row.contains("reward_mean") || !row["reward_mean"].is_number()) continue;
    const double n = number_or(row, "groups_trained", 0) * group_size;
    if (n <= 0) continue;  // a step that trained on nothing has no rewards to pool
    steps.push_back({row["reward_mean"].get<double>(), number_or(row, "reward_std", 0), n});
  }
  RewardWindow w;
  double total = 0, weighted = 0;
  for (const auto& s : steps) {
    total += s.n;
    weighted += s.n * s.mean;
  }
  w.steps = static_cast<int64_t>(steps.size());
  w.episodes = static_cast<int64_t>(total);
  if (total <= 0) return w;
  w.mean = weighted / total;
  double ss = 0;
  for (const auto& s : steps) ss += s.n * (s.sd * s.sd + (s.mean - w.mean) * (s.mean - w.mean));
  w.std = total > 1 ? std::sqrt(ss / (total - 1)) : 0.0;
  return w;
}

RewardTrend reward_trend(const std::vector<core::Json>& rows, int group_size, size_t k) {
  const size_t n = std::min(k, rows.size());
  RewardTrend t;
  t.first = pool_reward_rows(rows, 0, n, group_size);
  t.last = pool_reward_rows(rows, rows.size() - n, rows.size(), group_size);
  return t;
}

}  // namespace clinrl::rl
