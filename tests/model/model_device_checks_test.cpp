#include <catch2/catch.hpp>

#include "clinrl/model/kv_cache.h"
#include "clinrl/model/transformer.h"
#include "model/model_fixtures.h"

using namespace clinrl;

// Tensors on the wrong device or of the wrong dtype are refused at the module
// boundary with a message naming the argument, what it is and what the module
// holds. The `meta` device stands in for "not the model's device" on a CPU-only
// machine: it has shapes and dtypes but no data, so nothing is computed.

TEST_CASE("device checks: ids on another device or of a float dtype are refused", "[model]") {
  auto m = test::tiny_model();
  torch::NoGradGuard no_grad;
  auto meta_ids = torch::zeros({1, 4}, torch::TensorOptions().dtype(torch::kInt64).device(torch::kMeta));
  CHECK_THROWS_WITH(m->forward(meta_ids),
                    Catch::Contains("Transformer: ids must be int64 on cpu (the module's device), got Long on meta"));
  CHECK_THROWS_WITH(m->forward(torch::zeros({1, 4})),
                    Catch::Contains("Transformer: ids must be int64 on cpu (the module's device), got Float on cpu"));
  auto ids = torch::tensor({{1, 2, 3, 4}}, torch::kInt64);
  auto meta_mask = torch::ones({1, 4}, torch::TensorOptions().dtype(torch::kInt64).device(torch::kMeta));
  CHECK_THROWS_WITH(m->forward(ids, meta_mask), Catch::Contains("attention_mask must be on cpu") &&
                                                    Catch::Contains("got Long on meta"));
}

TEST_CASE("device checks: run() checks positions, mask and cache against the model", "[model]") {
  auto m = test::tiny_model();
  torch::NoGradGuard no_grad;
  model::ForwardArgs args;
  args.ids = torch::tensor({{1, 2, 3}}, torch::kInt64);
  args.positions = torch::arange(3, torch::kInt64).view({1, 3});
  args.mask = torch::ones({1, 1, 3, 3}, torch::kBool).tril();
  CHECK(m->run(args).logits.sizes() == torch::IntArrayRef({1, 3, 61}));

  auto bad = args;
  bad.positions = torch::arange(3, torch::TensorOptions().dtype(torch::kInt64).device(torch::kMeta)).view({1, 3});
  CHECK_THROWS_WITH(m->run(bad), Catch::Contains("Transformer: positions must be int64 on cpu") &&
                                     Catch::Contains("got Long on meta"));
  bad = args;
  bad.positions = args.positions.to(torch::kInt32);
  CHECK_THROWS_WITH(m->run(bad), Catch::Contains("positions must be int64 on cpu (the module's device), got Int on cpu"));
  bad = args;
  bad.mask = args.mask.to(torch::kFloat32);
  CHECK_THROWS_WITH(m->run(bad), Catch::Contains("Transformer: mask must be bool on cpu") &&
                                     Catch::Contains("got Float on cpu"));
  bad = args;
  bad.mask = torch::ones({1, 1, 3, 2}, torch::kBool);
  CHECK_THROWS_WITH(m->run(bad), Catch::Contains("mask must be [1, 1, 3, 3]"));

  // A cache in another dtype than the model's.
  model::KVCache cache(m->options(), 1, 8, torch::kBFloat16, torch::kCPU);
  model::CacheView view;
  view.cache = &cache;
  view.rows = torch::zeros({1}, torch::kInt64);
  view.offsets = torch::zeros({1}, torch::kInt64);
  view.key_length = 3;
  bad = args;
  bad.cache = &view;
  CHECK_THROWS_WITH(m->run(bad), Catch::Contains("Transformer: cache keys is BFloat16 on cpu") &&
                                     Catch::Contains("parameters are Float on cpu"));
}

TEST_CASE("device checks: each module names its input and its parameters", "[model]") {
  auto m = test::tiny_model();
  torch::NoGradGuard no_grad;
  auto layer = m->model->layers[0]->as<model::DecoderLayerImpl>();
  auto meta_x = torch::zeros({1, 2, 32}, torch::TensorOptions().device(torch::kMeta));
  CHECK_THROWS_WITH(layer->mlp(meta_x),
                    Catch::Contains("Mlp: x is Float on meta but the module's parameters are Float on cpu"));
  CHECK_THROWS_WITH(layer->mlp(torch::zeros({1, 2, 32}, torch::kFloat64)),
                    Catch::Contains("Mlp: x is Double on cpu but the module's parameters are Float on cpu"));
  CHECK_THROWS_WITH(layer->input_layernorm(meta_x), Catch::Contains("RMSNorm: x is Float on meta"));
  CHECK_THROWS_WITH(m->model->embed_tokens(torch::zeros({1, 2}, torch::kFloat32)),
                    Catch::Contains("Embedding: ids must be int64 on cpu"));
  CHECK_THROWS_WITH(m->project(torch::zeros({1, 32}, torch::kBFloat16)),
                    Catch::Contains("Transformer::project: hidden is BFloat16 on cpu"));
  auto rope = model::rotary_tables(torch::zeros({1, 2}, torch::kInt64), 8, 10000.0);
  auto mask = torch::ones({1, 1, 4, 2}, torch::kBool);
  CHECK_THROWS_WITH(layer->self_attn->forward(meta_x, rope, mask, nullptr, 0),
                    Catch::Contains("Attention: x is Float on meta but the module's parameters are Float on cpu"));
  CHECK_THROWS_WITH(layer->self_attn->forward(torch::zeros({1, 2, 32}), rope, mask.to(torch::kInt64), nullptr, 0),
                    Catch::Contains("Attention: mask must be bool on cpu"));
}

TEST_CASE("device checks: a model built for a dtype has its parameters there from the start", "[model]") {
  model::Transformer m(test::tiny_options(), model::ParameterOptions{torch::kBFloat16, torch::kCPU, true});
  for (auto& p : m->parameters()) CHECK(p.scalar_type() == torch::kBFloat16);
  // Drawn as the float32 model is, then rounded: the same values as building in float32 and converting.
  model::Transformer f(test::tiny_options());
  f->to(torch::kBFloat16);
  for (auto& item : f->named_parameters()) CHECK(torch::equal(item.value(), m->named_parameters()[item.key()]));
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor({{1, 2, 3}}, torch::kInt64);
  CHECK(m->forward(ids).logits.scalar_type() == torch::kBFloat16);
}
