#pragma once
// Per-token log-probs of given sequences, for training (GRPO ratios, SFT
// loss). The vocabulary projection and log-softmax run in chunks of tokens
// with a custom backward that recomputes each chunk, so no more than
// chunk x vocab float32 values exist at once, forward or backward.
#include <torch/torch.h>

#include "clinrl/model/loss_positions.h"
#include "clinrl/model/transformer.h"

namespace clinrl::model {

// ids [B, T] int64, mask [B, T] (1 = token, 0 = padding; undefined = all tokens).
// Returns [B, T] float32: out[b, t] = log p(ids[b, t] | ids[b, <t]) for t >= 1
// where mask[b, t] is set, 0 elsewhere (column 0 is always 0: position_carries_loss). Differentiable.
torch::Tensor token_logprobs(Transformer& model, const torch::Tensor& ids, const torch::Tensor& mask = {},
                             int64_t chunk = 256);

// The chunked core: hidden [N, H], weight [V, H], targets [N] -> log-softmax(hidden W^T)[n, targets[n]] (float32).
torch::Tensor chunked_target_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                      const torch::Tensor& targets, int64_t chunk);

}  // namespace clinrl::model
