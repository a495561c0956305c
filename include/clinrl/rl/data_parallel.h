#pragma once
// How the ranks of a data-parallel run share a training step (dist::world()):
// GRPO groups go round-robin to ranks, whole, so advantages stay local; SFT
// rows are split in contiguous shares; what the step's logging and dynamic
// sampling need is pooled back. A world of one gets everything.
#include <cstdint>
#include <utility>
#include <vector>

#include "clinrl/dist/process_group.h"
#include "clinrl/rl/grpo_loss.h"
#include "clinrl/rl/step_metrics.h"

namespace clinrl::rl {

// The groups (of `groups`) this rank plays: g with g % world_size == rank.
std::vector<int> groups_of_rank(dist::ProcessGroup& world, int groups);

// Every group's rewards, in group order, from each rank's `mine` (the groups
// of groups_of_rank) and their rewards.
std::vector<std::vector<double>> gather_group_rewards(dist::ProcessGroup& world, const std::vector<int>& mine,
                                                      const std::vector<std::vector<double>>& rewards, int groups);

// Every rank's summaries placed at their `positions` in the step's order.
std::vector<EpisodeSummary> gather_summaries(dist::ProcessGroup& world, const std::vector<size_t>& positions,
                                             const std::vector<EpisodeSummary>& summaries, size_t total);

// The loss statistics of the whole step (token-weighted over ranks).
GrpoLossStats merge_stats_over_ranks(dist::ProcessGroup& world, const GrpoLossStats& mine);

// This rank's rows [first, first + count) of a batch of `rows` rows.
std::pair<int64_t, int64_t> rows_of_rank(dist::ProcessGroup& world, int64_t rows);

}  // namespace clinrl::rl
