#include "clinrl/rl/training_run.h"

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/run_directory.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/runtime.h"
#include "clinrl/rl/grpo_stage.h"
#include "clinrl/rl/held_out_eval.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/starting_policy.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

// A new run directory, or the one --resume names (its log appended to).
fs::path open_run_directory(const TrainingRequest& request) {
  const TrainConfig& cfg = request.config;
  if (request.resume) {
    log::add_file_sink((*request.resume / "run.log").string());
    log::info("resuming run {}", request.resume->string());
    return *request.resume;
  }
  if (fs::exists(fs::path(cfg.run.directory()) / "config.json"))
    throw UserError(core::format("run directory {} already holds a run: continue it with --resume {}, or choose "
                                 "another run.name",
                                 cfg.run.directory(), cfg.run.directory()));
  return core::prepare_run_directory(cfg.run, request.config_json);
}

}  // namespace

TrainConfig load_run_config(const fs::path& run_dir, core::Json* json_out) {
  fs::path file = run_dir / "config.json";
  if (!fs::exists(file)) throw UserError(core::format("--resume {}: no config.json in that directory", run_dir.string()));
  auto config = core::load_config<TrainConfig>(file);
  if (json_out) *json_out = core::to_json_value(config);
  return config;
}

TrainingSummary run_training(const TrainingRequest& request) {
  const TrainConfig& cfg = request.config;
  model::set_threads(cfg.run.threads);
  TrainingSummary summary;
  summary.run_dir = open_run_directory(request);
  const RunData data = load_run_data(cfg);
  // Every record needs its rubric, and every backend must answer, before any training.
  if (!cfg.rubrics.path.empty()) {
    record_rubrics(data.train, resolve_data_path(cfg.rubrics.path, "rubrics.path").string());
    record_rubrics(data.test, resolve_data_path(cfg.rubrics.path, "rubrics.path").string());
  }
  Verifiers verifiers = request.sft_only ? Verifiers() : Verifiers::open(cfg);
  DemonstrationSource demonstrations(cfg, data);

  const fs::path tokenizer_file = provide_tokenizer(summary.run_dir, cfg, demonstrations);
  const auto latest = CheckpointDir(summary.run_dir, cfg.checkpoints.keep_last).latest_complete();
  model::ChatModel policy = provide_policy(summary.run_dir, cfg, latest, tokenizer_file, demonstrations);
  if (request.sft_only) return summary;

  const GrpoStageResult grpo = run_grpo_stage(policy, cfg, request.config_json, data, summary.run_dir, latest, verifiers);
  summary.grpo_steps_done = grpo.steps_done;
  summary.interrupted = grpo.interrupted;
  if (grpo.interrupted) return summary;
  summary.first_rewards_mean = grpo.first_rewards_mean;
  summary.last_rewards_mean = grpo.last_rewards_mean;

  const HeldOutResult held_out =
      evaluate_held_out(policy, cfg, data, summary.run_dir, grpo.first_rewards_mean, grpo.last_rewards_mean, verifiers);
  summary.sft_score = held_out.sft;
  summary.grpo_score = held_out.final_policy;
  return summary;
}

}  // namespace clinrl::rl
