#include "clinrl/rl/sequence_packing.h"

#include <algorithm>

#include "clinrl/model/loss_positions.h"

namespace clinrl::rl {

std::vector<PackedBatch> pack_dialogues(const std::vector<TokenizedDialogue>& dialogues, int64_t row_length,
                                        int64_t rows_per_batch) {
  TORCH_CHECK(row_length > 1 && rows_per_batch > 0, "pack_dialogues: row_length > 1 and rows_per_batch > 0");
  struct Row {
    std::vector<int64_t> ids, positions, document;
    std::vector<float> loss;
    int64_t count = 0;
  };
  std::vector<Row> rows;
  int64_t truncated = 0;
  for (const auto& d : dialogues) {
    int64_t n = std::min<int64_t>(static_cast<int64_t>(d.ids.size()), row_length);
    if (n < static_cast<int64_t>(d.ids.size())) ++truncated;
    if (n == 0) continue;
    Row* target = nullptr;
    for (auto& r : rows)
      if (static_cast<int64_t>(r.ids.size()) + n <= row_length) {
        target = &r;
        break;
      }
    if (!target) target = &rows.emplace_back();
    for (int64_t i = 0; i < n; ++i) {
      target->ids.push_back(d.ids[static_cast<size_t>(i)]);
      target->positions.push_back(i);
      target->document.push_back(target->count);
      target->loss.push_back(model::position_carries_loss(i) && d.loss_mask[static_cast<size_t>(i)] ? 1.0f : 0.0f);
    }
    ++target->count;
  }

  std::vector<PackedBatch> batches;
  for (size_t start = 0; start < rows.size(); start += static_cast<size_t>(rows_per_batch)) {
    size_t end = std::min(rows.size(), start + static_cast<size_t>(rows_per_batch));
    int64_t B = static_cast<int64_t>(end - start);
    PackedBatch batch;
    batch.ids = torch::zeros({B, row_length}, torch::kInt64);
    batch.positions = torch::zeros({B, row_length}, torch::kInt64);
    batch.document = torch::full({B, row_length}, -1, torch::kInt64);
    batch.loss_mask = torch::zeros({B, row_length}, torch::kFloat32);
    auto ids = batch.ids.accessor<int64_t, 2>();
    auto pos = batch.positions.accessor<int64_t, 2>();
    auto doc = batch.document.accessor<int64_t, 2>();
    auto loss = batch.loss_mask.accessor<float, 2>();
    for (size_t r = start; r < end; ++r) {
      const Row& row = rows[r];
      int64_t b = static_cast<int64_t>(r - start);
      for (size_t t = 0; t < row.ids.size(); ++t) {
        ids[b][static_cast<int64_t>(t)] = row.ids[t];
        pos[b][static_cast<int64_t>(t)] = row.positions[t];
        doc[b][static_cast<int64_t>(t)] = row.document[t];
        loss[b][static_cast<int64_t>(t)] = row.loss[t];
      }
      batch.dialogues += row.count;
    }
    batches.push_back(std::move(batch));
  }
  if (!batches.empty()) batches.front().truncated = truncated;
  return batches;
}

torch::Tensor document_causal_mask(const torch::Tensor& document) {
  const int64_t T = document.size(1);
  auto q = document.unsqueeze(2);  // [B, T, 1]
  auto k = document.unsqueeze(1);  // [B, 1, T]
  auto same = (q == k) & (k >= 0);
  auto opts = torch::TensorOptions().dtype(torch::kBool).device(document.device());
  auto causal = torch::ones({T, T}, opts).tril().unsqueeze(0);
  auto eye = torch::eye(T, opts).unsqueeze(0);
  return ((same & causal) | eye).unsqueeze(1);
}

PackedBatch to_device(const PackedBatch& batch, torch::Device device) {
  PackedBatch out = batch;
  out.ids = batch.ids.to(device);
  out.positions = batch.positions.to(device);
  out.document = batch.document.to(device);
  out.loss_mask = batch.loss_mask.to(device);
  return out;
}

PackedBatch slice_rows(const PackedBatch& batch, int64_t start, int64_t count) {
  TORCH_CHECK(start >= 0 && count > 0 && start + count <= batch.ids.size(0), "slice_rows: rows [", start, ", ",
              start + count, ") outside a batch of ", batch.ids.size(0));
  PackedBatch out = batch;
  out.ids = batch.ids.narrow(0, start, count);
  out.positions = batch.positions.narrow(0, start, count);
  out.document = batch.document.narrow(0, start, count);
  out.loss_mask = batch.loss_mask.narrow(0, start, count);
  return out;
}

}  // namespace clinrl::rl
