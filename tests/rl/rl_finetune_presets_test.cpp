// configs/finetune/*.json: the presets for pretrained checkpoints are valid
// train configs with the safe settings, and SFT is off by default on a
// given checkpoint (rl/starting_policy.h decide_sft).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "clinrl/core/config.h"
#include "clinrl/rl/starting_policy.h"
#include "clinrl/rl/train_config.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using Catch::Contains;

namespace {
std::vector<fs::path> finetune_presets() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(CLINRL_SOURCE_DIR) / "configs/finetune"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("finetune presets: qwen2.5 and llama3 exist and pass clinrl config validate --kind train", "[rl]") {
  const auto presets = finetune_presets();
  REQUIRE(presets.size() >= 2);
  CHECK(fs::exists(fs::path(CLINRL_SOURCE_DIR) / "configs/finetune/qwen2.5.json"));
  CHECK(fs::exists(fs::path(CLINRL_SOURCE_DIR) / "configs/finetune/llama3.json"));
  for (const auto& preset : presets) {
    INFO(preset.string());
    auto r = test::run_clinrl("config validate --kind train --config '" + preset.string() + "'");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Contains(": ok"));
  }
}

TEST_CASE("finetune presets: SFT off at a pretrained lr, GRPO at 1e-6, dtype auto, the family's chat template", "[rl]") {
  for (const auto& preset : finetune_presets()) {
    INFO(preset.string());
    const auto config = core::load_config<rl::TrainConfig>(preset);
    REQUIRE(config.sft_enabled.has_value());
    CHECK_FALSE(*config.sft_enabled);
    CHECK(config.sft.optimizer.lr == 1e-5);
    CHECK(config.grpo.optimizer.lr == 1e-6);
    CHECK_FALSE(config.policy.checkpoint.empty());
    CHECK(config.policy.init_config.empty());  // never a silent fresh model
    CHECK(config.policy.load.dtype == "auto");
    CHECK(config.policy.load.device == "cuda");
    CHECK(config.policy.load.resolved_dtype() == "bfloat16");
    const auto on_cpu = core::load_config<rl::TrainConfig>(preset, {"policy.device=cpu"});
    CHECK(on_cpu.policy.load.resolved_dtype() == "float32");
    CHECK_FALSE(rl::decide_sft(config).run);
  }
  CHECK(core::load_config<rl::TrainConfig>(fs::path(CLINRL_SOURCE_DIR) / "configs/finetune/qwen2.5.json")
            .policy.load.chat.name == "chatml");
  CHECK(core::load_config<rl::TrainConfig>(fs::path(CLINRL_SOURCE_DIR) / "configs/finetune/llama3.json")
            .policy.load.chat.name == "llama3");
}

TEST_CASE("sft default: on for a new model, off on a checkpoint unless asked, the reason says which", "[rl]") {
  rl::TrainConfig config;  // defaults: a new model of policy.init_config
  auto fresh = rl::decide_sft(config);
  CHECK(fresh.run);
  CHECK_THAT(fresh.reason, Contains("new model"));

  config.policy.checkpoint = "/models/qwen";
  auto pretrained = rl::decide_sft(config);
  CHECK_FALSE(pretrained.run);
  CHECK_THAT(pretrained.reason, Contains("/models/qwen") && Contains("sft_enabled"));

  config.sft_enabled = true;
  auto asked = rl::decide_sft(config);
  CHECK(asked.run);
  CHECK_THAT(asked.reason, Contains("sft_enabled is true") && Contains("/models/qwen"));

  config.policy.checkpoint.clear();
  config.sft_enabled = false;
  CHECK_FALSE(rl::decide_sft(config).run);
}

TEST_CASE("sft default: the quickstart still warm-starts (sft_enabled unset, a new model)", "[rl]") {
  const auto config = core::load_config<rl::TrainConfig>(fs::path(CLINRL_SOURCE_DIR) / "configs/quickstart.json");
  CHECK_FALSE(config.sft_enabled.has_value());
  CHECK(rl::decide_sft(config).run);
  CHECK(config.sft.optimizer.lr == 3e-3);
}
