#pragma once
// Which training records a GRPO step plays (`grpo.record_sampling`). Pure C++.
//
// uniform (the default): each generation round takes a fresh seeded
// permutation of the records and plays its first `count` (cycling when there
// are fewer records than groups); no state enters the choice.
//
// adaptive (hard-sample mining, Fleming-R1): every record i keeps two running
// values, updated after each group of it that is played (in step order):
//   m_i <- decay * m_i + (1 - decay) * mean(group rewards)        running reward
//   z_i <- decay * z_i + (1 - decay) * [group has zero variance]  zero-variance rate
// A record never played holds (prior_reward, prior_zero_variance). Its weight:
//   f_i = clamp((reward_high - m_i) / (reward_high - reward_low), 0, 1)  how much it fails
//   h_i = f_i * (1 - z_i * (1 - f_i))     the solved-and-zero-variance share is taken off
//   w_i = floor + (1 - floor) * h_i       in [floor, 1]
// So a record always failed weighs 1, one always solved (m_i >= reward_high)
// exactly `floor`, and a mostly solved one that no longer varies less than a
// mostly solved one that still does. A round draws `count` records without
// replacement with probability proportional to w among those not yet drawn
// in the step (all records again once that pool is empty): each pick takes
// u = rng.uniform() * (sum of the pool's weights) and the first record of the
// pool, in index order, whose cumulative weight exceeds u.
//
// The state is kept in both modes (the metrics below need it) and lives in
// the checkpoint's trainer_state.json (to_json / load_json), so a resumed run
// draws what an uninterrupted one draws.
//
// Metrics: effective_records() is exp of the entropy of the normalised
// weights a step draws from (uniform: the number of records); it is the
// number of equally likely records that would be as spread out.
// hardest_decile_reward() is the mean running reward m_i of the hardest 10%
// (rounded up) of the records played at least once, ranked by m_i.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/core/rng.h"
#include "clinrl/rl/grpo_options.h"

namespace clinrl::rl {

enum class RecordSampling { uniform, adaptive };
RecordSampling parse_record_sampling(const std::string& name);  // std::invalid_argument if unknown

// The uniform draw: a permutation of [0, records) from `rng`, cycled to `count` entries.
std::vector<size_t> uniform_records(Rng& rng, size_t records, int count);

class RecordSampler {
 public:
  RecordSampler(size_t records, RecordSampling mode, const AdaptiveSamplingOptions& options);

  size_t size() const { return reward_mean_.size(); }
  RecordSampling mode() const { return mode_; }

  // The records of one generation round (std::invalid_argument without
  // records). `drawn_this_step`: the records of
  // the step's earlier rounds (adaptive avoids them while others remain;
  // uniform ignores them, as before).
  std::vector<size_t> draw(Rng& rng, int count, const std::vector<size_t>& drawn_this_step = {}) const;

  // One group of `record` was played with these rewards (every rank calls it
  // with the same step-wide rewards, in the same order).
  void observe(size_t record, const std::vector<double>& group_rewards);

  double weight(size_t record) const;  // w_i of the formula above
  std::vector<double> weights() const;
  double reward_mean(size_t record) const { return reward_mean_.at(record); }
  double zero_variance_rate(size_t record) const { return zero_variance_.at(record); }
  int64_t groups_played(size_t record) const { return played_.at(record); }

  double effective_records() const;
  std::optional<double> hardest_decile_reward() const;  // empty before any record is played

  // {"records": N, "reward_mean": [...], "zero_variance_rate": [...], "groups_played": [...]}
  core::Json to_json() const;
  // Replaces the state; UserError naming `where` when it is malformed or for another number of records.
  void load_json(const core::Json& state, const std::string& where);

 private:
  RecordSampling mode_;
  AdaptiveSamplingOptions options_;
  std::vector<double> reward_mean_;
  std::vector<double> zero_variance_;
  std::vector<int64_t> played_;
};

}  // namespace clinrl::rl
