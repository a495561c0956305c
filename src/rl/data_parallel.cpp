#include "clinrl/rl/data_parallel.h"

#include <cstring>
#include <stdexcept>

namespace clinrl::rl {
namespace {

std::string to_bytes(const std::vector<double>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

std::vector<double> from_bytes(const std::string& bytes) {
  std::vector<double> values(bytes.size() / sizeof(double));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(double));
  return values;
}

}  // namespace

std::vector<int> groups_of_rank(dist::ProcessGroup& world, int groups) {
  std::vector<int> mine;
  for (int g = world.rank(); g < groups; g += world.world_size()) mine.push_back(g);
  return mine;
}

std::vector<std::vector<double>> gather_group_rewards(dist::ProcessGroup& world, const std::vector<int>& mine,
                                                      const std::vector<std::vector<double>>& rewards, int groups) {
  if (world.world_size() == 1) return rewards;
  // Per group: its index, its size, its rewards.
  std::vector<double> packed;
  for (size_t i = 0; i < mine.size(); ++i) {
    packed.push_back(mine[i]);
    packed.push_back(static_cast<double>(rewards[i].size()));
    packed.insert(packed.end(), rewards[i].begin(), rewards[i].end());
  }
  std::vector<std::vector<double>> all(static_cast<size_t>(groups));
  for (const auto& bytes : world.all_gather_bytes(to_bytes(packed))) {
    const auto values = from_bytes(bytes);
    for (size_t at = 0; at < values.size();) {
      const auto g = static_cast<size_t>(values[at]);
      const auto n = static_cast<size_t>(values[at + 1]);
      all.at(g).assign(values.begin() + static_cast<std::ptrdiff_t>(at + 2),
                       values.begin() + static_cast<std::ptrdiff_t>(at + 2 + n));
      at += 2 + n;
    }
  }
  return all;
}

std::vector<EpisodeSummary> gather_summaries(dist::ProcessGroup& world, const std::vector<size_t>& positions,
                                             const std::vector<EpisodeSummary>& summaries, size_t total) {
  if (world.world_size() == 1) return summaries;
  static_assert(sizeof(EpisodeSummary) == EpisodeSummary::kFields * sizeof(double), "EpisodeSummary: doubles only");
  std::vector<double> packed;
  for (size_t i = 0; i < summaries.size(); ++i) {
    packed.push_back(static_cast<double>(positions[i]));
    const auto* fields = reinterpret_cast<const double*>(&summaries[i]);
    packed.insert(packed.end(), fields, fields + EpisodeSummary::kFields);
  }
  std::vector<EpisodeSummary> all(total);
  for (const auto& bytes : world.all_gather_bytes(to_bytes(packed))) {
    const auto values = from_bytes(bytes);
    for (size_t at = 0; at + EpisodeSummary::kFields < values.size() + 1; at += 1 + EpisodeSummary::kFields)
      std::memcpy(static_cast<void*>(&all.at(static_cast<size_t>(values[at]))), &values[at + 1], sizeof(EpisodeSummary));
  }
  return all;
}

GrpoLossStats merge_stats_over_ranks(dist::ProcessGroup& world, const GrpoLossStats& mine) {
  if (world.world_size() == 1) return mine;
  const std::vector<double> fields = {mine.tokens,    mine.sequences,  mine.clip_fraction_low, mine.clip_fraction_high,
                                      mine.clip_fraction, mine.dual_clip_fraction, mine.approx_kl, mine.kl,
                                      mine.ratio_mean, mine.ratio_max, mine.entropy, mine.has_entropy ? 1.0 : 0.0};
  GrpoLossStats merged;
  bool first = true;
  for (const auto& bytes : world.all_gather_bytes(to_bytes(fields))) {
    const auto v = from_bytes(bytes);
    GrpoLossStats s;
    s.tokens = v[0];
    s.sequences = v[1];
    s.clip_fraction_low = v[2];
    s.clip_fraction_high = v[3];
    s.clip_fraction = v[4];
    s.dual_clip_fraction = v[5];
    s.approx_kl = v[6];
    s.kl = v[7];
    s.ratio_mean = v[8];
    s.ratio_max = v[9];
    s.entropy = v[10];
    s.has_entropy = v[11] != 0;
    merged = first ? s : merge_stats(merged, s);
    first = false;
  }
  return merged;
}

std::pair<int64_t, int64_t> rows_of_rank(dist::ProcessGroup& world, int64_t rows) {
  const int64_t w = world.world_size(), r = world.rank();
  const int64_t first = rows * r / w, last = rows * (r + 1) / w;
  return {first, last - first};
}

}  // namespace clinrl::rl
