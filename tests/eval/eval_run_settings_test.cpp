// clinrl eval --checkpoint STEP_DIR reuses the training run's grader, judge,
// simulator section and rubric file unless the eval config sets them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "clinrl/core/config.h"
#include "clinrl/eval/eval_config.h"
#include "clinrl/eval/run_settings.h"
#include "clinrl/rl/train_config.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

fs::path step_dir(const test::TempDir& dir, const rl::TrainConfig& run) {
  fs::path step = dir / "checkpoints/step-000002";
  fs::create_directories(step);
  test::write_text(step / "train_config.json", core::dump_json(core::to_json_value(run), 2));
  return step;
}

rl::TrainConfig served_run() {
  rl::TrainConfig run;
  run.grpo.reward.grader = "mixed";
  run.judge.backend.backend = "http://127.0.0.1:8000/v1";
  run.judge.backend.model = "judge-7b";
  run.judge.grading.max_attempts = 5;
  run.sim.patient = "llm";
  run.sim.llm_patient.backend.backend = "http://127.0.0.1:8001/v1";
  run.sim.max_turns = 7;
  run.rubrics.path = "data/rubric/edited.jsonl";
  return run;
}

}  // namespace

TEST_CASE("run settings: a step directory's train config becomes the eval config's grader, judge, sim and rubrics",
          "[eval]") {
  test::TempDir dir;
  const auto overrides = eval::run_verifier_overrides(step_dir(dir, served_run()), core::Json::object());
  const auto config = core::load_config<eval::EvalConfig>(std::nullopt, overrides);
  CHECK(config.grader == "mixed");
  CHECK(config.judge_backend.backend == "http://127.0.0.1:8000/v1");
  CHECK(config.judge_backend.model == "judge-7b");
  CHECK(config.judge.max_attempts == 5);
  CHECK(config.dialogue.sim.patient == "llm");
  CHECK(config.dialogue.sim.llm_patient.backend.backend == "http://127.0.0.1:8001/v1");
  CHECK(config.dialogue.sim.max_turns == 7);
  CHECK(config.dialogue.rubrics.path == "data/rubric/edited.jsonl");

  // A later --grader / --set wins (they come after these overrides).
  auto with_flag = overrides;
  with_flag.push_back("grader=rules");
  CHECK(core::load_config<eval::EvalConfig>(std::nullopt, with_flag).grader == "rules");
}

TEST_CASE("run settings: keys the eval config file sets stay the file's; no train config, no overrides", "[eval]") {
  test::TempDir dir;
  const fs::path step = step_dir(dir, served_run());
  const auto overrides =
      eval::run_verifier_overrides(step, core::Json::parse(R"({"grader": "rules", "dialogue": {"sim": {}}})"));
  auto has = [&](const std::string& prefix) {
    return std::any_of(overrides.begin(), overrides.end(), [&](const std::string& o) { return o.rfind(prefix, 0) == 0; });
  };
  CHECK_FALSE(has("grader="));
  CHECK_FALSE(has("dialogue.sim="));
  CHECK(has("judge_backend="));
  CHECK(has("dialogue.rubrics.path="));
  CHECK(eval::run_verifier_overrides(dir.path(), core::Json::object()).empty());
}
