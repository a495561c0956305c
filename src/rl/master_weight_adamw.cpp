#include "clinrl/rl/master_weight_adamw.h"

#include <string>

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"

namespace clinrl::rl {
namespace {

constexpr const char* kMastersKey = "fp32_masters";

}  // namespace

MasterWeightAdamW::MasterWeightAdamW(std::vector<torch::optim::OptimizerParamGroup> groups,
                                     torch::optim::AdamWOptions defaults)
    : torch::optim::Optimizer(std::move(groups), std::make_unique<torch::optim::AdamWOptions>(defaults)) {
  torch::NoGradGuard no_grad;
  std::vector<torch::optim::OptimizerParamGroup> inner_groups;
  for (auto& group : param_groups()) {
    std::vector<torch::Tensor> group_masters;
    for (auto& p : group.params()) {
      TORCH_CHECK(p.is_floating_point(), "MasterWeightAdamW: parameters must be floating point, got ",
                  p.scalar_type());
      Slot slot;
      slot.param = p;
      slot.copy = p.scalar_type() != torch::kFloat32;
      slot.master = slot.copy ? p.detach().to(torch::kFloat32).clone().requires_grad_(true) : p;
      slot.version = p._version();
      group_masters.push_back(slot.master);
      masters_.push_back(slot.master);
      slots_.push_back(std::move(slot));
    }
    inner_groups.emplace_back(group_masters, group.options().clone());
  }
  inner_ = std::make_unique<torch::optim::AdamW>(std::move(inner_groups), defaults);
}

void MasterWeightAdamW::resync_changed_params() {
  torch::NoGradGuard no_grad;
  for (auto& s : slots_)
    if (s.copy && s.param._version() != s.version) {
      s.master.copy_(s.param);
      s.version = s.param._version();
    }
}

void MasterWeightAdamW::copy_back(Slot& s) {
  torch::NoGradGuard no_grad;
  s.param.copy_(s.master);  // round to nearest in the parameter's dtype
  s.version = s.param._version();
}

torch::Tensor MasterWeightAdamW::step(LossClosure closure) {
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode grad(true);
    loss = closure();
  }
  resync_changed_params();
  for (auto& s : slots_)
    if (s.copy) s.master.mutable_grad() = s.param.grad().defined() ? s.param.grad().to(torch::kFloat32) : torch::Tensor();
  auto& outer = param_groups();
  auto& inner = inner_->param_groups();
  for (size_t g = 0; g < outer.size(); ++g) inner[g].options().set_lr(outer[g].options().get_lr());
  inner_->step();
  for (auto& s : slots_)
    if (s.copy) {
      s.master.mutable_grad() = torch::Tensor();  // the fp32 copy of the gradient is not kept between steps
      copy_back(s);
    }
  return loss;
}

void MasterWeightAdamW::save(torch::serialize::OutputArchive& archive) const {
  inner_->save(archive);
  torch::serialize::OutputArchive masters;
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].copy) masters.write(std::to_string(i), slots_[i].master);
  archive.write(kMastersKey, masters);
}

void MasterWeightAdamW::load(torch::serialize::InputArchive& archive) {
  inner_->load(archive);
  torch::serialize::InputArchive masters;
  if (!archive.try_read(kMastersKey, masters)) {
    // An fp32 run's optimizer resumed in low precision: its parameters were the masters.
    log::warn("optimizer state has no fp32 master weights; they restart from the (rounded) parameters");
    resync_changed_params();
    return;
  }
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (!s.copy) continue;
    torch::Tensor saved;
    if (!masters.try_read(std::to_string(i), saved))
      throw UserError(core::format("optimizer state: no fp32 master weight for parameter {}", i));
    if (saved.sizes() != s.master.sizes())
      throw UserError(core::format("optimizer state: fp32 master weight {} has shape {}, the parameter {}", i,
                                   saved.sizes(), s.master.sizes()));
    s.master.copy_(saved);
    copy_back(s);
  }
}

}  // namespace clinrl::rl
