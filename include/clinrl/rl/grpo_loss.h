#pragma once
// The GRPO policy loss over a (micro-)batch of episodes, with the options of
// GrpoOptions. Shapes: B episodes, T token positions (padded).
//
// Per token t of episode i (mask m_it = 1 only on the policy's own tokens):
//   rho    = exp(logp - old_logp)
//   pg     = max(-rho A_i, -clip(rho, 1 - eps_low, 1 + eps_high) A_i)   (A_it with per-token advantages)
//   dual clip (A_i < 0 only, Ye et al. 2020): pg = min(pg, -c A_i)
//   kl     = exp(ref - logp) - (ref - logp) - 1           (k3, only when kl_beta > 0)
//   l_it   = pg + kl_beta * kl
// and the aggregation of l_it is described at `aggregate_token_losses`.
#include <torch/torch.h>

#include "clinrl/rl/grpo_options.h"

namespace clinrl::rl {

struct GrpoLossInput {
  torch::Tensor logp;        // [B, T] log-prob of each sampled token under the policy being trained (grad flows)
  torch::Tensor old_logp;    // [B, T] log-prob at rollout time (no grad)
  torch::Tensor advantages;  // [B] one advantage per episode, or [B, T] one per token
  torch::Tensor loss_mask;   // [B, T] 1 on the policy's own tokens, 0 on prompt / simulator / padding
  torch::Tensor ref_logp;    // [B, T] frozen reference log-probs; required when kl_beta > 0, else ignored
  torch::Tensor truncated;   // [B] bool, optional: episodes cut by a cap (masked when mask_truncated)
  torch::Tensor entropy;     // [B, T] optional per-token policy entropy, only reported
};

// Denominators of the aggregation. With gradient accumulation pass the counts
// of the WHOLE step (all micro-batches) so that the micro-batch losses add up
// to the loss of the full batch; 0 means "count this micro-batch".
struct LossNormalizer {
  double tokens = 0;     // loss tokens, for token_mean
  double sequences = 0;  // episodes with at least one loss token, for the seq_mean modes
};

// Statistics over the loss tokens of the batch (token means unless stated).
struct GrpoLossStats {
  double tokens = 0;               // number of loss tokens
  double sequences = 0;            // episodes with at least one loss token
  double clip_fraction_low = 0;    // A < 0 and rho < 1 - eps_low (gradient stopped by the low clip)
  double clip_fraction_high = 0;   // A > 0 and rho > 1 + eps_high (gradient stopped by the high clip)
  double clip_fraction = 0;        // low + high
  double dual_clip_fraction = 0;   // A < 0 and the dual clip -c A is the loss (rho > c)
  double approx_kl = 0;            // KL(old || current), k3: (rho - 1) - log rho
  double kl = 0;                   // k3 KL to the reference (0 when kl_beta == 0)
  double ratio_mean = 0;           // mean rho
  double ratio_max = 0;
  double entropy = 0;              // mean entropy when supplied, else 0
  bool has_entropy = false;
};

struct GrpoLossResult {
  torch::Tensor loss;                // scalar; backward() gives the step gradient (or its micro-batch share)
  torch::Tensor token_loss;          // [B, T] l_it, zero where masked (detached)
  GrpoLossStats stats;
};

// The effective loss mask: loss_mask, with rows of truncated episodes zeroed when mask_truncated.
torch::Tensor effective_loss_mask(const GrpoLossInput& input, const GrpoOptions& options);

// Aggregation of per-token losses l [B, T] with mask m [B, T] (float):
//   token_mean:              sum_it m l / N_tokens
//   seq_mean_token_mean:     (1/N_seq) sum_i (sum_t m l / sum_t m)      (rows without tokens contribute 0)
//   seq_mean_token_sum_norm: (1/N_seq) sum_i (sum_t m l / max_length_norm)
torch::Tensor aggregate_token_losses(const torch::Tensor& token_loss, const torch::Tensor& mask,
                                     const GrpoOptions& options, const LossNormalizer& normalizer = {});

GrpoLossResult grpo_loss(const GrpoLossInput& input, const GrpoOptions& options,
                         const LossNormalizer& normalizer = {});

// Combines the stats of micro-batches into those of the step (token-weighted).
GrpoLossStats merge_stats(const GrpoLossStats& a, const GrpoLossStats& b);

// Per-token entropy of the softmax over the last dimension: [..., V] -> [...], no grad.
torch::Tensor token_entropy(const torch::Tensor& logits);

}  // namespace clinrl::rl
