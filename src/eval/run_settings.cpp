#include "clinrl/eval/run_settings.h"

#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/train_config.h"

namespace fs = std::filesystem;

namespace clinrl::eval {
namespace {

bool sets(const core::Json& config, const std::string& section, const std::string& key = "") {
  auto it = config.find(section);
  if (it == config.end()) return false;
  if (key.empty()) return true;
  return it->is_object() && it->contains(key);
}

}  // namespace

std::vector<std::string> run_verifier_overrides(const fs::path& checkpoint, const core::Json& user_config) {
  const fs::path file = checkpoint / rl::CheckpointDir::kConfigFile;
  if (!fs::exists(file)) return {};
  const auto run = core::load_config<rl::TrainConfig>(file);
  std::vector<std::string> out;
  if (!sets(user_config, "grader")) out.push_back("grader=" + run.grpo.reward.grader);
  if (run.grpo.reward.grader != "rules") {
    if (!sets(user_config, "judge_model") && !sets(user_config, "judge_backend"))
      out.push_back("judge_backend=" + core::dump_json(core::to_json_value(run.judge.backend)));
    if (!sets(user_config, "judge")) out.push_back("judge=" + core::dump_json(core::to_json_value(run.judge.grading)));
  }
  if (!sets(user_config, "dialogue", "sim")) out.push_back("dialogue.sim=" + core::dump_json(core::to_json_value(run.sim)));
  if (!sets(user_config, "dialogue", "rubrics") && !run.rubrics.path.empty())
    out.push_back("dialogue.rubrics.path=" + run.rubrics.path);
  if (!out.empty()) log::info("eval: the run's grader, patient and rubric settings from {}", file.string());
  return out;
}

}  // namespace clinrl::eval
