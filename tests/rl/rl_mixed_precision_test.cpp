#include <catch2/catch.hpp>

#include "clinrl/model/transformer.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/grpo_update.h"
#include "clinrl/rl/master_weight_adamw.h"
#include "clinrl/rl/optimizer.h"
#include "clinrl/rl/sequence_packing.h"
#include "clinrl/rl/sft.h"
#include "support/test_support.h"

using namespace clinrl;

namespace {

// AdamW options of these tests: no weight decay, so a constant gradient moves
// a weight by lr / (1 + eps) per step.
rl::OptimizerOptions small_lr() {
  rl::OptimizerOptions o;
  o.lr = 1e-6;
  o.weight_decay = 0.0;
  return o;
}

torch::Tensor bf16_ones() { return torch::ones({4}, torch::kBFloat16).requires_grad_(true); }

void step_with_grad(torch::optim::Optimizer& opt, const torch::Tensor& p, double grad) {
  opt.zero_grad();
  p.mutable_grad() = torch::full(p.sizes(), grad, p.options().requires_grad(false));
  opt.step();
}

model::TransformerOptions tiny_options() {
  model::TransformerOptions o;
  o.vocab_size = 48;
  o.hidden_size = 16;
  o.intermediate_size = 32;
  o.num_hidden_layers = 2;
  o.num_attention_heads = 4;
  o.num_key_value_heads = 2;
  o.max_position_embeddings = 128;
  return o;
}

}  // namespace

TEST_CASE("mixed precision: an update below bf16's resolution accumulates in the fp32 master", "[rl]") {
  auto o = small_lr();
  auto p = bf16_ones();
  auto opt = rl::make_adamw({}, {p}, o);
  auto* masters = dynamic_cast<rl::MasterWeightAdamW*>(opt.get());
  REQUIRE(masters != nullptr);
  rl::set_learning_rate(*opt, 1e-6);
  // The same AdamW over fp32 weights with the same (exact) gradients: the master must follow it bit for bit.
  auto ref = torch::ones({4}, torch::requires_grad());
  torch::optim::AdamW ref_opt({ref}, torch::optim::AdamWOptions(1e-6).weight_decay(0.0).betas({0.9, 0.999}).eps(1e-8));
  // Plain in-place bf16 AdamW loses every update: 1 + 1e-6 rounds back to 1.
  auto plain = bf16_ones();
  torch::optim::AdamW plain_opt({plain}, torch::optim::AdamWOptions(1e-6).weight_decay(0.0));

  for (int s = 0; s < 3000; ++s) {
    step_with_grad(*opt, p, -1.0);
    step_with_grad(ref_opt, ref, -1.0);
    step_with_grad(plain_opt, plain, -1.0);
  }
  const auto& master = masters->masters()[0];
  CHECK(master.scalar_type() == torch::kFloat32);
  CHECK(torch::equal(master, ref.detach()));
  // Each 1e-6 step lands on fp32's grid near 1 as 8 ulps (2^-20): 3000 steps give 1 + 3000 * 2^-20 exactly.
  CHECK(master[0].item<double>() == 1.0 + 3000.0 / 1048576.0);
  // Still below 1 + 2^-8 (half a bf16 step above 1): the bf16 weight shows 1.
  CHECK(torch::equal(p.detach(), torch::ones({4}, torch::kBFloat16)));

  for (int s = 0; s < 2000; ++s) {
    step_with_grad(*opt, p, -1.0);
    step_with_grad(ref_opt, ref, -1.0);
    step_with_grad(plain_opt, plain, -1.0);
  }
  CHECK(torch::equal(master, ref.detach()));
  CHECK(master[0].item<double>() == 1.0 + 5000.0 / 1048576.0);  // 1.00477, past 1 + 2^-8
  // Past the midpoint: the bf16 weight is the next bf16 value, 1 + 2^-7, and equals the rounded master.
  CHECK(torch::equal(p.detach(), torch::full({4}, 1.0078125, torch::kBFloat16)));
  CHECK(torch::equal(p.detach(), master.to(torch::kBFloat16)));
  CHECK(torch::equal(plain.detach(), torch::ones({4}, torch::kBFloat16)));
}

TEST_CASE("mixed precision: fp32 parameters get plain AdamW", "[rl]") {
  auto w = torch::ones({2, 2}, torch::requires_grad());
  auto opt = rl::make_adamw({w}, {}, small_lr());
  CHECK(dynamic_cast<torch::optim::AdamW*>(opt.get()) != nullptr);
}

