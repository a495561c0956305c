#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/process_memory.h"
#include "clinrl/model/checkpoint.h"
#include "model/model_fixtures.h"
#include "support/test_support.h"

using namespace clinrl;

TEST_CASE("checkpoint: save and load round trip bit for bit in HF layout", "[model]") {
  test::TempDir dir;
  for (bool tied : {false, true}) {
    auto m = test::tiny_model(3, tied);
    test::write_text(dir / "tok.json", "{\"model\": {}}");
    model::save_checkpoint(m, dir / "ckpt", dir / "tok.json");
    CHECK(std::filesystem::exists(dir / "ckpt" / "config.json"));
    CHECK(test::read_text(dir / "ckpt" / "tokenizer.json") == "{\"model\": {}}");
    auto file = model::SafetensorsFile::open(dir / "ckpt" / "model.safetensors");
    CHECK(file.contains("model.layers.1.self_attn.q_proj.bias"));
    CHECK(file.contains("lm_head.weight") == !tied);
    auto cfg = core::read_json_file(dir / "ckpt" / "config.json");
    CHECK(cfg["architectures"][0] == "Qwen2ForCausalLM");
    auto back = model::load_checkpoint(dir / "ckpt");
    auto a = m->named_parameters(), b = back->named_parameters();
    REQUIRE(a.size() == b.size());
    for (auto& item : a) CHECK(torch::equal(item.value(), b[item.key()]));
  }
}

TEST_CASE("checkpoint: bf16 save keeps bf16 and loads as either dtype", "[model]") {
  test::TempDir dir;
  auto m = test::tiny_model(4);
  m->to(torch::kBFloat16);
  model::save_checkpoint(m, dir / "ckpt");
  auto cfg = core::read_json_file(dir / "ckpt" / "config.json");
  CHECK(cfg["torch_dtype"] == "bfloat16");
  auto back = model::load_checkpoint(dir / "ckpt", torch::kBFloat16);
  CHECK(back->dtype() == torch::kBFloat16);
  for (auto& item : m->named_parameters()) CHECK(torch::equal(item.value(), back->named_parameters()[item.key()]));
}

TEST_CASE("checkpoint: missing, misshapen or unexpected tensors are named", "[model]") {
  test::TempDir dir;
  auto m = test::tiny_model();
  model::save_checkpoint(m, dir / "ckpt");
  auto tensors = model::load_safetensors(dir / "ckpt" / "model.safetensors");
  auto fresh = test::tiny_model(9);
  auto t = tensors;
  t.erase("model.norm.weight");
  CHECK_THROWS_WITH(model::load_state(fresh, t, "x"), Catch::Contains("missing tensor 'model.norm.weight'"));
  t = tensors;
  t["model.norm.weight"] = torch::ones({7});
  CHECK_THROWS_WITH(model::load_state(fresh, t, "x"), Catch::Contains("'model.norm.weight' has shape"));
  t = tensors;
  t["model.extra"] = torch::ones({7});
  CHECK_THROWS_WITH(model::load_state(fresh, t, "x"), Catch::Contains("unexpected tensor 'model.extra'"));
  CHECK_THROWS_AS(model::load_checkpoint(dir / "nowhere"), UserError);
}

TEST_CASE("checkpoint: weights go straight into the target dtype and equal the file's values", "[model]") {
  test::TempDir dir;
  auto m = test::tiny_model(6);
  m->to(torch::kBFloat16);
  model::save_checkpoint(m, dir / "bf16");
  auto file = model::SafetensorsFile::open(dir / "bf16" / "model.safetensors");
  auto as_bf16 = model::load_checkpoint(dir / "bf16", torch::kBFloat16);
  auto as_fp32 = model::load_checkpoint(dir / "bf16", torch::kFloat32);
  for (auto& item : as_bf16->named_parameters()) {
    INFO(item.key());
    auto stored = file.tensor(item.key());
    REQUIRE(stored.scalar_type() == torch::kBFloat16);
    CHECK(item.value().scalar_type() == torch::kBFloat16);
    CHECK(torch::equal(item.value(), stored));
    CHECK(torch::equal(as_fp32->named_parameters()[item.key()], stored.to(torch::kFloat32)));  // bf16 -> fp32 is exact
  }
  // A float32 file read as bf16 rounds each value once, as Tensor::to does.
  auto f = test::tiny_model(7);
  model::save_checkpoint(f, dir / "fp32");
  auto rounded = model::load_checkpoint(dir / "fp32", torch::kBFloat16);
  for (auto& item : f->named_parameters())
    CHECK(torch::equal(rounded->named_parameters()[item.key()], item.value().to(torch::kBFloat16)));
  CHECK(core::peak_resident_mb().value_or(0) > 0);
}

TEST_CASE("checkpoint: a model built without initialisation only allocates", "[model]") {
  model::Transformer m(test::tiny_options(), model::ParameterOptions{torch::kBFloat16, torch::kCPU, false});
  CHECK(m->dtype() == torch::kBFloat16);
  for (auto& p : m->parameters()) CHECK(p.scalar_type() == torch::kBFloat16);
  CHECK(m->named_parameters().size() == test::tiny_model()->named_parameters().size());
}
