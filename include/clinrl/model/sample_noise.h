#pragma once
// Counter-based noise for sampling on the device: the bits for (row key,
// counter, vocabulary id) are a pure function of those three numbers
// (splitmix64), computed with int64 tensor ops where the logits are. A row's
// draw therefore never depends on its batch neighbours, the batch size or
// the device's thread schedule.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace clinrl::model {

// The host reference of the bits (for tests and for deriving row bases).
uint64_t splitmix64(uint64_t x);
// Bits of vocabulary id `id` at step `counter` of the stream keyed `key`.
uint64_t noise_bits(uint64_t key, int64_t counter, int64_t id);

// [B, ids.size(1)] int64 (the uint64 bits reinterpreted): noise_bits(keys[b], counters[b], ids[b, j]).
// ids: [B, N] int64 on the target device.
torch::Tensor noise_bits(const std::vector<uint64_t>& keys, const std::vector<int64_t>& counters, const torch::Tensor& ids);

// Standard Gumbel noise, float32, from the top 23 bits: u = (k + 0.5) / 2^23
// lies in (0, 1) exactly in float32, g = -log(-log(u)).
torch::Tensor gumbel_from_bits(const torch::Tensor& bits);

}  // namespace clinrl::model
