// Fine-tuning a pretrained checkpoint as a user does it: an HF-layout
// directory with the real Qwen2.5 tokenizer.json (../shared) and a tiny
// random Qwen2 model, trained 2 GRPO steps with configs/finetune/qwen2.5.json.
// CLINRL_TEST_DEVICE (default cpu; tools/gpu-check.sh sets cuda) is the device.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "clinrl/core/config.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/model/model_init.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/training_run.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {
std::string test_device() {
  const char* env = std::getenv("CLINRL_TEST_DEVICE");
  return env && *env ? env : "cpu";
}
}  // namespace

TEST_CASE("finetune smoke: 2 GRPO steps from an HF-layout Qwen2.5 checkpoint with the preset, SFT skipped", "[rl]") {
  CLINRL_REQUIRE_SHARED(tokenizer_json, "model/qwen2.5/tokenizer.json");
  test::TempDir dir;
  // Tiny shapes: the 151,665-id vocabulary dominates the cost, so one narrow layer.
  test::write_text(dir / "config.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
    "num_key_value_heads": 1, "max_position_embeddings": 512, "tie_word_embeddings": true,
    "vocab_size": 512})");  // replaced by the tokenizer's size
  model::InitOptions init;
  init.config = dir / "config.json";
  init.tokenizer = tokenizer_json;
  init.out = dir / "Qwen2.5-tiny";
  init.seed = 11;
  const auto made = model::init_model_dir(init);
  REQUIRE(made.options.vocab_size == 151665);
  // The checkpoint's own tokenizer_config.json (its chat_template is checked against the preset's).
  fs::copy_file(tokenizer_json.parent_path() / "tokenizer_config.json", init.out / "tokenizer_config.json");

  const fs::path preset = fs::path(CLINRL_SOURCE_DIR) / "configs/finetune/qwen2.5.json";
  rl::TrainingRequest request;
  request.config = core::load_config<rl::TrainConfig>(
      preset, {"policy.checkpoint=" + init.out.string(), "policy.device=" + test_device(), "run.output_root=" + (dir / "runs").string(),
               "run.threads=1", "grpo_steps=2", "grpo.group_size=2", "grpo.records_per_step=2", "grpo.micro_batch_size=2",
               "grpo.optimizer.warmup_steps=0", "sim.max_turns=2", "rollout.max_turn_tokens=6",
               "rollout.max_episode_tokens=160", "checkpoints.every=1", "checkpoints.samples_every=0", "eval.records=1"});
  request.config_json = core::to_json_value(request.config);
  const std::string dtype = test_device() == "cpu" ? "float32" : "bfloat16";  // what auto means there
  REQUIRE(request.config.policy.load.resolved_dtype() == dtype);

  const auto summary = rl::run_training(request);
  CHECK(summary.grpo_steps_done == 2);
  const fs::path run = summary.run_dir;
  const auto metrics = rl::read_metrics(run / "metrics.jsonl");
  REQUIRE(metrics.size() == 2);
  CHECK(metrics[0].at("step").get<int64_t>() == 1);
  CHECK(metrics[1].at("step").get<int64_t>() == 2);
  // SFT skipped: the preset leaves it off on a checkpoint.
  CHECK_FALSE(fs::exists(run / "sft"));
  CHECK_FALSE(fs::exists(run / "sft_metrics.jsonl"));
  CHECK_FALSE(summary.sft_score.has_value());
  CHECK_FALSE(fs::exists(run / "init"));  // no fresh model either

  // The last checkpoint loads back with the Qwen2.5 tokenizer and shapes.
  const fs::path last = run / "checkpoints/step-000002";
  REQUIRE(fs::exists(last / "complete.json"));
  model::ChatModelOptions load;
  load.dtype = "auto";
  load.device = test_device();
  auto back = model::ChatModel::load(last, load);
  CHECK(back.model->dtype() == model::parse_dtype(dtype));
  CHECK(back.model->options().vocab_size == 151665);
  CHECK(back.model->options().hidden_size == 16);
  CHECK(back.tokenizer->vocab_size() == 151665);
  CHECK(back.tokenizer->token_to_id("<|im_end|>").has_value());
}
