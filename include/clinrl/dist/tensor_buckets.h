#pragma once
// Collectives over many tensors (a model's gradients or parameters) in a few
// flat buckets, not one collective per tensor: small tensors would otherwise
// pay a round-trip each.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "clinrl/dist/process_group.h"

namespace clinrl::dist {

// Sums the parameters' gradients over ranks in buckets of about
// `bucket_bytes`. A parameter without a gradient on this rank (it saw no
// data) contributes zeros and receives the sum. The caller scales each
// rank's loss by the global normaliser, so the sum is the one-process gradient.
void all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& params, int64_t bucket_bytes);

// Every rank takes root's values of `tensors` (parameters, buffers), in buckets.
void broadcast_tensors(ProcessGroup& group, const std::vector<torch::Tensor>& tensors, int root,
                       int64_t bucket_bytes);

}  // namespace clinrl::dist
