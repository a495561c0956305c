#pragma once
// Keys and values of every layer for a set of sequence slots. Each slot holds
// its tokens contiguously from position 0, so slots of different lengths need
// no padding inside the cache: a forward call writes its new tokens at each
// row's own offset and the attention mask stops every query at its row's end.
#include <torch/torch.h>

#include <vector>

#include "clinrl/model/transformer_options.h"

namespace clinrl::model {

class KVCache {
 public:
  KVCache() = default;
  KVCache(const TransformerOptions& options, int64_t slots, int64_t capacity, torch::Dtype dtype,
          torch::Device device);

  int64_t slots() const { return slots_; }
  int64_t capacity() const { return capacity_; }
  int64_t layers() const { return static_cast<int64_t>(k_.size()); }
  // Grows (by doubling, copying what is stored) to hold at least this many slots / positions.
  void reserve(int64_t slots, int64_t capacity);
  size_t bytes() const;

  // Layer l's tensors: [slots, kv_heads, capacity, head_dim].
  torch::Tensor& keys(size_t layer) { return k_[layer]; }
  torch::Tensor& values(size_t layer) { return v_[layer]; }

 private:
  int64_t slots_ = 0, capacity_ = 0;
  std::vector<torch::Tensor> k_, v_;
};

// What one forward call writes to and reads from a cache.
struct CacheView {
  KVCache* cache = nullptr;
  torch::Tensor rows;        // [B] int64: the slot of each batch row
  torch::Tensor offsets;     // [B] int64: tokens already cached per row (new tokens go after them)
  int64_t key_length = 0;    // keys each layer reads: max over rows of offset + new tokens
  bool rows_are_prefix = false;  // rows == 0..B-1: read by slicing instead of gathering
  // Where the new keys go, computed once per forward for all layers:
  // cache[write_rows, write_heads, write_times] = keys [B, Hkv, T, D].
  torch::Tensor write_rows;   // [B, 1, 1]
  torch::Tensor write_heads;  // [1, Hkv, 1]
  torch::Tensor write_times;  // [B, 1, T]
};

}  // namespace clinrl::model
