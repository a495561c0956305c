#include "clinrl/rl/turn_credit.h"

#include <stdexcept>

#include "clinrl/core/strings.h"

namespace clinrl::rl {

double turn_score_std(const std::vector<std::vector<double>>& turn_scores) {
  std::vector<double> all;
  for (const auto& e : turn_scores) all.insert(all.end(), e.begin(), e.end());
  return group_stats(all).std;
}

std::vector<std::vector<double>> turn_advantages(const TurnCreditInputs& in) {
  const size_t n = in.turn_scores.size(), g = static_cast<size_t>(in.group_size);
  if (in.group_size < 1 || n % g != 0 || in.episode_advantages.size() != n)
    throw std::invalid_argument(core::format("turn_advantages: {} episodes and {} episode advantages do not form groups of {}",
                                             n, in.episode_advantages.size(), in.group_size));
  std::vector<std::vector<double>> out(n);
  for (size_t start = 0; start < n; start += g) {
    std::vector<double> pool;
    for (size_t i = start; i < start + g; ++i) {
      if (in.turn_scores[i].empty())
        throw std::invalid_argument(core::format("turn_advantages: episode {} has no turn scores", i));
      pool.insert(pool.end(), in.turn_scores[i].begin(), in.turn_scores[i].end());
    }
    const GroupStats stats = group_stats(pool);
    double divisor = 1.0;
    if (in.scale == AdvantageScale::group) divisor = stats.std + in.std_eps;
    if (in.scale == AdvantageScale::batch) divisor = in.batch_std + in.std_eps;
    for (size_t i = start; i < start + g; ++i) {
      const auto& scores = in.turn_scores[i];
      for (double s : scores) out[i].push_back(stats.zero_variance() ? 0.0 : (s - stats.mean) / divisor);
      double& last = out[i].back();
      last = (1.0 - in.outcome_mix) * last + in.outcome_mix * in.episode_advantages[i];
    }
  }
  return out;
}

std::vector<std::pair<size_t, size_t>> doctor_turn_spans(const EpisodeTokens& episode) {
  std::vector<std::pair<size_t, size_t>> spans;
  const auto& mask = episode.policy_mask;
  for (size_t t = 0; t < mask.size();) {
    if (!mask[t]) {
      ++t;
      continue;
    }
    size_t end = t;
    while (end < mask.size() && mask[end]) ++end;
    spans.emplace_back(t, end);
    t = end;
  }
  return spans;
}

std::vector<float> spread_over_turns(const EpisodeTokens& episode, const std::vector<double>& per_turn) {
  const auto spans = doctor_turn_spans(episode);
  if (spans.size() != per_turn.size())
    throw std::invalid_argument(core::format("spread_over_turns: the episode has {} doctor turns but {} turn advantages",
                                             spans.size(), per_turn.size()));
  std::vector<float> out(episode.ids.size(), 0.0f);
  for (size_t k = 0; k < spans.size(); ++k)
    for (size_t t = spans[k].first; t < spans[k].second; ++t) out[t] = static_cast<float>(per_turn[k]);
  return out;
}

}  // namespace clinrl::rl
