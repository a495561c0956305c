#pragma once
// Activation checkpointing for training (libtorch C++ has no
// torch.utils.checkpoint): a block's forward runs without keeping its
// intermediate activations; backward runs the block again with gradients on
// and back-propagates through that recomputation. A decoder layer then keeps
// only its input [B, T, hidden] between forward and backward, for one extra
// forward of compute.
#include <functional>
#include <vector>

#include <torch/torch.h>

namespace clinrl::model {

using BlockFn = std::function<torch::Tensor(const torch::Tensor& x)>;

// block(x) with recomputation in backward. `parameters` are the tensors the
// block reads that need gradients (its own weights): autograd receives their
// gradients from the recomputation. The block must be deterministic (the
// model has no dropout) and write no state (no KV cache), since it runs twice.
torch::Tensor checkpointed(const BlockFn& block, const torch::Tensor& x, const std::vector<torch::Tensor>& parameters);

// Whether Transformer::run recomputes its decoder layers in backward on this
// thread: a mode like torch's GradMode, on only inside a guard (the SFT and
// GRPO training phases with activation_checkpointing set) and only for calls
// with gradients and no KV cache.
bool activation_checkpointing_enabled();

class ActivationCheckpointingGuard {
 public:
  explicit ActivationCheckpointingGuard(bool on);
  ~ActivationCheckpointingGuard();
  ActivationCheckpointingGuard(const ActivationCheckpointingGuard&) = delete;
  ActivationCheckpointingGuard& operator=(const ActivationCheckpointingGuard&) = delete;

 private:
  bool before_;
};

}  // namespace clinrl::model
