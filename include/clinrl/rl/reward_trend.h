#pragma once
// Did GRPO raise the training reward beyond noise? The episodes of the first
// and of the last k steps of metrics.jsonl, pooled into two windows:
//
//   window mean  M = sum_s n_s m_s / N                       (N = sum_s n_s)
//   window var   v = sum_s n_s (sd_s^2 + (m_s - M)^2) / (N - 1)
//   gain         last.M - first.M
//   standard error of the gain  se = sqrt(v_first / N_first + v_last / N_last)
//
// with m_s, sd_s (population std) and n_s the reward_mean, reward_std and
// episodes of step s. Episodes are treated as independent draws: within a
// step they come from one policy, across steps from slowly changing ones.
#include <cstdint>
#include <vector>

#include "clinrl/core/json_io.h"

namespace clinrl::rl {

struct RewardWindow {
  double mean = 0;
  double std = 0;        // sample std of the pooled episode rewards
  int64_t episodes = 0;
  int64_t steps = 0;
};

struct RewardTrend {
  RewardWindow first, last;
  double gain() const { return last.mean - first.mean; }
  double standard_error() const;           // of the gain; 0 when a window has < 2 episodes
  double standard_errors() const;          // gain / standard error; 0 when the error is 0
};

// Rows [begin, end) of metrics.jsonl; a row's episodes are groups_trained x
// group_size, and rows without reward_mean or episodes are skipped.
RewardWindow pool_reward_rows(const std::vector<core::Json>& rows, size_t begin, size_t end, int group_size);

// The first and last `k` steps (fewer when the run is shorter; the windows
// overlap when it has fewer than 2k steps).
RewardTrend reward_trend(const std::vector<core::Json>& rows, int group_size, size_t k = 5);

}  // namespace clinrl::rl
