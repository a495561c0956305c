#include <catch2/catch.hpp>

#include <filesystem>

#include "clinrl/core/config.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/training_run.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

// A whole run in seconds: a 2-layer model, a few demonstrations, two GRPO steps.
rl::TrainingRequest tiny_run(const fs::path& root, const std::string& record_sampling = "uniform") {
  test::write_text(root / "model.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
    "tie_word_embeddings": true})");
  std::string config = R"({
    "run": {"name": "tiny", "output_root": ")" + (root / "runs").string() + R"(", "seed": 3, "threads": 1},
    "tokenizer": {"train": {"vocab_size": 300}},
    "policy": {"init_config": ")" + (root / "model.json").string() + R"("},
    "sim": {"max_turns": 3},
    "sft": {"demonstrations": 12, "epochs": 1, "row_length": 256, "rows_per_batch": 4,
            "expert": {"max_turns": 3, "max_tests": 0}},
    "grpo_steps": 2,
    "grpo": {"group_size": 2, "records_per_step": 2, "micro_batch_size": 2, "record_sampling": ")" +
      record_sampling + R"(",
             "optimizer": {"lr": 1e-3, "total_steps": 2}},
    "rollout": {"max_turn_tokens": 8, "max_episode_tokens": 256},
    "checkpoints": {"every": 1, "keep_last": 3, "samples_every": 0},
    "eval": {"records": 1}
  })";
  test::write_text(root / "config.json", config);
  rl::TrainingRequest request;
  request.config = core::load_config<rl::TrainConfig>(root / "config.json");
  request.config_json = core::to_json_value(request.config);
  return request;
}

// Metrics without the wall-clock figures, which differ from run to run.
std::vector<core::Json> deterministic_metrics(const fs::path& file) {
  auto rows = rl::read_metrics(file);
  for (auto& row : rows)
    for (const char* key : {"tokens_per_second", "seconds_rollout", "seconds_grade", "seconds_train", "peak_host_mb",
                            "peak_device_mb"})
      row.erase(key);
  return rows;
}

}  // namespace

TEST_CASE("training run: a resumed run equals an uninterrupted one, weights and metrics", "[rl]") {
  // adaptive: the record sampler's state comes back from the checkpoint, or step 2 draws other records.
  const std::string record_sampling = GENERATE(as<std::string>{}, "uniform", "adaptive");
  INFO("record_sampling " << record_sampling);
  test::TempDir dir;
  auto request = tiny_run(dir.path(), record_sampling);
  auto summary = rl::run_training(request);
  REQUIRE(summary.grpo_steps_done == 2);
  fs::path run = summary.run_dir;
  for (const char* f : {"config.json", "tokenizer.json", "sft/model.safetensors", "metrics.jsonl", "sft_metrics.jsonl",
                        "eval.json", "checkpoints/step-000001/complete.json", "checkpoints/step-000002/complete.json"})
    CHECK(fs::exists(run / f));
  CHECK(rl::read_metrics(run / "metrics.jsonl").size() == 2);

  // Simulate a crash after step 1: a copy of the run without the step-2 checkpoint.
  fs::path copy = dir / "runs/copy";
  fs::copy(run, copy, fs::copy_options::recursive);
  fs::remove_all(copy / "checkpoints/step-000002");
  fs::remove(copy / "eval.json");
  // A resume needs only the checkpoint: without these a restart from scratch would rebuild them.
  fs::remove_all(copy / "sft");
  fs::remove_all(copy / "init");
  rl::TrainingRequest resume;
  resume.config = rl::load_run_config(copy, &resume.config_json);
  resume.resume = copy;
  auto resumed = rl::run_training(resume);
  CHECK(resumed.grpo_steps_done == 2);
  CHECK_FALSE(fs::exists(copy / "sft"));
  CHECK_FALSE(fs::exists(copy / "init"));

  CHECK(test::read_text(copy / "checkpoints/step-000002/model.safetensors") ==
        test::read_text(run / "checkpoints/step-000002/model.safetensors"));
  // (optimizer.pt is not compared byte for byte: torch's archive embeds per-process
  // name counters. The step-2 weights only match if the AdamW state was restored.)
  CHECK(deterministic_metrics(copy / "metrics.jsonl") == deterministic_metrics(run / "metrics.jsonl"));
  const core::Json sampler = rl::read_trainer_state(run / "checkpoints/step-000002")["record_sampler"];
  CHECK(sampler["groups_played"].size() > 0);
  CHECK(rl::read_trainer_state(copy / "checkpoints/step-000002")["record_sampler"] == sampler);
}

TEST_CASE("training run: a second run into the same directory is refused", "[rl]") {
  test::TempDir dir;
  auto request = tiny_run(dir.path());
  request.config.grpo_steps = 0;
  request.config.sft_enabled = false;
  fs::create_directories(request.config.run.directory());
  test::write_text(fs::path(request.config.run.directory()) / "config.json", "{}");
  CHECK_THROWS_WITH(rl::run_training(request), Catch::Matchers::Contains("already holds a run"));
}
