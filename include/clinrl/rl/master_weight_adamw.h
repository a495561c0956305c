#pragma once
// AdamW for low-precision (bf16/fp16) parameters without lost updates, as
// mixed-precision trainers do it: the optimizer keeps an fp32 master copy of
// every low-precision parameter with fp32 moments. A step casts the gradients
// to fp32, lets AdamW step the masters and copies them back, rounded, into the
// parameters. An update below the parameter dtype's resolution (lr 1e-6 on
// weights near 1 in bf16) so still accumulates in the master until it shows.
// fp32 parameters are their own masters (stepped in place as plain AdamW).
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

namespace clinrl::rl {

class MasterWeightAdamW : public torch::optim::Optimizer {
 public:
  // `groups` hold the model's parameters (any floating dtype) with AdamWOptions.
  MasterWeightAdamW(std::vector<torch::optim::OptimizerParamGroup> groups, torch::optim::AdamWOptions defaults);

  // Uses each parameter's .grad (its dtype); the learning rate is read from
  // this optimizer's param_groups() (set_learning_rate works as for AdamW).
  torch::Tensor step(LossClosure closure = nullptr) override;

  // The archive holds the inner AdamW state (over the masters) and the fp32
  // masters under "fp32_masters", so a resumed run continues bit for bit.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // The fp32 tensor AdamW steps for each parameter, in param_groups() order
  // (the parameter itself when it is fp32).
  const std::vector<torch::Tensor>& masters() const { return masters_; }

 private:
  struct Slot {
    torch::Tensor param, master;
    bool copy = false;     // master is a separate fp32 copy of a low-precision param
    int64_t version = 0;   // param._version() when master and param last agreed
  };
  // A parameter written by someone else since (weights loaded after the
  // optimizer was built) restarts its master from the new values.
  void resync_changed_params();
  void copy_back(Slot& slot);

  std::vector<Slot> slots_;
  std::vector<torch::Tensor> masters_;
  std::unique_ptr<torch::optim::AdamW> inner_;
};

}  // namespace clinrl::rl
