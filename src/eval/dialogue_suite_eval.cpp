#include "clinrl/eval/dialogue_suite_eval.h"

#include <algorithm>
#include <chrono>

#include "clinrl/eval/suite_eval.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/dialogue_eval.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/rubric_scorer.h"

namespace clinrl::eval {
namespace {

// Turns are aggregated as a share of the turn cap (so the clipped bootstrap
// of the HealthBench aggregate applies unchanged), then scaled back.
constexpr const char* kTurnShare = "turns_share_of_cap";

void scale_turns(rubric::ScoreReport& report, double max_turns) {
  for (auto& m : report.metrics)
    if (m.name == kTurnShare) {
      m.name = "turns";
      m.raw_mean *= max_turns;
      m.mean_clipped = m.raw_mean;
      m.bootstrap_std *= max_turns;
    }
  std::sort(report.metrics.begin(), report.metrics.end(),
            [](const rubric::MetricSummary& a, const rubric::MetricSummary& b) { return a.name < b.name; });
}

}  // namespace

core::Json EpisodeResult::to_json(const rubric::Rubric& rubric) const {
  core::Json metrics = core::Json::object();
  for (const auto& [name, value] : score.metrics)
    if (name != kTurnShare) metrics[name] = value;
  core::Json items = core::Json::array();
  for (size_t i = 0; i < grades.items.size() && i < rubric.size(); ++i) {
    const auto& g = grades.items[i];
    items.push_back({{"criterion", rubric[i].criterion},
                     {"points", rubric[i].points},
                     {"criteria_met", g.met ? core::Json(*g.met) : core::Json(nullptr)},
                     {"explanation", g.explanation}});
  }
  return {{"record_id", record_id},
          {"repeat", repeat},
          {"score", score.overall_score ? core::Json(*score.overall_score) : core::Json(nullptr)},
          {"diagnosis", transcript.diagnosis},
          {"diagnosis_correct", outcome.diagnosis_correct},
          {"must_ask_coverage", outcome.must_ask_coverage},
          {"doctor_turns", doctor_turns},
          {"truncated", truncated},
          {"termination_reason", transcript.termination_reason},
          {"metrics", metrics},
          {"grades", items},
          {"transcript", sim::episode_to_json(transcript)}};
}

DialogueSuiteResult evaluate_dialogue_suite(model::ChatModel& policy, const std::vector<records::Record>& records,
                                            const EvalConfig& config, std::shared_ptr<const sim::Realiser> patient,
                                            rubric::Grader* judge) {
  config.validate();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<records::Record> chosen;
  for (size_t i : select_examples(records.size(), config.examples, config.seed)) chosen.push_back(records[i]);
  const auto& options = config.dialogue;
  auto simulators = rl::make_simulators(chosen, options.sim, std::move(patient));
  rl::ScorerOptions scoring;
  scoring.grader = config.grader;
  scoring.judge = judge;
  scoring.max_turns = options.sim.max_turns;
  scoring.rubrics_path = options.rubrics.path;
  auto scorer = rl::make_rubric_scorer(chosen, scoring);
  auto played = rl::evaluate_dialogues(policy, simulators, *scorer, options.rollout, config.n_repeats, config.seed);

  DialogueSuiteResult out;
  const double max_turns = options.sim.max_turns;
  std::vector<rubric::ExampleScore> all;
  std::vector<std::vector<rubric::ExampleScore>> per_repeat(static_cast<size_t>(config.n_repeats));
  for (size_t i = 0; i < played.episodes.size(); ++i) {
    const size_t record = i / static_cast<size_t>(config.n_repeats);
    const records::Record& rec = chosen[record];
    EpisodeResult e;
    e.record_id = rec.id;
    e.repeat = static_cast<int>(i % static_cast<size_t>(config.n_repeats));
    e.transcript = played.episodes[i].transcript;
    e.doctor_turns = played.episodes[i].doctor_turns;
    e.truncated = played.episodes[i].truncated;
    e.outcome = played.scores[i];
    e.grades = played.scores[i].grades;
    const rubric::Rubric& rubric = scorer->rubric_of(rec.id);
    std::vector<std::string> tags;
    if (!rec.specialty.empty()) tags.push_back("specialty:" + rec.specialty);
    e.score = rubric::score_example(rec.id, e.grades.graded_items(rubric), tags, e.grades.graded_met());
    e.score.metrics.emplace_back("diagnosis_accuracy", e.outcome.diagnosis_correct ? 1.0 : 0.0);
    e.score.metrics.emplace_back("must_ask_coverage", e.outcome.must_ask_coverage);
    e.score.metrics.emplace_back(kTurnShare, static_cast<double>(e.doctor_turns) / max_turns);
    all.push_back(e.score);
    per_repeat[static_cast<size_t>(e.repeat)].push_back(e.score);
    out.rubrics.push_back(rubric);
    out.episodes.push_back(std::move(e));
  }
  out.metrics = rubric::aggregate(all, config.bootstrap);
  scale_turns(out.metrics, max_turns);
  for (const auto& scores : per_repeat) {
    const auto* overall = rubric::aggregate(scores, {0, 0}).find("overall_score");
    out.repeat_scores.push_back(overall ? overall->mean_clipped : 0.0);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace clinrl::eval
