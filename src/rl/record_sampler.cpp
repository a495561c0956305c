#include "clinrl/rl/record_sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/rl/dynamic_sampling.h"

namespace clinrl::rl {

RecordSampling parse_record_sampling(const std::string& name) {
  if (name == "uniform") return RecordSampling::uniform;
  if (name == "adaptive") return RecordSampling::adaptive;
  throw std::invalid_argument(core::format("record_sampling must be uniform or adaptive, got '{}'", name));
}

std::vector<size_t> uniform_records(Rng& rng, size_t records, int count) {
  // A fresh permutation per (step, round): records differ within a step
  // whenever the set is large enough.
  std::vector<size_t> order(records);
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order.begin(), order.end());
  std::vector<size_t> out;
  for (int i = 0; i < count; ++i) out.push_back(order[static_cast<size_t>(i) % order.size()]);
  return out;
}

RecordSampler::RecordSampler(size_t records, RecordSampling mode, const AdaptiveSamplingOptions& options)
    : mode_(mode),
      options_(options),
      reward_mean_(records, options.prior_reward),
      zero_variance_(records, options.prior_zero_variance),
      played_(records, 0) {}

std::vector<size_t> RecordSampler::draw(Rng& rng, int count, const std::vector<size_t>& drawn_this_step) const {
  if (size() == 0) throw std::invalid_argument("record sampler: no records to draw from");
  if (mode_ == RecordSampling::uniform) return uniform_records(rng, size(), count);
  const std::vector<double> w = weights();
  std::vector<char> taken(size(), 0);
  for (size_t r : drawn_this_step)
    if (r < size()) taken[r] = 1;
  std::vector<size_t> pool;
  auto refill = [&](bool skip_taken) {
    pool.clear();
    for (size_t r = 0; r < size(); ++r)
      if (!skip_taken || !taken[r]) pool.push_back(r);
  };
  refill(true);
  if (pool.empty()) refill(false);
  std::vector<size_t> out;
  for (int i = 0; i < count; ++i) {
    if (pool.empty()) refill(false);
    double total = 0;
    for (size_t r : pool) total += w[r];
    const double u = rng.uniform() * total;
    size_t at = pool.size() - 1;  // rounding: u at the very top picks the last
    double cumulative = 0;
    for (size_t k = 0; k < pool.size(); ++k) {
      cumulative += w[pool[k]];
      if (cumulative > u) {
        at = k;
        break;
      }
    }
    out.push_back(pool[at]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return out;
}

void RecordSampler::observe(size_t record, const std::vector<double>& group_rewards) {
  if (record >= size())
    throw std::invalid_argument(core::format("record sampler: record {} of {}", record, size()));
  if (group_rewards.empty()) return;
  const double mean =
      std::accumulate(group_rewards.begin(), group_rewards.end(), 0.0) / static_cast<double>(group_rewards.size());
  const double zero_variance = has_reward_variance(group_rewards) ? 0.0 : 1.0;
  const double d = options_.decay;
  reward_mean_[record] = d * reward_mean_[record] + (1.0 - d) * mean;
  zero_variance_[record] = d * zero_variance_[record] + (1.0 - d) * zero_variance;
  ++played_[record];
}

double RecordSampler::weight(size_t record) const {
  const double fail = std::clamp((options_.reward_high - reward_mean_.at(record)) /
                                     (options_.reward_high - options_.reward_low),
                                 0.0, 1.0);
  const double hard = fail * (1.0 - zero_variance_[record] * (1.0 - fail));
  return options_.floor + (1.0 - options_.floor) * hard;
}

std::vector<double> RecordSampler::weights() const {
  std::vector<double> w;
  w.reserve(size());
  for (size_t r = 0; r < size(); ++r) w.push_back(weight(r));
  return w;
}

double RecordSampler::effective_records() const {
  if (mode_ == RecordSampling::uniform) return static_cast<double>(size());
  const std::vector<double> w = weights();
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  double entropy = 0;
  for (double x : w) {
    const double p = x / total;
    if (p > 0) entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

std::optional<double> RecordSampler::hardest_decile_reward() const {
  std::vector<size_t> seen;
  for (size_t r = 0; r < size(); ++r)
    if (played_[r] > 0) seen.push_back(r);
  if (seen.empty()) return std::nullopt;
  std::stable_sort(seen.begin(), seen.end(), [&](size_t a, size_t b) { return reward_mean_[a] < reward_mean_[b]; });
  const size_t k = (seen.size() + 9) / 10;
  double sum = 0;
  for (size_t i = 0; i < k; ++i) sum += reward_mean_[seen[i]];
  return sum / static_cast<double>(k);
}

core::Json RecordSampler::to_json() const {
  return core::Json{{"records", size()},
                    {"reward_mean", reward_mean_},
                    {"zero_variance_rate", zero_variance_},
                    {"groups_played", played_}};
}

void RecordSampler::load_json(const core::Json& state, const std::string& where) {
  auto fail = [&](const std::string& what) {
    throw UserError(core::format("{}: record sampler state: {}", where, what));
  };
  if (!state.is_object()) fail("expected an object");
  if (!state.contains("records") || !state["records"].is_number_unsigned())
    fail("expected a non-negative integer \"records\"");
  const size_t n = state["records"].get<size_t>();
  if (n != size())
    fail(core::format("saved for {} training records, this run has {} (the training data changed)", n, size()));
  auto numbers = [&](const char* key, double lo, double hi) {
    if (!state.contains(key) || !state[key].is_array() || state[key].size() != n)
      fail(core::format("expected \"{}\" to be an array of {} numbers", key, n));
    std::vector<double> out;
    for (const auto& x : state[key]) {
      if (!x.is_number() || !std::isfinite(x.get<double>()) || x.get<double>() < lo || x.get<double>() > hi)
        fail(core::format("\"{}\" holds {}, expected a number in [{}, {}]", key, core::dump_json(x), lo, hi));
      out.push_back(x.get<double>());
    }
    return out;
  };
  std::vector<double> mean = numbers("reward_mean", -1e300, 1e300);
  std::vector<double> zero_variance = numbers("zero_variance_rate", 0.0, 1.0);
  std::vector<double> played = numbers("groups_played", 0.0, 9e15);
  reward_mean_ = std::move(mean);
  zero_variance_ = std::move(zero_variance);
  for (size_t r = 0; r < n; ++r) played_[r] = static_cast<int64_t>(played[r]);
}

}  // namespace clinrl::rl
