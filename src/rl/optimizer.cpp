#include "clinrl/rl/optimizer.h"

#include <cmath>

#include "clinrl/core/strings.h"
#include "clinrl/rl/lr_schedule.h"
#include "clinrl/rl/master_weight_adamw.h"

namespace clinrl::rl {

NonFiniteError::NonFiniteError(int64_t step, const std::string& what)
    : std::runtime_error(core::format("step {}: non-finite {}; the run stops here and no checkpoint is written for "
                                      "this step (lower the learning rate or check the inputs)",
                                      step, what)),
      step_(step) {}

std::unique_ptr<torch::optim::Optimizer> make_adamw(const std::vector<torch::Tensor>& decayed,
                                                const std::vector<torch::Tensor>& not_decayed,
                                                const OptimizerOptions& o) {
  auto group_options = [&](double weight_decay) {
    auto opts = std::make_unique<torch::optim::AdamWOptions>(learning_rate_at(o, 0));
    opts->betas({o.beta1, o.beta2}).eps(o.adam_eps).weight_decay(weight_decay);
    return opts;
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decayed.empty()) groups.emplace_back(decayed, group_options(o.weight_decay));
  if (!not_decayed.empty()) groups.emplace_back(not_decayed, group_options(0.0));
  TORCH_CHECK(!groups.empty(), "make_adamw: no parameters");
  torch::optim::AdamWOptions defaults(learning_rate_at(o, 0));
  defaults.betas({o.beta1, o.beta2}).eps(o.adam_eps).weight_decay(o.weight_decay);
  bool all_fp32 = true;
  for (const auto* list : {&decayed, &not_decayed})
    for (const auto& p : *list) all_fp32 = all_fp32 && p.scalar_type() == torch::kFloat32;
  if (all_fp32) return std::make_unique<torch::optim::AdamW>(std::move(groups), defaults);
  return std::make_unique<MasterWeightAdamW>(std::move(groups), defaults);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm, int64_t step) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : parameters)
    if (p.grad().defined()) norms.push_back(p.grad().detach().to(torch::kDouble).norm(2));
  if (norms.empty()) return 0.0;
  const double norm = torch::stack(norms).norm(2).item<double>();
  if (!std::isfinite(norm)) throw NonFiniteError(step, core::format("gradient (global norm {})", norm));
  if (max_norm > 0 && norm > max_norm) {
    torch::NoGradGuard no_grad;
    const double factor = max_norm / (norm + 1e-6);
    for (const auto& p : parameters)
      if (p.grad().defined()) p.grad().mul_(factor);
  }
  return norm;
}

void check_finite_loss(const torch::Tensor& loss, int64_t step) {
  const double value = loss.detach().to(torch::kDouble).item<double>();
  if (!std::isfinite(value)) throw NonFiniteError(step, core::format("loss ({})", value));
}

}  // namespace clinrl::rl
