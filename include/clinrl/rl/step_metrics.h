#pragma once
// One row of RUN_DIR/metrics.jsonl: what a GRPO step reports, declared once.
// The update's fields are empty (null in the file) on a step with no update
// (every group had zero reward variance).
#include <cstdint>
#include <optional>
#include <vector>

#include "clinrl/rl/episode_scorer.h"
#include "clinrl/rl/rollout.h"

namespace clinrl::rl {

struct VerifierStats;  // rl/verifiers.h

struct StepMetrics {
  int64_t step = 0;  // steps completed (1-based)
  // Rewards of the episodes trained on, and the dynamic sampling that chose them.
  double reward_mean = 0, reward_std = 0, reward_min = 0, reward_max = 0;
  double zero_variance_fraction = 0;  // of all generated groups
  int64_t groups_trained = 0;
  int64_t generation_rounds = 0;
  // The record sampler (rl/record_sampler.h): exp of the entropy of the
  // normalised weights the step drew from (uniform: the number of records),
  // and the mean running reward of the hardest 10% of the records played so
  // far, after this step's groups.
  std::optional<double> sampling_effective_records, hardest_decile_reward;
  // The update.
  std::optional<double> loss, clip_fraction, clip_fraction_low, clip_fraction_high, dual_clip_fraction, approx_kl,
      kl, grad_norm;
  std::optional<int64_t> train_tokens;
  // The episodes trained on. Entropy is estimated from the sampled tokens:
  // the mean of -log p over them is an unbiased estimate of the policy's entropy.
  double rubric_mean = 0, entropy = 0, response_length = 0, turns_per_episode = 0, diagnosis_accuracy = 0,
         must_ask_coverage = 0, truncated_fraction = 0;
  // Degenerate doctor turns among them (rl/degenerate_turns.h); left out of
  // the update when grpo.exclude_degenerate is set.
  int64_t doctor_turns = 0, degenerate_repetition = 0, degenerate_role_inversion = 0, degenerate_runaway_length = 0;
  double degenerate_fraction = 0;
  bool degenerate_excluded = false;
  double lr = 0;
  double tokens_per_second = 0;  // generated tokens per rollout second
  double seconds_rollout = 0, seconds_grade = 0, seconds_train = 0;
  // Peak memory of the step (rl/peak_memory.h): host resident set, CUDA allocated (null off CUDA).
  std::optional<double> peak_host_mb, peak_device_mb;
  // The verifiers (rl/verifiers.h): rubric items asked for and left ungraded
  // (any grader), the judge's requests, cache hits and latency, the LLM
  // patient's requests, fact-check rejections and rule fallbacks, and the
  // wall time spent waiting on each backend (patient calls overlap: summed).
  int64_t rubric_items = 0, ungraded_items = 0;
  int64_t judge_requests = 0, judge_cache_hits = 0, judge_failed_attempts = 0;
  std::optional<double> judge_latency_p50_s, judge_latency_p95_s;
  double seconds_waiting_judge = 0;
  int64_t patient_turns = 0, patient_requests = 0, patient_rejections = 0, patient_fallbacks = 0, patient_backend_errors = 0;
  double seconds_waiting_patient = 0;

  template <class V>
  void fields(V& v) {
    v("step", step);
    v("reward_mean", reward_mean);
    v("reward_std", reward_std);
    v("reward_min", reward_min);
    v("reward_max", reward_max);
    v("zero_variance_fraction", zero_variance_fraction);
    v("groups_trained", groups_trained);
    v("generation_rounds", generation_rounds);
    v("sampling_effective_records", sampling_effective_records);
    v("hardest_decile_reward", hardest_decile_reward);
    v("loss", loss);
    v("clip_fraction", clip_fraction);
    v("clip_fraction_low", clip_fraction_low);
    v("clip_fraction_high", clip_fraction_high);
    v("dual_clip_fraction", dual_clip_fraction);
    v("approx_kl", approx_kl);
    v("kl", kl);
    v("grad_norm", grad_norm);
    v("train_tokens", train_tokens);
    v("rubric_mean", rubric_mean);
    v("entropy", entropy);
    v("response_length", response_length);
    v("turns_per_episode", turns_per_episode);
    v("diagnosis_accuracy", diagnosis_accuracy);
    v("must_ask_coverage", must_ask_coverage);
    v("truncated_fraction", truncated_fraction);
    v("doctor_turns", doctor_turns);
    v("degenerate_repetition", degenerate_repetition);
    v("degenerate_role_inversion", degenerate_role_inversion);
    v("degenerate_runaway_length", degenerate_runaway_length);
    v("degenerate_fraction", degenerate_fraction);
    v("degenerate_excluded", degenerate_excluded);
    v("lr", lr);
    v("tokens_per_second", tokens_per_second);
    v("seconds_rollout", seconds_rollout);
    v("seconds_grade", seconds_grade);
    v("seconds_train", seconds_train);
    v("peak_host_mb", peak_host_mb);
    v("peak_device_mb", peak_device_mb);
    v("rubric_items", rubric_items);
    v("ungraded_items", ungraded_items);
    v("judge_requests", judge_requests);
    v("judge_cache_hits", judge_cache_hits);
    v("judge_failed_attempts", judge_failed_attempts);
    v("judge_latency_p50_s", judge_latency_p50_s);
    v("judge_latency_p95_s", judge_latency_p95_s);
    v("seconds_waiting_judge", seconds_waiting_judge);
    v("patient_turns", patient_turns);
    v("patient_requests", patient_requests);
    v("patient_rejections", patient_rejections);
    v("patient_fallbacks", patient_fallbacks);
    v("patient_backend_errors", patient_backend_errors);
    v("seconds_waiting_patient", seconds_waiting_patient);
  }
};

// What the step metrics need of one episode: a few numbers, so that the
// ranks of a data-parallel run can pool their episodes' figures cheaply.
struct EpisodeSummary {
  double reward = 0, policy_tokens = 0, neg_logp = 0, doctor_turns = 0, truncated = 0, diagnosis_correct = 0,
         must_ask_coverage = 0, rubric = 0;
  static constexpr int kFields = 8;
};
EpisodeSummary summarize_episode(const RolloutEpisode& episode, double reward, const EpisodeScore& score);

// Fills the reward and episode fields from the episodes a step trained on
// (`rewards` and `scores` in the same order as `episodes`).
void add_episode_metrics(const std::vector<RolloutEpisode>& episodes, const std::vector<double>& rewards,
                         const std::vector<EpisodeScore>& scores, StepMetrics& metrics);
void add_episode_metrics(const std::vector<EpisodeSummary>& episodes, StepMetrics& metrics);

// The judge and patient fields from a step's verifier counters.
void set_verifier_metrics(const VerifierStats& stats, StepMetrics& metrics);

}  // namespace clinrl::rl
