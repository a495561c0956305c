#pragma once
// Multi-turn suites (record sets): the policy plays greedy dialogues with the
// simulated patients (rl::evaluate_dialogues, as the trainer's held-out
// evaluation), and every finished dialogue is graded against its record's
// rubric (generated, or config.dialogue.rubrics.path) by config.grader: the
// rule grader, the LLM judge, or both (rl/rubric_scorer.h).
//
// Metrics, each a mean over episodes with a bootstrap std (episodes are the
// samples, as (example, repeat) pairs are for single-turn suites):
//   overall_score         the rubric score (HealthBench formula; also per axis:*, dimension:*, level:*)
//   specialty:<name>      the rubric score of the records of one specialty
//   diagnosis_accuracy    share of episodes whose DIAGNOSIS names the record's diagnosis
//   must_ask_coverage     share of the record's must-ask topics the doctor asked
//   turns                 doctor turns used (not clipped; its bootstrap is over turns / max_turns)
#include <memory>
#include <string>
#include <vector>

#include "clinrl/eval/eval_config.h"
#include "clinrl/records/record.h"
#include "clinrl/rl/episode_scorer.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rubric/grader.h"
#include "clinrl/rubric/scoring.h"
#include "clinrl/sim/episode.h"
#include "clinrl/sim/realiser.h"

namespace clinrl::eval {

struct EpisodeResult {
  std::string record_id;
  int repeat = 0;  // episode k of its record
  sim::Episode transcript;
  int64_t doctor_turns = 0;
  bool truncated = false;
  rl::EpisodeScore outcome;      // the trainer's episode scorer
  rubric::GradeResult grades;    // the record's rubric, item by item
  rubric::ExampleScore score;    // the metrics this episode contributes

  // {"record_id", "repeat", "score", "diagnosis_correct", "must_ask_coverage", "doctor_turns",
  //  "truncated", "termination_reason", "metrics", "grades": [...], "transcript": episode}
  core::Json to_json(const rubric::Rubric& rubric) const;
};

struct DialogueSuiteResult {
  std::vector<EpisodeResult> episodes;   // record-major: every episode of record 0 first
  std::vector<rubric::Rubric> rubrics;   // per episode (its record's rubric)
  rubric::ScoreReport metrics;
  std::vector<double> repeat_scores;     // clipped mean rubric score of episode k of every record
  double seconds = 0;
};

// Evaluates the records selected by config.examples (seeded subsample),
// config.n_repeats episodes each, with config.dialogue's simulator and
// rollout options; config.seed fixes the patients. `patient` words the
// patients' replies (null: the rule wording); `judge` grades the items of
// grader llm/mixed (required for those, must outlive the call).
DialogueSuiteResult evaluate_dialogue_suite(model::ChatModel& policy, const std::vector<records::Record>& records,
                                            const EvalConfig& config,
                                            std::shared_ptr<const sim::Realiser> patient = nullptr,
                                            rubric::Grader* judge = nullptr);

}  // namespace clinrl::eval
