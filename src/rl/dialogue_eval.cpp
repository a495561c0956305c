#include "clinrl/rl/dialogue_eval.h"

#include "clinrl/core/logging.h"
#include "clinrl/core/progress.h"
#include "clinrl/rubric/scoring.h"
#include "rollout_progress.h"

namespace clinrl::rl {
DialogueEvalResult evaluate_dialogues(model::ChatModel& policy,
                                      const std::vector<std::shared_ptr<const sim::PatientSimulator>>& simulators,
                                      const EpisodeScorer& scorer, const RolloutOptions& rollout,
                                      int64_t episodes_per_record, uint64_t seed) {
  RolloutOptions greedy = rollout;
  greedy.sampler = model::SamplerOptions{};
  greedy.sampler.temperature = 0.0;
  std::vector<EpisodeJob> jobs;
  for (size_t r = 0; r < simulators.size(); ++r)
    for (int64_t k = 0; k < episodes_per_record; ++k)
      jobs.push_back({simulators[r], Rng::stream(seed, "eval-episode", r * 1024 + static_cast<uint64_t>(k)).next_u64()});
  DialogueEvalResult result;
  // A progress line about every tenth of the episodes or 30 s.
  core::ProgressClock progress(static_cast<int64_t>(jobs.size()));
  result.episodes = roll_out(policy, jobs, greedy, seed, [&progress](size_t done, size_t total) {
    if (!progress.due(static_cast<int64_t>(done))) return;
    const double elapsed = progress.elapsed_seconds();
    log::info("eval: {}/{} episodes | {} | ETA {}", done, total,
              core::format_rate(static_cast<int64_t>(done), elapsed, "episodes"),
              core::format_eta(static_cast<int64_t>(done), static_cast<int64_t>(total), elapsed));
  });
  HeldOutScore& s = result.summary;
  std::vector<ScoreJob> to_score;
  for (size_t i = 0; i < result.episodes.size(); ++i)
    to_score.push_back({&jobs[i].simulator->record(), &result.episodes[i].transcript});
  std::vector<EpisodeScore> scores = scorer.score(to_score, rollout.system_prompt);
  std::vector<double> rubric_scores, correct, coverage;
  for (size_t i = 0; i < result.episodes.size(); ++i) {
    EpisodeScore& score = scores[i];
    rubric_scores.push_back(score.rubric);
    correct.push_back(score.diagnosis_correct ? 1.0 : 0.0);
    coverage.push_back(score.must_ask_coverage);
    s.rubric += score.rubric;
    s.diagnosis_accuracy += score.diagnosis_correct ? 1 : 0;
    s.must_ask_coverage += score.must_ask_coverage;
    s.turns += static_cast<double>(result.episodes[i].doctor_turns);
    result.scores.push_back(std::move(score));
  }
  s.episodes = static_cast<int64_t>(result.episodes.size());
  if (s.episodes > 0) {
    double n = static_cast<double>(s.episodes);
    s.rubric /= n;
    s.diagnosis_accuracy /= n;
    s.must_ask_coverage /= n;
    s.turns /= n;
  }
  constexpr int kResamples = 1000;
  s.rubric_std = rubric::bootstrap_std(rubric_scores, kResamples, seed, "held-out rubric");
  s.diagnosis_accuracy_std = rubric::bootstrap_std(correct, kResamples, seed, "held-out diagnosis");
  s.must_ask_coverage_std = rubric::bootstrap_std(coverage, kResamples, seed, "held-out must-ask");
  return result;
}

}  // namespace clinrl::rl
