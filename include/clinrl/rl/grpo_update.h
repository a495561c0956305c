#pragma once
// One GRPO optimizer step over finished rollouts: num_iterations passes, each
// over micro-batches whose gradients accumulate into one step.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "clinrl/model/transformer.h"
#include "clinrl/rl/grpo_loss.h"
#include "clinrl/rl/grpo_options.h"
#include "clinrl/rl/rollout_types.h"

namespace clinrl::rl {

struct UpdateResult {
  GrpoLossStats stats;     // merged over micro-batches (of the last pass)
  double loss = 0;         // the step loss (sum of micro-batch shares, last pass)
  double grad_norm = 0;    // before clipping, last pass
  int64_t tokens = 0;      // tokens run through the model (all passes)
};

// Right-padded tensors of a set of episodes: ids [B, T], attention [B, T],
// loss mask [B, T], old log-probs [B, T] and, when given, the per-token
// advantages [B, T], aligned with ids.
struct EpisodeBatch {
  torch::Tensor ids, attention, loss_mask, old_logp, truncated, advantages;
};
EpisodeBatch collate_episodes(const std::vector<const EpisodeTokens*>& episodes, torch::Device device,
                              const std::vector<const std::vector<float>*>& advantages = {});

// The KL reference: a frozen copy of `policy` (no gradients, eval mode) in the
// policy's dtype and on its device.
model::Transformer frozen_copy(model::Transformer& policy);

// `advantages` holds one value per token of each episode (aligned with its
// ids; only the loss tokens matter): an episode's advantage on all its
// tokens, or one per doctor turn (rl/turn_credit.h).
// `reference` is used only when options.kl_beta > 0 (it must then be defined).
// Inputs are built on the policy's device; log-probs and the loss are fp32
// whatever the parameter dtype. options.activation_checkpointing applies to
// the policy's forward passes here.
UpdateResult grpo_update(model::Transformer& policy, torch::optim::Optimizer& optimizer,
                         const std::vector<EpisodeTokens>& episodes, const std::vector<std::vector<float>>& advantages,
                         const GrpoOptions& options, int64_t step, model::Transformer* reference = nullptr);

}  // namespace clinrl::rl