TEST_CASE("mixed precision: masters survive a checkpoint; a resumed run continues bit for bit", "[rl]") {
  test::TempDir run;
  rl::CheckpointDir dir(run.path(), 1);
  auto o = small_lr();
  o.weight_decay = 0.01;
  auto grad_at = [](int s) { return 0.5 + 0.25 * std::sin(static_cast<double>(s)); };
  auto train = [&](torch::optim::Optimizer& opt, const torch::Tensor& w, int from, int to) {
    for (int s = from; s < to; ++s) step_with_grad(opt, w, grad_at(s));
  };
  auto make = [&] {
    auto w = torch::linspace(0.5, 2.0, 6).to(torch::kBFloat16).requires_grad_(true);
    return std::make_pair(w, rl::make_adamw({w}, {}, o));
  };
  auto [w, opt] = make();
  train(*opt, w, 0, 5);
  rl::CheckpointContents contents;
  contents.optimizer = opt.get();
  dir.save(5, contents);
  auto saved_weights = w.detach().clone();
  train(*opt, w, 5, 10);

  auto [w2, opt2] = make();
  {
    torch::NoGradGuard no_grad;
    w2.copy_(saved_weights);  // the checkpoint's (rounded) weights
  }
  rl::load_optimizer(dir.path_for(5), *opt2);
  const auto& m = dynamic_cast<rl::MasterWeightAdamW&>(*opt2).masters()[0];
  // The masters hold what bf16 cannot: they are not the rounded weights.
  CHECK_FALSE(torch::equal(m, saved_weights.to(torch::kFloat32)));
  train(*opt2, w2, 5, 10);
  CHECK(torch::equal(m, dynamic_cast<rl::MasterWeightAdamW&>(*opt).masters()[0]));
  CHECK(torch::equal(w2.detach(), w.detach()));
}

TEST_CASE("mixed precision: weights written after the optimizer was built restart their masters", "[rl]") {
  auto p = bf16_ones();
  auto opt = rl::make_adamw({}, {p}, small_lr());
  {
    torch::NoGradGuard no_grad;
    p.fill_(2.0);  // e.g. checkpoint weights loaded into the policy
  }
  step_with_grad(*opt, p, 0.0);  // a zero gradient: AdamW moves nothing
  CHECK(torch::equal(p.detach(), torch::full({4}, 2.0, torch::kBFloat16)));
}

TEST_CASE("mixed precision: the KL reference keeps the policy's dtype and device and is frozen", "[rl]") {
  model::Transformer policy(tiny_options());
  policy->initialize(5);
  policy->to(torch::kBFloat16);
  auto reference = rl::frozen_copy(policy);
  CHECK(reference->dtype() == torch::kBFloat16);
  CHECK(reference->device() == policy->device());
  CHECK_FALSE(reference->is_training());
  auto mine = reference->named_parameters();
  for (const auto& item : policy->named_parameters()) {
    CHECK_FALSE(mine[item.key()].requires_grad());
    CHECK(torch::equal(mine[item.key()], item.value()));
  }
}

TEST_CASE("mixed precision: the SFT loss of a bf16 model is fp32; batches follow the model's device", "[rl]") {
  model::Transformer policy(tiny_options());
  policy->initialize(6);
  policy->to(torch::kBFloat16);
  std::vector<rl::TokenizedDialogue> dialogues = {{{1, 2, 3, 4, 5, 6}, {0, 0, 1, 1, 1, 1}},
                                                  {{7, 8, 9, 10}, {0, 1, 1, 1}}};
  auto batches = rl::pack_dialogues(dialogues, 16, 2);
  REQUIRE(batches.size() == 1);
  auto loss = rl::packed_nll(policy, batches[0]);
  CHECK(loss.scalar_type() == torch::kFloat32);
  CHECK(loss.device() == policy->parameters()[0].device());
  CHECK(std::isfinite(loss.item<double>()));

  // Every tensor of a moved batch, its mask and the update inputs land on the
  // given device (the meta device stands in for a GPU here).
  const torch::Device meta(torch::kMeta);
  auto moved = rl::to_device(batches[0], meta);
  for (const auto* t : {&moved.ids, &moved.positions, &moved.document, &moved.loss_mask}) CHECK(t->device() == meta);
  CHECK(rl::document_causal_mask(moved.document).device() == meta);
  rl::EpisodeTokens e;
  e.ids = {1, 2, 3};
  e.policy_mask = {0, 1, 1};
  e.old_logp = {0.0f, -1.0f, -2.0f};
  auto collated = rl::collate_episodes({&e}, meta);
  for (const auto* t : {&collated.ids, &collated.attention, &collated.loss_mask, &collated.old_logp, &collated.truncated})
    CHECK(t->device() == meta);
}
