#pragma once
// The reward of one episode: its rubric score plus the optional terms of
// RewardOptions (all off by default).
//
//   reward = rubric
//          - format_penalty                        if the episode has no `DIAGNOSIS:` line
//          + diagnosis_weight                      if its `DIAGNOSIS:` line names the right diagnosis
//          + length_weight * overlong(tokens)       (DAPO's soft overlong punishment)
//          + turn_rubric_weight * mean(turn_scores) (per-turn context-specific rubric scores)
//
//   overlong(n) = 0                          for n <= M - C
//               = ((M - C) - n) / C          for M - C < n <= M   (a ramp from 0 to -1)
//               = -1                         for n > M
// with M = length_max_tokens and C = length_cache_tokens.
//
// Group terms, which need the whole group (added by the trainer):
//   + length_bonus_coefficient * 4 / sqrt(n)  (Baichuan-M2's R_len) when
//     q = quantile(group rubric scores, length_bonus_quantile) > length_bonus_threshold
//     and the episode's rubric score >= q; n = its response tokens (>= 1).
// The quantile interpolates linearly between order statistics (numpy's default).
#include <cstdint>
#include <vector>

#include "clinrl/rl/grpo_options.h"

namespace clinrl::rl {

struct RewardInputs {
  double rubric = 0;                 // rubric score of the finished episode
  bool has_diagnosis = true;         // the doctor wrote a `DIAGNOSIS:` line
  bool diagnosis_correct = false;    // ... naming the record's diagnosis (the grader's rule)
  int64_t response_tokens = 0;       // the policy's tokens in the episode
  std::vector<double> turn_scores;   // per-turn rubric scores; empty = term absent
};

struct RewardBreakdown {
  double total = 0;
  double rubric = 0;
  double format = 0;   // <= 0
  double diagnosis = 0;  // >= 0
  double length = 0;   // <= 0
  double turn = 0;
};

double overlong_term(int64_t tokens, int64_t max_tokens, int64_t cache_tokens);
RewardBreakdown combine_reward(const RewardInputs& inputs, const RewardOptions& options);

// The q-quantile of `values` (non-empty), linear between order statistics.
double quantile(std::vector<double> values, double q);
// R_len of every episode of one group (0 where it does not apply).
std::vector<double> length_bonus(const std::vector<double>& rubric_scores, const std::vector<int64_t>& response_tokens,
                                 const RewardOptions& options);

}  // namespace clinrl::rl
