#include "clinrl/rl/step_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "clinrl/rl/reward_terms.h"
#include "clinrl/rl/verifiers.h"

namespace clinrl::rl {

void add_episode_metrics(const std::vector<RolloutEpisode>& episodes, const std::vector<double>& rewards,
                         const std::vector<EpisodeScore>& scores, StepMetrics& metrics) {
  if (!rewards.empty()) {
    const double n = static_cast<double>(rewards.size());
    metrics.reward_min = *std::min_element(rewards.begin(), rewards.end());
    metrics.reward_max = *std::max_element(rewards.begin(), rewards.end());
    metrics.reward_mean = std::accumulate(rewards.begin(), rewards.end(), 0.0) / n;
    double ss = 0;
    for (double x : rewards) ss += (x - metrics.reward_mean) * (x - metrics.reward_mean);
    metrics.reward_std = std::sqrt(ss / n);
  }
  double policy_tokens = 0, neg_logp = 0, turns = 0, correct = 0, coverage = 0, truncated = 0, rubric = 0;
  for (size_t i = 0; i < episodes.size(); ++i) {
    const auto& e = episodes[i];
    for (size_t t = 0; t < e.tokens.ids.size(); ++t)
      if (e.tokens.policy_mask[t]) {
        policy_tokens += 1;
        neg_logp -= e.tokens.old_logp[t];
      }
    turns += static_cast<double>(e.doctor_turns);
    truncated += e.truncated ? 1 : 0;
    correct += scores[i].diagnosis_correct ? 1 : 0;
    coverage += scores[i].must_ask_coverage;
    rubric += scores[i].rubric;
  }
  const double n = std::max<double>(1.0, static_cast<double>(episodes.size()));
  metrics.rubric_mean = rubric / n;
  metrics.entropy = policy_tokens > 0 ? neg_logp / policy_tokens : 0.0;
  metrics.response_length = policy_tokens / n;
  metrics.turns_per_episode = turns / n;
  metrics.diagnosis_accuracy = correct / n;
  metrics.must_ask_coverage = coverage / n;
  metrics.truncated_fraction = truncated / n;
  metrics.tokens_per_second = metrics.seconds_rollout > 0 ? policy_tokens / metrics.seconds_rollout : 0.0;
}

void set_verifier_metrics(const VerifierStats& stats, StepMetrics& metrics) {
  const auto& j = stats.judge;
  metrics.judge_requests = static_cast<int64_t>(j.requests);
  metrics.judge_cache_hits = static_cast<int64_t>(j.cache_hits);
  metrics.judge_failed_attempts = static_cast<int64_t>(j.failed_attempts);
  metrics.seconds_waiting_judge = j.seconds_waiting;
  if (!j.latency_s.empty()) {
    metrics.judge_latency_p50_s = quantile(j.latency_s, 0.5);
    metrics.judge_latency_p95_s = quantile(j.latency_s, 0.95);
  }
  const auto& p = stats.patient;
  metrics.patient_turns = static_cast<int64_t>(p.turns);
  metrics.patient_requests = static_cast<int64_t>(p.requests);
  metrics.patient_rejections = static_cast<int64_t>(p.rejected);
  metrics.patient_fallbacks = static_cast<int64_t>(p.fallbacks);
  metrics.patient_backend_errors = static_cast<int64_t>(p.backend_errors);
  metrics.seconds_waiting_patient = p.seconds_waiting;
}

}  // namespace clinrl::rl
