#include "clinrl/rl/reward_terms.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clinrl::rl {

double overlong_term(int64_t tokens, int64_t max_tokens, int64_t cache_tokens) {
  const int64_t free_limit = max_tokens - cache_tokens;
  if (tokens <= free_limit) return 0.0;
  if (tokens > max_tokens) return -1.0;
  return static_cast<double>(free_limit - tokens) / static_cast<double>(cache_tokens);
}

RewardBreakdown combine_reward(const RewardInputs& in, const RewardOptions& o) {
  RewardBreakdown out;
  out.rubric = in.rubric;
  if (!in.has_diagnosis) out.format = -o.format_penalty;
  if (in.diagnosis_correct) out.diagnosis = o.diagnosis_weight;
  if (o.length_weight > 0)
    out.length = o.length_weight * overlong_term(in.response_tokens, o.length_max_tokens, o.length_cache_tokens);
  if (o.turn_rubric_weight > 0 && !in.turn_scores.empty()) {
    double sum = 0;
    for (double s : in.turn_scores) sum += s;
    out.turn = o.turn_rubric_weight * sum / static_cast<double>(in.turn_scores.size());
  }
  out.total = out.rubric + out.format + out.diagnosis + out.length + out.turn;
  return out;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of no values");
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::vector<double> length_bonus(const std::vector<double>& rubric_scores, const std::vector<int64_t>& response_tokens,
                                 const RewardOptions& o) {
  std::vector<double> out(rubric_scores.size(), 0.0);
  if (o.length_bonus_coefficient <= 0 || rubric_scores.empty()) return out;
  const double q = quantile(rubric_scores, o.length_bonus_quantile);
  if (q <= o.length_bonus_threshold) return out;
  for (size_t i = 0; i < out.size(); ++i)
    if (rubric_scores[i] >= q)
      out[i] = o.length_bonus_coefficient * 4.0 /
               std::sqrt(static_cast<double>(std::max<int64_t>(1, response_tokens.at(i))));
  return out;
}

}  // namespace clinrl::rl
