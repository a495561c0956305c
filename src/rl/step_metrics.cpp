#include "clinrl/rl/step_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "clinrl/rl/reward_terms.h"
#include "clinrl/rl/verifiers.h"

namespace clinrl::rl {

EpisodeSummary summarize_episode(const RolloutEpisode& e, double reward, const EpisodeScore& score) {
  EpisodeSummary s;
  s.reward = reward;
  for (size_t t = 0; t < e.tokens.ids.size(); ++t)
    if (e.tokens.policy_mask[t]) {
      s.policy_tokens += 1;
      s.neg_logp -= e.tokens.old_logp[t];
    }
  s.doctor_turns = static_cast<double>(e.doctor_turns);
  s.truncated = e.truncated ? 1 : 0;
  s.diagnosis_correct = score.diagnosis_correct ? 1 : 0;
  s.must_ask_coverage = score.must_ask_coverage;
  s.rubric = score.rubric;
  return s;
}

void add_episode_metrics(const std::vector<RolloutEpisode>& episodes, const std::vector<double>& rewards,
                         const std::vector<EpisodeScore>& scores, StepMetrics& metrics) {
  std::vector<EpisodeSummary> summaries;
  for (size_t i = 0; i < episodes.size(); ++i) summaries.push_back(summarize_episode(episodes[i], rewards[i], scores[i]));
  add_episode_metrics(summaries, metrics);
}

void add_episode_metrics(const std::vector<EpisodeSummary>& episodes, StepMetrics& metrics) {
  if (!episodes.empty()) {
    const double n = static_cast<double>(episodes.size());
    metrics.reward_min = episodes[0].reward;
    metrics.reward_max = episodes[0].reward;
    double sum = 0;
    for (const auto& e : episodes) {
      metrics.reward_min = std::min(metrics.reward_min, e.reward);
      metrics.reward_max = std::max(metrics.reward_max, e.reward);
      sum += e.reward;
    }
    metrics.reward_mean = sum / n;
    double ss = 0;
    for (const auto& e : episodes) ss += (e.reward - metrics.reward_mean) * (e.reward - metrics.reward_mean);
    metrics.reward_std = std::sqrt(ss / n);
  }
  double policy_tokens = 0, neg_logp = 0, turns = 0, correct = 0, coverage = 0, truncated = 0, rubric = 0;
  for (const auto& e : episodes) {
    policy_tokens += e.policy_tokens;
    neg_logp += e.neg_logp;
    turns += e.doctor_turns;
    truncated += e.truncated;
    correct += e.diagnosis_correct;
    coverage += e.must_ask_coverage;
    rubric += e.rubric;
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
