#pragma once
// Token samplers, separate from the model: greedy, temperature, top-k,
// top-p, min-p and repetition penalty over a batch of logits [B, V], each
// row with its own options, run as tensor ops where the logits are (CPU or
// GPU). Only the chosen ids and their log-probs ([B] each) leave the device.
//
// Sampling is Gumbel-max: argmax over the kept tokens of z / T + g, where g
// is counter-based Gumbel noise (sample_noise.h) of (row key, row counter,
// vocabulary id). That samples exactly from the filtered, renormalised
// distribution, and a row's draw depends only on its key and counter, never
// on its batch neighbours or the batch size.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "clinrl/core/rng.h"

namespace clinrl::model {

struct SamplerOptions {
  double temperature = 1.0;         // 0: greedy (argmax, lowest id on ties)
  int64_t top_k = 0;                // 0: off
  double top_p = 1.0;               // nucleus: smallest prefix (by probability, lowest id first on ties) reaching this mass; 1: off
  double min_p = 0.0;               // drop tokens below min_p * max probability; 0: off
  double repetition_penalty = 1.0;  // HF/CTRL rule on every token already in the sequence; 1: off
  uint64_t seed = 0;                // per-sequence streams are Rng::stream(seed, "sample", sequence id)

  template <class V>
  void fields(V& v) {
    v("temperature", temperature);
    v("top_k", top_k);
    v("top_p", top_p);
    v("min_p", min_p);
    v("repetition_penalty", repetition_penalty);
    v("seed", seed);
  }
  void validate() const;  // std::invalid_argument naming the field
  bool greedy() const { return temperature == 0.0; }
  bool filters() const { return top_k > 0 || top_p < 1.0 || min_p > 0.0; }
};

struct SampledToken {
  int64_t token = 0;
  // log p(token) under the model's own distribution (raw logits, temperature 1,
  // no filtering): the quantity token_logprobs() recomputes for training.
  float logprob = 0;
};

// One row of a batched draw.
struct SampleRow {
  SamplerOptions options;
  uint64_t key = 0;     // the row's noise stream (GenerationSession: from the sequence's Rng)
  int64_t counter = 0;  // fresh per draw of the stream (GenerationSession: the token's index in the sequence)
  const std::vector<int64_t>* history = nullptr;  // tokens so far, read only when repetition_penalty != 1
};

// What a batched draw returns: [B] tensors on the logits' device, the only
// values that need to reach the host.
struct SampledTokens {
  torch::Tensor tokens;    // [B] int64
  torch::Tensor logprobs;  // [B] float32
  // One device-to-host copy of the ids and one of the log-probs.
  std::vector<SampledToken> to_host() const;
};

// logits: [B, V] of any floating dtype on any device (the arithmetic is float32);
// rows[b] belongs to logits[b]. Rows must be validated (SamplerOptions::validate).
SampledTokens sample_tokens(const torch::Tensor& logits, const std::vector<SampleRow>& rows);

// One row on the host (tests, tools): draws with key rng.next_u64() and counter 0.
SampledToken sample_token(const float* logits, int64_t vocab, const SamplerOptions& options, Rng& rng,
                          const std::vector<int64_t>& history);

}  // namespace clinrl::model
