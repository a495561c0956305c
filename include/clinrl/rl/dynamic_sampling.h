#pragma once
// DAPO dynamic sampling: a group whose rewards are all equal has zero
// advantage everywhere and teaches nothing, so it is dropped and more groups
// are generated until the step has `target_groups` informative ones, with at
// most `max_resample_batches` generation rounds after the first. Pure
// bookkeeping; the trainer does the generating.
//
//   DynamicSampler sampler(B, cap);
//   while (sampler.needs_more()) {
//     auto rewards = roll_out_and_grade(sampler.groups_to_request());
//     for (size_t g : sampler.offer(rewards)) keep(g);
//   }
#include <cstddef>
#include <vector>

namespace clinrl::rl {

// True when the group carries a learning signal (its rewards are not all equal,
// with the tolerance of GroupStats::zero_variance).
bool has_reward_variance(const std::vector<double>& group_rewards);

class DynamicSampler {
 public:
  DynamicSampler(int target_groups, int max_resample_batches);
  // Dynamic sampling off: one round whose groups are all kept (zero-variance
  // ones too, still counted), so the trainer has one code path either way.
  static DynamicSampler keep_all(int target_groups);

  // Offers one generation round; returns the indices (into `groups`) kept, in
  // order. Groups beyond the target are discarded, as in DAPO.
  std::vector<size_t> offer(const std::vector<std::vector<double>>& groups);

  bool full() const { return kept_ == target_; }
  bool exhausted() const { return rounds_ >= 1 + max_resample_; }  // no round left
  bool needs_more() const { return !full() && !exhausted(); }
  // How many groups to generate in the next round: what is still missing.
  int groups_to_request() const { return target_ - kept_; }

  int kept() const { return kept_; }
  int rounds() const { return rounds_; }
  int groups_seen() const { return seen_; }
  int zero_variance_groups() const { return zero_variance_; }
  // Share of generated groups that were dropped for zero variance (0 before any round).
  double zero_variance_fraction() const;

 private:
  int target_;
  int max_resample_;
  bool drop_zero_variance_ = true;
  int kept_ = 0;
  int rounds_ = 0;
  int seen_ = 0;
  int zero_variance_ = 0;
};

}  // namespace clinrl::rl
