#include "clinrl/rl/training_run.h"

#include <unistd.h>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/run_directory.h"
#include "clinrl/core/strings.h"
#include "clinrl/dist/process_group.h"
#include "clinrl/dist/tensor_buckets.h"
#include "clinrl/model/runtime.h"
#include "clinrl/rl/grpo_stage.h"
#include "clinrl/rl/held_out_eval.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/starting_policy.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

fs::path open_run_directory_here(const TrainingRequest& request);

// A new run directory, or the one --resume names (its log appended to).
fs::path open_run_directory(const TrainingRequest& request) {
  const TrainConfig& cfg = request.config;
  // Rank 0 prepares the directory; the others wait for it and log to their own file.
  dist::ProcessGroup& world = dist::world();
  if (world.world_size() > 1) {
    fs::path dir;
    std::string error;
    if (world.is_main()) {
      try {
        dir = open_run_directory_here(request);
      } catch (const UserError& e) {
        error = e.what();
      }
    }
    // Every rank fails with rank 0's message, not with a lost-peer error.
    const auto answers = world.all_gather_bytes(error);
    if (!answers[0].empty()) throw UserError(answers[0]);
    if (!world.is_main()) {
      dir = request.resume ? *request.resume : fs::path(cfg.run.directory());
      log::add_file_sink((dir / core::format("rank-{}.log", world.rank())).string());
    }
    log::info("data parallel: rank {} of {} (pid {})", world.rank(), world.world_size(), static_cast<long>(getpid()));
    return dir;
  }
  return open_run_directory_here(request);
}

fs::path open_run_directory_here(const TrainingRequest& request) {
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
  dist::ProcessGroup& world = dist::world();
  // N processes on a machine share its cores (run.threads, else dist.threads, else cores / N).
  model::set_threads(cfg.run.threads > 0 ? cfg.run.threads
                                         : dist::threads_per_process(cfg.dist.threads, world.local_world_size()));
  world.set_bucket_bytes(static_cast<int64_t>(cfg.dist.bucket_mb * 1024 * 1024));
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

  // Rank 0 writes the tokenizer; the others then find it.
  if (world.is_main()) provide_tokenizer(summary.run_dir, cfg, demonstrations);
  world.barrier();
  const fs::path tokenizer_file = provide_tokenizer(summary.run_dir, cfg, demonstrations);
  const auto latest = CheckpointDir(summary.run_dir, cfg.checkpoints.keep_last).latest_complete();
  model::ChatModel policy = provide_policy(summary.run_dir, cfg, latest, tokenizer_file, demonstrations);
  // Every rank starts from rank 0's weights, also after a resume.
  std::vector<torch::Tensor> state = policy.model->parameters();
  for (auto& b : policy.model->buffers()) state.push_back(b);
  dist::broadcast_tensors(world, state, 0, world.bucket_bytes());
  if (request.sft_only) return summary;

  const GrpoStageResult grpo = run_grpo_stage(policy, cfg, request.config_json, data, summary.run_dir, latest, verifiers);
  summary.grpo_steps_done = grpo.steps_done;
  summary.interrupted = grpo.interrupted;
  if (grpo.interrupted) return summary;
  summary.reward_trend = grpo.reward_trend;

  const HeldOutResult held_out = evaluate_held_out(policy, cfg, data, summary.run_dir, grpo.reward_trend, verifiers);
  summary.sft_score = held_out.sft;
  summary.grpo_score = held_out.final_policy;
  return summary;
}

}  // namespace clinrl::rl
