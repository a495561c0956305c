#include <catch2/catch.hpp>

#include <cmath>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/transformer.h"
#include "model/model_fixtures.h"
#include "support/test_support.h"

using namespace clinrl;

namespace {

// head_dim 8, theta 1e4: unscaled inv_freq = 1e4^(-2i/8) = [1, 0.1, 0.01, 0.001].
model::TransformerOptions rope_options(const std::string& type, int64_t head_dim = 8) {
  auto o = test::tiny_options();
  o.head_dim = head_dim;
  o.rope_theta = 10000.0;
  o.rope_scaling.type = type;
  return o;
}

void check_values(const torch::Tensor& got, const std::vector<double>& expect) {
  REQUIRE(got.numel() == static_cast<int64_t>(expect.size()));
  CHECK(got.scalar_type() == torch::kFloat32);
  for (size_t i = 0; i < expect.size(); ++i) {
    INFO("index " << i);
    CHECK(got[static_cast<int64_t>(i)].item<double>() == Approx(expect[i]).epsilon(2e-6));
  }
}

core::Json config_with(const std::string& rope_scaling_json) {
  return core::parse_json(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 100,
    "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
    "max_position_embeddings": 131072, "rope_theta": 500000.0, "rope_scaling": )" + rope_scaling_json + "}",
                          "cfg");
}

}  // namespace

TEST_CASE("rope_scaling: none and linear inverse frequencies", "[model]") {
  check_values(model::rope_inv_freq(rope_options("")), {1, 0.1, 0.01, 0.001});
  auto o = rope_options("linear");
  o.rope_scaling.factor = 4;  // every frequency divided by 4
  check_values(model::rope_inv_freq(o), {0.25, 0.025, 0.0025, 0.00025});
  CHECK(model::rope_attention_factor(o) == 1.0);
}

TEST_CASE("rope_scaling: llama3 keeps short wavelengths, divides long ones, blends the middle", "[model]") {
  auto o = rope_options("llama3");
  o.rope_scaling.factor = 8;
  o.rope_scaling.low_freq_factor = 1;
  o.rope_scaling.high_freq_factor = 4;
  o.rope_scaling.original_max_position_embeddings = 1024;
  // wavelen = 2 pi / inv_freq = [6.283, 62.83, 628.3, 6283]; kept below
  // 1024/4 = 256, divided by 8 above 1024/1 = 1024. i = 2 is in between:
  // smooth = (1024/628.3185 - 1) / (4 - 1) = 0.2099155, value =
  // (1 - smooth) * 0.01/8 + smooth * 0.01 = 0.003086761. i = 3: 0.001/8.
  check_values(model::rope_inv_freq(o), {1, 0.1, 0.003086761, 0.000125});
  CHECK(model::rope_attention_factor(o) == 1.0);
}

TEST_CASE("rope_scaling: yarn blends interpolation over its correction range and scales cos/sin", "[model]") {
  auto o = rope_options("yarn", 16);
  o.max_position_embeddings = 32768;
  o.rope_scaling.factor = 4;
  o.rope_scaling.original_max_position_embeddings = 4096;
  // dim 16: extrapolation 1e4^(-i/8). Correction dims d(r) = 16 ln(4096/(2 pi r)) / (2 ln 1e4):
  // d(32) = 2.618 -> floor 2, d(1) = 5.628 -> ceil 6; ramp (i-2)/4 clamped = [0,0,0,.25,.5,.75,1,1];
  // inv = extrapolation * (e + (1-e)/4) with e = 1 - ramp: multipliers
  // [1, 1, 1, 0.8125, 0.625, 0.4375, 0.25, 0.25].
  std::vector<double> mult = {1, 1, 1, 0.8125, 0.625, 0.4375, 0.25, 0.25}, expect;
  for (int i = 0; i < 8; ++i) expect.push_back(std::pow(1e4, -i / 8.0) * mult[i]);
  check_values(model::rope_inv_freq(o), expect);
  // Without original_max_position_embeddings the range comes from max_position_embeddings.
  auto same = o;
  same.max_position_embeddings = 4096;
  same.rope_scaling.original_max_position_embeddings = 0;
  check_values(model::rope_inv_freq(same), expect);

  // Attention factor 0.1 ln(4) + 1 = 1.1386294: at position 0, cos = factor and sin = 0.
  CHECK(model::rope_attention_factor(o) == Approx(1.1386294361).epsilon(1e-9));
  auto tables = model::rotary_tables(torch::zeros({1, 1}, torch::kInt64), model::rope_inv_freq(o),
                                     model::rope_attention_factor(o), torch::kFloat32);
  CHECK(tables.cos[0][0][0][5].item<double>() == Approx(1.1386294).epsilon(1e-6));
  CHECK(tables.sin[0][0][0][5].item<double>() == 0.0);
  o.rope_scaling.attention_factor = 1.5;
  CHECK(model::rope_attention_factor(o) == 1.5);
  o.rope_scaling.attention_factor.reset();
  o.rope_scaling.mscale = 0.5;  // DeepSeek-style ratio: (0.05 ln 4 + 1) / (0.1 ln 4 + 1)
  o.rope_scaling.mscale_all_dim = 1;
  CHECK(model::rope_attention_factor(o) == Approx((0.05 * std::log(4.0) + 1) / (0.1 * std::log(4.0) + 1)));
}

