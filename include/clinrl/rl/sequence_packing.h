#pragma once
// Sequence packing for SFT: dialogues are laid end to end in rows of a fixed
// length. Each keeps its own positions (from 0) and attends only to itself
// (a block-diagonal causal mask), so packing changes nothing but the speed.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace clinrl::rl {

struct TokenizedDialogue {
  std::vector<int64_t> ids;
  std::vector<uint8_t> loss_mask;  // 1 on tokens that carry loss (the doctor's)
};

struct PackedBatch {
  torch::Tensor ids;        // [B, T] int64, 0 on padding
  torch::Tensor positions;  // [B, T] int64, restarting at 0 for each dialogue
  torch::Tensor document;   // [B, T] int64, dialogue index within the row, -1 on padding
  torch::Tensor loss_mask;  // [B, T] float, 1 where the token is predicted and carries loss
  int64_t dialogues = 0;
  int64_t truncated = 0;    // dialogues cut to the row length
};

// First-fit packing in the given order; a dialogue longer than `row_length`
// is cut to it (counted in `truncated`).
std::vector<PackedBatch> pack_dialogues(const std::vector<TokenizedDialogue>& dialogues, int64_t row_length,
                                        int64_t rows_per_batch);

// [B, 1, T, T] bool on document's device: query t sees key s when both are in
// the same dialogue and s <= t; padding queries see themselves so no row is empty.
torch::Tensor document_causal_mask(const torch::Tensor& document);

// The batch's tensors on `device` (packing builds them on the CPU; moved once per batch).
PackedBatch to_device(const PackedBatch& batch, torch::Device device);
// Rows [start, start + count) of the batch (views; `dialogues` and `truncated` are not split).
PackedBatch slice_rows(const PackedBatch& batch, int64_t start, int64_t count);

}  // namespace clinrl::rl
