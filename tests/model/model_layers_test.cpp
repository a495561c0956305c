#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "clinrl/core/error.h"
#include "clinrl/model/transformer.h"
#include "model/model_fixtures.h"
#include "support/test_support.h"

using namespace clinrl;

TEST_CASE("model: RMSNorm matches hand-computed values", "[model]") {
  model::RMSNorm norm(4, 1e-6);
  {
    torch::NoGradGuard g;
    norm->weight.copy_(torch::tensor({1.0f, 2.0f, 0.5f, -1.0f}));
  }
  auto x = torch::tensor({{1.0f, 2.0f, 3.0f, 4.0f}});
  auto y = norm(x);
  // mean(x^2) = 30/4 = 7.5; rsqrt(7.5 + 1e-6) = 0.365148...
  double r = 1.0 / std::sqrt(7.5 + 1e-6);
  std::vector<double> expect = {1 * r, 2 * 2 * r, 0.5 * 3 * r, -1 * 4 * r};
  for (int i = 0; i < 4; ++i) CHECK(y[0][i].item<double>() == Approx(expect[i]).epsilon(1e-6));
}

TEST_CASE("model: rotary embedding matches hand-computed rotate-half values", "[model]") {
  // head_dim 4, theta 100: inv_freq = [1, 100^-0.5 = 0.1]; position 2 -> angles [2, 0.2].
  auto positions = torch::tensor({{0, 2}}, torch::kInt64);
  auto tables = model::rotary_tables(positions, 4, 100.0);
  auto x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 1, 4}).expand({1, 1, 2, 4}).contiguous();
  auto y = model::apply_rotary(x, tables);
  // position 0: unchanged
  for (int i = 0; i < 4; ++i) CHECK(y[0][0][0][i].item<double>() == Approx(x[0][0][0][i].item<double>()));
  // position 2: pairs (x1, x3) rotate by 2, (x2, x4) by 0.2:
  // out1 = x1 cos a - x3 sin a; out3 = x3 cos a + x1 sin a.
  double a = 2.0, b = 0.2;
  CHECK(y[0][0][1][0].item<double>() == Approx(1 * std::cos(a) - 3 * std::sin(a)).epsilon(1e-5));
  CHECK(y[0][0][1][1].item<double>() == Approx(2 * std::cos(b) - 4 * std::sin(b)).epsilon(1e-5));
  CHECK(y[0][0][1][2].item<double>() == Approx(3 * std::cos(a) + 1 * std::sin(a)).epsilon(1e-5));
  CHECK(y[0][0][1][3].item<double>() == Approx(4 * std::cos(b) + 2 * std::sin(b)).epsilon(1e-5));
}

TEST_CASE("model: parameter names are HuggingFace's", "[model]") {
  auto m = test::tiny_model();
  std::set<std::string> names;
  for (auto& p : m->named_parameters()) names.insert(p.key());
  for (const char* n : {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                        "model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias",
                        "model.layers.0.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight",
                        "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight",
                        "model.layers.1.mlp.down_proj.weight", "model.layers.1.input_layernorm.weight",
                        "model.layers.1.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight"})
    CHECK(names.count(n) == 1);
  CHECK(names.count("model.layers.0.self_attn.o_proj.bias") == 0);  // Qwen2: no o_proj bias
  auto tied = test::tiny_model(1, true);
  int64_t numel = 0;
  for (auto& p : tied->parameters()) numel += p.numel();
  CHECK(numel == model::parameter_count(tied->options()));
  numel = 0;
  for (auto& p : m->parameters()) numel += p.numel();
  CHECK(numel == model::parameter_count(m->options()));
}

TEST_CASE("model: attention is causal and padding-aware", "[model]") {
  auto m = test::tiny_model();
  torch::NoGradGuard g;
  auto ids = torch::tensor({{5, 9, 11, 3}}, torch::kInt64);
  auto full = m->forward(ids).logits;
  auto prefix = m->forward(ids.narrow(1, 0, 2)).logits;
  CHECK(torch::allclose(full.narrow(1, 0, 2), prefix, 1e-5, 1e-5));
  // Left padding: positions start at the first real token.
  auto padded = torch::tensor({{0, 0, 5, 9}}, torch::kInt64);
  auto mask = torch::tensor({{0, 0, 1, 1}}, torch::kInt64);
  auto out = m->forward(padded, mask).logits;
  CHECK(torch::allclose(out.narrow(1, 2, 2), prefix, 1e-5, 1e-5));
}

TEST_CASE("model: HF config parsing", "[model]") {
  core::Json cfg = core::parse_json(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
    "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 4, "rms_norm_eps": 1e-5, "tie_word_embeddings": false,
    "eos_token_id": [2, 3]})", "cfg");
  auto o = model::options_from_hf_config(cfg, "cfg");
  CHECK(o.arch == "llama");
  CHECK_FALSE(o.qkv_bias);
  CHECK(o.eos_token_ids == std::vector<int64_t>{2, 3});
  auto back = model::options_from_hf_config(model::to_hf_config(o), "round trip");
  CHECK(back.hidden_size == 64);
  CHECK(model::parameter_count(back) == model::parameter_count(o));
  cfg["num_key_value_heads"] = 3;
  CHECK_THROWS_WITH(model::options_from_hf_config(cfg, "cfg"), Catch::Contains("num_key_value_heads"));
  cfg.erase("hidden_size");
  CHECK_THROWS_WITH(model::options_from_hf_config(cfg, "cfg"), Catch::Contains("hidden_size"));
}

TEST_CASE("model: real Qwen2-1.5B config has 1,543,714,304 parameters", "[model]") {
  CLINRL_REQUIRE_SHARED(path, "model/qwen2/config.json");
  auto o = model::load_hf_config(path);
  CHECK(model::parameter_count(o) == 1543714304);
  auto r = test::run_clinrl("model info --model-config " + path.string());
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("1,543,714,304"));
}
