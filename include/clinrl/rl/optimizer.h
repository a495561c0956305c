#pragma once
// AdamW set-up, schedule application, gradient clipping and the non-finite
// guard of a training step.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "clinrl/rl/optimizer_options.h"

namespace clinrl::rl {

// A NaN or infinite loss or gradient: the run must stop without a checkpoint.
class NonFiniteError : public std::runtime_error {
 public:
  NonFiniteError(int64_t step, const std::string& what);
  int64_t step() const { return step_; }

 private:
  int64_t step_;
};

// AdamW over two parameter groups: `decayed` (matrices) get weight_decay,
// `not_decayed` (biases, norm gains, embeddings by choice of the caller) get 0.
// Either list may be empty. The learning rate starts at learning_rate_at(options, 0).
// All-fp32 parameters get torch::optim::AdamW; when any is bf16/fp16 it is a
// MasterWeightAdamW (fp32 master weights and moments, master_weight_adamw.h).
std::unique_ptr<torch::optim::Optimizer> make_adamw(const std::vector<torch::Tensor>& decayed,
                                                const std::vector<torch::Tensor>& not_decayed,
                                                const OptimizerOptions& options);

// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

// Global L2 norm of the gradients (before clipping). When max_norm > 0 and the
// norm exceeds it, the gradients are scaled by max_norm / (norm + 1e-6) (as in
// torch.nn.utils.clip_grad_norm_). A non-finite norm throws NonFiniteError
// before anything is changed. Parameters without a gradient are skipped.
double clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm, int64_t step);

// Throws NonFiniteError naming the step when the scalar `loss` is NaN or infinite.
void check_finite_loss(const torch::Tensor& loss, int64_t step);

}  // namespace clinrl::rl
