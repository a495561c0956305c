#include "clinrl/model/activation_checkpoint.h"

namespace clinrl::model {
namespace {

thread_local bool checkpointing_on = false;

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The block travels to backward in the context as a capsule (saved_data holds IValues).
struct BlockHolder : torch::CustomClassHolder {
  explicit BlockHolder(BlockFn f) : fn(std::move(f)) {}
  BlockFn fn;
};

struct Checkpoint : public torch::autograd::Function<Checkpoint> {
  // apply() runs forward with gradients off, so none of the block's activations is kept.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, at::TensorList parameters,
                               c10::intrusive_ptr<BlockHolder> block) {
    std::vector<torch::Tensor> saved = {x};
    saved.insert(saved.end(), parameters.begin(), parameters.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["block"] = c10::IValue::make_capsule(std::move(block));
    auto holder = c10::static_intrusive_pointer_cast<BlockHolder>(ctx->saved_data["block"].toCapsule());
    return holder->fn(x);
  }

  // Gradients for (x, each parameter, the block): the block gets none.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto block = c10::static_intrusive_pointer_cast<BlockHolder>(ctx->saved_data["block"].toCapsule());
    torch::AutoGradMode enable(true);
    auto input = saved[0].detach().requires_grad_(saved[0].requires_grad());
    auto out = block->fn(input);
    // torch::autograd::grad refuses tensors without requires_grad: ask only for the others.
    std::vector<torch::Tensor> wrt;
    std::vector<size_t> index;
    for (size_t i = 0; i < saved.size(); ++i)
      if ((i == 0 ? input : saved[i]).requires_grad()) {
        wrt.push_back(i == 0 ? input : saved[i]);
        index.push_back(i);
      }
    variable_list result(saved.size() + 1);
    if (wrt.empty()) return result;
    auto g = torch::autograd::grad({out}, wrt, {grads[0]}, /*retain_graph=*/false, /*create_graph=*/false,
                                   /*allow_unused=*/true);
    for (size_t k = 0; k < index.size(); ++k) result[index[k]] = g[k];
    return result;
  }
};

}  // namespace

torch::Tensor checkpointed(const BlockFn& block, const torch::Tensor& x, const std::vector<torch::Tensor>& parameters) {
  TORCH_CHECK(block, "checkpointed: no block");
  return Checkpoint::apply(x, at::TensorList(parameters), c10::make_intrusive<BlockHolder>(block));
}

bool activation_checkpointing_enabled() { return checkpointing_on; }

ActivationCheckpointingGuard::ActivationCheckpointingGuard(bool on) : before_(checkpointing_on) { checkpointing_on = on; }
ActivationCheckpointingGuard::~ActivationCheckpointingGuard() { checkpointing_on = before_; }

}  // namespace clinrl::model
