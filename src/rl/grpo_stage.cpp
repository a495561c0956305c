#include "clinrl/rl/grpo_stage.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/dist/process_group.h"
#include "clinrl/rl/grpo_trainer.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/rubric_scorer.h"
#include "clinrl/sim/episode.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

std::atomic<int> g_stop_signals{0};
// The first SIGINT/SIGTERM asks the loop to stop; a second one ends the process at once.
extern "C" void on_stop_signal(int sig) {
  if (g_stop_signals.fetch_add(1) > 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// Ctrl-C, or SIGTERM from a scheduler preempting the job, checkpoints the
// current step and stops cleanly; a second signal kills as usual.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_stop_signals = 0;
    previous_int_ = std::signal(SIGINT, on_stop_signal);
    previous_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  bool requested() const { return g_stop_signals > 0; }

 private:
  void (*previous_int_)(int) = SIG_DFL;
  void (*previous_term_)(int) = SIG_DFL;
};

// Every rank's transcripts (rank by rank); rank 0 writes them.
void write_samples(const fs::path& run_dir, int64_t step, const std::vector<RolloutEpisode>& episodes) {
  core::Json mine = core::Json::array();
  for (const auto& e : episodes) mine.push_back(sim::episode_to_json(e.transcript));
  dist::ProcessGroup& world = dist::world();
  const auto all = world.all_gather_bytes(mine.dump());
  if (!world.is_main()) return;
  core::Json rows = core::Json::array();
  for (const auto& part : all)
    for (auto& row : core::Json::parse(part)) rows.push_back(std::move(row));
  core::write_json_file_atomic(run_dir / "samples" / core::format("step-{}.json", step), rows);
}

// Per-turn rubric scores cost a grading pass per doctor turn: only when used.
bool wants_turn_scores(const GrpoOptions& g) { return g.reward.turn_rubric_weight > 0 || g.credit == "turn"; }

}  // namespace

GrpoStageResult run_grpo_stage(model::ChatModel& policy, const TrainConfig& config, const core::Json& config_json,
                               const RunData& data, const fs::path& run_dir,
                               const std::optional<CheckpointInfo>& latest, Verifiers& verifiers) {
  auto scorer = make_rubric_scorer(data.train, scorer_options(config, verifiers, wants_turn_scores(config.grpo)));
  const Simulators sims =
      verifiers.patient() ? make_simulators(data.train, config.sim, verifiers.patient()) : data.train_sims;
  GrpoTrainer trainer(policy, config, sims, *scorer, run_dir, &verifiers);
  const int64_t start = latest ? latest->step : 0;
  if (latest) {
    trainer.restore_optimizer(latest->dir);
    trainer.restore_record_sampler(latest->dir);
  }
  const fs::path metrics_file = run_dir / "metrics.jsonl";
  // Rank 0 alone writes metrics, samples, checkpoints and the progress line.
  dist::ProcessGroup& world = dist::world();
  const bool main = world.is_main();
  if (main) truncate_metrics_after(metrics_file, start);

  GrpoStageResult result;
  result.steps_done = start;
  {
    std::optional<MetricsWriter> metrics;
    if (main) metrics.emplace(metrics_file);
    InterruptGuard interrupt;
    const auto t_start = std::chrono::steady_clock::now();
    for (int64_t s = start; s < config.grpo_steps; ++s) {
      const StepMetrics row = trainer.step(s);
      if (main) metrics->append(core::to_json_value(row));
      const int64_t done = s + 1;
      const bool last = done == config.grpo_steps;
      if (config.checkpoints.samples_every > 0 && (done % config.checkpoints.samples_every == 0 || last))
        write_samples(run_dir, done, trainer.last_rollouts());
      // A Ctrl-C on any rank stops every rank after the same step.
      const bool stop = world.sum(interrupt.requested() ? 1.0 : 0.0) > 0;
      if (done % config.checkpoints.every == 0 || last || stop) {
        if (main) trainer.save(done, config_json);
        world.barrier();  // the checkpoint counts once rank 0 has replaced the directory
      }
      ProgressInfo progress;
      progress.step = done;
      progress.total_steps = config.grpo_steps;
      progress.reward_mean = row.reward_mean;
      progress.reward_std = row.reward_std;
      progress.seconds_per_step = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count() /
                                  static_cast<double>(done - start);
      if (main) std::cerr << format_progress(progress) << "\n";
      result.steps_done = done;
      if (stop) {
        log::warn("interrupted: checkpoint of step {} written; continue with --resume {}", done, run_dir.string());
        result.interrupted = true;
        return result;
      }
    }
  }
  world.barrier();  // rank 0 has closed metrics.jsonl
  auto rows = read_metrics(metrics_file);
  result.reward_trend = reward_trend(rows, config.grpo.group_size);
  return result;
}

}  // namespace clinrl::rl