TEST_CASE("rope_scaling: dynamic NTK raises the base only past max_position_embeddings", "[model]") {
  auto o = rope_options("dynamic");
  o.max_position_embeddings = 16;
  o.rope_scaling.factor = 2;
  // Positions up to 31: seq_len 32 > 16, base = 1e4 * (2*32/16 - 1)^(8/6) = 1e4 * 3^(4/3);
  // inv_freq = base^(-i/4) = [1, 1/(10 * 3^(1/3)), 1/(100 * 3^(2/3)), 1/3000].
  auto long_positions = torch::arange(32, torch::kInt64).view({1, 32});
  check_values(model::rope_inv_freq(o, torch::kCPU, long_positions),
               {1, 1 / (10 * std::cbrt(3.0)), 1 / (100 * std::cbrt(9.0)), 1.0 / 3000});
  // seq_len 16 is not past the limit: unscaled.
  check_values(model::rope_inv_freq(o, torch::kCPU, torch::arange(16, torch::kInt64).view({1, 16})),
               {1, 0.1, 0.01, 0.001});
  check_values(model::rope_inv_freq(o), {1, 0.1, 0.01, 0.001});

  // The model applies it: a long batch's logits differ from the unscaled model's, a short one's do not.
  auto plain_options = test::tiny_options();
  plain_options.max_position_embeddings = 16;
  model::Transformer plain(plain_options);
  auto scaled_options = plain_options;
  scaled_options.rope_scaling = o.rope_scaling;
  model::Transformer scaled(scaled_options);
  torch::NoGradGuard no_grad;
  auto ids = (torch::arange(32, torch::kInt64) * 7 % 61).view({1, 32});
  CHECK(torch::equal(plain->forward(ids.narrow(1, 0, 16)).logits, scaled->forward(ids.narrow(1, 0, 16)).logits));
  CHECK_FALSE(torch::allclose(plain->forward(ids).logits, scaled->forward(ids).logits));
}

TEST_CASE("rope_scaling: read from config.json with rope_type or legacy type, written back on save", "[model]") {
  auto o = model::options_from_hf_config(config_with(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
      "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})"), "cfg");
  CHECK(o.rope_scaling.type == "llama3");
  CHECK(o.rope_scaling.factor == 8.0);
  CHECK(o.rope_scaling.original_max_position_embeddings == 8192);
  auto legacy = model::options_from_hf_config(config_with(R"({"type": "yarn", "factor": 4,
      "original_max_position_embeddings": 32768})"), "cfg");
  CHECK(legacy.rope_scaling.type == "yarn");
  CHECK(legacy.rope_scaling.beta_fast == 32.0);
  CHECK(legacy.rope_scaling.beta_slow == 1.0);
  CHECK_FALSE(legacy.rope_scaling.attention_factor.has_value());
  auto none = model::options_from_hf_config(config_with(R"({"rope_type": "default"})"), "cfg");
  CHECK_FALSE(none.rope_scaling.enabled());
  auto linear = model::options_from_hf_config(config_with(R"({"type": "linear", "factor": 2.0})"), "cfg");
  CHECK(model::to_hf_config(linear)["rope_scaling"] == core::parse_json(R"({"type": "linear", "factor": 2.0})", "x"));

  // Saved and loaded back: the same scaling, the same logits.
  test::TempDir dir;
  auto small = test::tiny_options();
  small.rope_scaling = o.rope_scaling;
  small.max_position_embeddings = 16384;
  model::Transformer m(small);
  m->initialize(3);
  model::save_checkpoint(m, dir / "ckpt");
  auto written = core::read_json_file(dir / "ckpt" / "config.json")["rope_scaling"];
  CHECK(written.size() == 5);
  CHECK(written["rope_type"] == "llama3");
  CHECK(written["factor"] == 8.0);
  CHECK(written["low_freq_factor"] == 1.0);
  CHECK(written["high_freq_factor"] == 4.0);
  CHECK(written["original_max_position_embeddings"] == 8192);
  auto back = model::load_checkpoint(dir / "ckpt");
  CHECK(back->options().rope_scaling.type == "llama3");
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor({{3, 1, 4, 1, 5, 9, 2, 6}}, torch::kInt64);
  CHECK(torch::equal(m->forward(ids).logits, back->forward(ids).logits));
}

TEST_CASE("rope_scaling: bad configs name the type, the key and the file", "[model]") {
  auto fails = [](const std::string& rope, const std::string& message) {
    INFO(rope);
    CHECK_THROWS_WITH(model::options_from_hf_config(config_with(rope), "dir/config.json"),
                      Catch::Contains("dir/config.json") && Catch::Contains(message));
  };
  fails(R"({"rope_type": "longrope", "factor": 2.0})", "rope_scaling type 'longrope' is not supported");
  fails(R"({"factor": 2.0})", "needs 'rope_type' (or the legacy 'type')");
  fails(R"({"rope_type": "linear", "type": "dynamic", "factor": 2.0})", "must agree");
  fails(R"({"rope_type": "linear"})", "missing required key 'factor'");
  fails(R"({"rope_type": "linear", "factor": "2"})", "key 'factor' must be a number");
  fails(R"({"rope_type": "linear", "factor": 0.5})", "rope_scaling.factor must be a finite number >= 1");
  fails(R"({"rope_type": "linear", "factor": 2.0, "low_freq_factor": 1.0})", "key 'low_freq_factor' is not used");
  fails(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0})",
        "missing required key 'original_max_position_embeddings'");
  fails(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0,
      "original_max_position_embeddings": 8192})", "high_freq_factor (4) must be greater than low_freq_factor (4)");
  fails(R"({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
      "original_max_position_embeddings": 8192.5})", "key 'original_max_position_embeddings' must be an integer");
  fails(R"({"rope_type": "yarn", "factor": 4.0, "beta_fast": 0.5})", "beta_fast (0.5) must be at least beta_slow (1)");
  fails(R"({"rope_type": "yarn", "factor": 4.0, "attention_factor": -1})", "attention_factor must be positive");
  fails(R"("llama3")", "rope_scaling must be an object or null");
}
