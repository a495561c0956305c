#pragma once
// The GRPO loop: each step samples B training records, rolls out G episodes
// per record against the simulator, scores them with the record's rubric,
// computes group advantages and takes one optimizer step (num_iterations
// passes). Every random choice of step s comes from streams keyed by
// (run seed, purpose, s), so a resumed run replays an uninterrupted one.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/degenerate_turns.h"
#include "clinrl/rl/episode_scorer.h"
#include "clinrl/rl/record_sampler.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/step_metrics.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/rl/verifiers.h"

namespace clinrl::rl {

class GrpoTrainer {
 public:
  // `verifiers` (may be null) supplies the judge and patient counters of the step metrics.
  GrpoTrainer(model::ChatModel& policy, const TrainConfig& config,
              std::vector<std::shared_ptr<const sim::PatientSimulator>> simulators, const EpisodeScorer& scorer,
              std::filesystem::path run_dir, Verifiers* verifiers = nullptr);

  // Continues from a checkpoint written by save(): optimizer state (the
  // caller has loaded the weights into the policy).
  void restore_optimizer(const std::filesystem::path& checkpoint_dir);
  // Continues the record sampler's running state from the checkpoint's
  // trainer_state.json (a checkpoint without one: a uniform run starts it
  // afresh, an adaptive run is a UserError).
  void restore_record_sampler(const std::filesystem::path& checkpoint_dir);

  // Optimizer step `step` (0-based): roll out, grade, update; its metrics row.
  StepMetrics step(int64_t step);

  // Writes checkpoint `step_count` (steps completed) atomically.
  std::filesystem::path save(int64_t step_count, const core::Json& config_json);

  // The rollouts of the last step, for sample transcripts.
  const std::vector<RolloutEpisode>& last_rollouts() const { return last_rollouts_; }

 private:
  // The episodes a step trains on, with their rewards and scores (same
  // order): this rank's share. `all_rewards` are those of every rank's kept
  // episodes in the step's order, `positions` where this rank's sit in it.
  struct Rollouts {
    std::vector<RolloutEpisode> episodes;
    std::vector<double> rewards;
    std::vector<EpisodeScore> scores;
    std::vector<double> all_rewards;
    std::vector<size_t> positions;
  };
  // The records of generation round `round`; `drawn` are the step's earlier ones.
  std::vector<size_t> sample_records(int64_t step, int round, int count, const std::vector<size_t>& drawn) const;
  // Generation rounds until dynamic sampling has the step's groups.
  Rollouts roll_out_groups(int64_t step, StepMetrics& metrics);
  void update(int64_t step, const Rollouts& kept, StepMetrics& metrics);
  // One advantage per doctor turn of every kept episode (grpo.credit).
  std::vector<std::vector<double>> turn_credit(const Rollouts& kept, const std::vector<double>& episode_advantages) const;
  void set_degenerate_metrics(const DegenerateCounts& local, StepMetrics& metrics) const;
  // UserError when more than judge.max_ungraded_fraction of the step's items stayed ungraded.
  void check_ungraded(int64_t step, const StepMetrics& metrics) const;

  model::ChatModel& policy_;
  const TrainConfig& config_;
  std::vector<std::shared_ptr<const sim::PatientSimulator>> simulators_;
  const EpisodeScorer& scorer_;
  Verifiers* verifiers_;
  std::filesystem::path run_dir_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;  // make_adamw: fp32 masters for bf16 params
  model::Transformer reference_{nullptr};  // frozen copy, only when kl_beta > 0
  CheckpointDir checkpoints_;
  OptimizerOptions schedule_;  // the optimizer options with total_steps = the run's GRPO steps
  std::vector<RolloutEpisode> last_rollouts_;
  RecordSampler record_sampler_;  // one entry per simulator; updated identically on every rank
};

}  // namespace clinrl::rl
