#pragma once
// Per-token log-probs of given sequences, for training (GRPO ratios, SFT
// loss). The vocabulary projection and log-softmax run in chunks of tokens
// with a custom backward that recomputes each chunk, so no more than
// chunk x vocab float32 values exist at once, forward or backward.
#include <torch/torch.h>

#include <vector>

#include "clinrl/model/loss_positions.h"
#include "clinrl/model/sampler.h"
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

// The n most likely tokens of each row of logits [B, V]: log-softmax in
// float32, best first, lowest id on ties. [B, n] on the logits' device.
struct TopTokens {
  torch::Tensor ids;       // [B, n] int64
  torch::Tensor logprobs;  // [B, n] float32
  std::vector<std::vector<SampledToken>> to_host() const;
};
TopTokens top_token_logprobs(const torch::Tensor& logits, int64_t n);

// One sequence scored by the model (no gradient), for `clinrl score`.
struct ScoredSequence {
  // [T] float32: log p(ids[t] | ids[<t]); position 0 has no context and holds 0.
  torch::Tensor logprobs;
  // top_n > 0: the alternatives of positions 1..T-1, row t-1 for position t.
  TopTokens top;
};
// ids: [T] int64. Log-softmax in float32, `chunk` positions at a time, so no
// more than chunk x vocab logits exist at once.
ScoredSequence score_sequence(Transformer& model, const torch::Tensor& ids, int64_t top_n = 0, int64_t chunk = 256);

}  // namespace clinrl::model
