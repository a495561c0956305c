#include "clinrl/dist/tensor_buckets.h"

namespace clinrl::dist {
namespace {

// Runs `collective` on flat copies of `tensors`, grouped by dtype into
// buckets of about `bucket_bytes`, and copies the results back.
template <class Collective>
void in_buckets(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes, Collective collective) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  int64_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<torch::Tensor> flat_views;
    for (auto& t : bucket) flat_views.push_back(t.reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(flat_views)};
    collective(flat);
    int64_t offset = 0;
    for (auto& t : bucket) {
      t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
    bucket.clear();
    bytes = 0;
  };
  for (const auto& t : tensors) {
    if (!bucket.empty() && bucket.front().scalar_type() != t.scalar_type()) flush();
    bucket.push_back(t);
    bytes += t.numel() * static_cast<int64_t>(t.element_size());
    if (bytes >= bucket_bytes) flush();
  }
  flush();
}

}  // namespace

void all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& params, int64_t bucket_bytes) {
  if (group.world_size() == 1) return;
  std::vector<torch::Tensor> trained;
  for (const auto& p : params)
    if (p.requires_grad()) trained.push_back(p);
  // Which parameters have a gradient on some rank: the others must stay
  // without one, as in one process (the optimizer skips them).
  std::vector<torch::Tensor> present{torch::zeros({static_cast<int64_t>(trained.size())}, torch::kFloat32)};
  for (size_t i = 0; i < trained.size(); ++i)
    if (trained[i].grad().defined()) present[0][static_cast<int64_t>(i)] = 1.0f;
  group.all_reduce_sum(present);
  std::vector<torch::Tensor> grads;
  for (size_t i = 0; i < trained.size(); ++i) {
    auto& p = trained[i];
    if (present[0][static_cast<int64_t>(i)].item<float>() == 0) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  in_buckets(grads, bucket_bytes, [&](std::vector<torch::Tensor>& flat) { group.all_reduce_sum(flat); });
}

void broadcast_tensors(ProcessGroup& group, const std::vector<torch::Tensor>& tensors, int root,
                       int64_t bucket_bytes) {
  if (group.world_size() == 1) return;
  in_buckets(tensors, bucket_bytes, [&](std::vector<torch::Tensor>& flat) { group.broadcast(flat, root); });
}

}  // namespace clinrl::dist
