#pragma once
// The `grpo` config section: every knob of the GRPO step (advantages, the
// clipped surrogate, aggregation, KL, dynamic sampling), the optimizer and
// the reward terms. Presets live in configs/grpo/*.json; docs/training.md
// gives the formulas each field enters.
#include <cstdint>
#include <optional>
#include <string>

#include "clinrl/rl/optimizer_options.h"

namespace clinrl::rl {

// The knobs of `grpo.record_sampling: adaptive` (the weight formula is in
// rl/record_sampler.h). Under `uniform` the same running state is kept for
// the metrics only.
struct AdaptiveSamplingOptions {
  double decay = 0.8;                // per group played: m <- decay * m + (1 - decay) * group value
  double prior_reward = 0.5;         // running reward mean of a record never played
  double prior_zero_variance = 0.0;  // running zero-variance rate of a record never played
  double floor = 0.05;               // weight of a record always solved; every weight is in [floor, 1]
  double reward_low = 0.0;           // a running mean at or below this counts as always failed
  double reward_high = 1.0;          // a running mean at or above this counts as always solved

  template <class V>
  void fields(V& v) {
    v("decay", decay);
    v("prior_reward", prior_reward);
    v("prior_zero_variance", prior_zero_variance);
    v("floor", floor);
    v("reward_low", reward_low);
    v("reward_high", reward_high);
  }
  void validate() const;
};

// Extra reward terms added to the rubric score of an episode (see reward_terms.h).
struct RewardOptions {
  // Who grades the rubric items: rules (match blocks), llm (the `judge`
  // section's model), or mixed (items with a match block by rules, the others by the judge).
  std::string grader = "rules";
  double format_penalty = 0.0;      // subtracted when the episode has no `DIAGNOSIS:` line
  // Added when the DIAGNOSIS: line names the right diagnosis: an outcome term
  // beside the rubric, where the diagnosis is one item among many; 0 = off.
  double diagnosis_weight = 0.0;
  double length_weight = 0.0;       // weight of the soft overlong term (<= 0 when long); 0 = off
  int64_t length_max_tokens = 2048; // responses longer than this get the full -1 term
  int64_t length_cache_tokens = 512;// the linear ramp from 0 to -1 spans this many tokens
  double turn_rubric_weight = 0.0;  // weight of the mean per-turn rubric score; 0 = off
  // Baichuan-M2's length reward: coefficient * 4 / sqrt(response tokens), for
  // episodes at or above their group's `length_bonus_quantile` of rubric
  // scores when that quantile exceeds `length_bonus_threshold`; 0 = off.
  double length_bonus_coefficient = 0.0;
  double length_bonus_threshold = 0.5;
  double length_bonus_quantile = 0.2;

  template <class V>
  void fields(V& v) {
    v("grader", grader);
    v("format_penalty", format_penalty);
    v("diagnosis_weight", diagnosis_weight);
    v("length_weight", length_weight);
    v("length_max_tokens", length_max_tokens);
    v("length_cache_tokens", length_cache_tokens);
    v("turn_rubric_weight", turn_rubric_weight);
    v("length_bonus_coefficient", length_bonus_coefficient);
    v("length_bonus_threshold", length_bonus_threshold);
    v("length_bonus_quantile", length_bonus_quantile);
  }
  void validate() const;
};

struct GrpoOptions {
  // Sampling
  int group_size = 8;               // G: episodes rolled out per record
  int records_per_step = 8;         // B: groups per optimizer step
  // Advantages: A = r - mean(group), then / (std + std_eps) per `scale`
  std::string scale = "group";      // group | batch | none
  double std_eps = 1e-6;
  // Clipped surrogate
  double eps_low = 0.2;             // rho clipped below at 1 - eps_low
  double eps_high = 0.2;            // rho clipped above at 1 + eps_high (clip-higher: > eps_low)
  std::optional<double> dual_clip;  // c > 1: caps the loss of A < 0 tokens at c * |A|; null = off
  // Aggregation of per-token losses into the step loss
  std::string aggregation = "token_mean";  // token_mean | seq_mean_token_mean | seq_mean_token_sum_norm
  double max_length_norm = 1024;    // the constant divisor of seq_mean_token_sum_norm
  // KL to a frozen reference (k3 estimator); 0 = off, no reference model is loaded
  double kl_beta = 0.0;
  // Passes over the same rollouts (old log-probs stored at rollout time)
  int num_iterations = 1;
  // DAPO dynamic sampling: drop zero-variance groups, generate more, capped
  bool dynamic_sampling = false;
  int max_resample_batches = 3;     // extra generation rounds allowed per step
  // Credit: one advantage per episode, or one per doctor turn from the
  // per-turn context rubric scores (rl/turn_credit.h), the final turn mixing
  // in the episode's advantage with weight turn_outcome_mix
  std::string credit = "episode";   // episode | turn
  double turn_outcome_mix = 0.5;
  // Leave degenerate doctor turns (rl/degenerate_turns.h) out of the update
  bool exclude_degenerate = false;
  // Episodes cut by the turn or token cap carry no loss when set
  bool mask_truncated = false;
  // Episodes per forward/backward; gradients accumulate over a step
  int micro_batch_size = 4;
  // Recompute each decoder layer in backward instead of keeping its activations
  bool activation_checkpointing = false;

  OptimizerOptions optimizer;
  RewardOptions reward;
  // Which training records a step plays: uniform (a fresh permutation per
  // round) or adaptive (hard-sample mining, rl/record_sampler.h).
  std::string record_sampling = "uniform";
  AdaptiveSamplingOptions adaptive_sampling;

  template <class V>
  void fields(V& v) {
    v("group_size", group_size);
    v("records_per_step", records_per_step);
    v("scale", scale);
    v("std_eps", std_eps);
    v("eps_low", eps_low);
    v("eps_high", eps_high);
    v("dual_clip", dual_clip);
    v("aggregation", aggregation);
    v("max_length_norm", max_length_norm);
    v("kl_beta", kl_beta);
    v("num_iterations", num_iterations);
    v("dynamic_sampling", dynamic_sampling);
    v("max_resample_batches", max_resample_batches);
    v("credit", credit);
    v("turn_outcome_mix", turn_outcome_mix);
    v("exclude_degenerate", exclude_degenerate);
    v("mask_truncated", mask_truncated);
    v("micro_batch_size", micro_batch_size);
    v("activation_checkpointing", activation_checkpointing);
    v("optimizer", optimizer);
    v("reward", reward);
    v("record_sampling", record_sampling);
    v("adaptive_sampling", adaptive_sampling);
  }
  void validate() const;

  int episodes_per_step() const { return group_size * records_per_step; }
  bool uses_reference() const { return kl_beta > 0; }
};

}  // namespace clinrl::rl
