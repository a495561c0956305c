#pragma once
// Single-turn HealthBench-style suites: the policy answers every selected
// prompt (n_repeats times), a grader decides every rubric item, and the
// HealthBench metrics are aggregated over all (example, repeat) samples, as
// the reference harness does (its example list is `examples * n_repeats`).
#include <cstdint>
#include <string>
#include <vector>

#include "clinrl/eval/eval_config.h"
#include "clinrl/eval/reply_generator.h"
#include "clinrl/rubric/grade_suite.h"
#include "clinrl/rubric/grader.h"
#include "clinrl/rubric/scoring.h"
#include "clinrl/rubric/suite.h"

namespace clinrl::eval {

struct ExampleResult {
  size_t example = 0;  // index in the suite
  std::string prompt_id;
  int repeat = 0;
  uint64_t seed = 0;  // the reply's seed (0 for replayed completions)
  std::string completion;
  rubric::GradeResult grades;  // one per rubric item
  rubric::ExampleScore score;  // over the graded items

  // {"prompt_id", "repeat", "seed", "completion", "score", "metrics": {...},
  //  "grades": [{"criterion", "points", "criteria_met", "explanation"}, ...]}
  core::Json to_json(const rubric::SuiteExample& example) const;
};

struct SuiteEvalResult {
  std::vector<ExampleResult> examples;  // repeat-major; suite order within a repeat
  rubric::ScoreReport metrics;          // over every (example, repeat) sample
  std::vector<double> repeat_scores;    // clipped mean overall_score of each repeat
  size_t ungraded_items = 0;            // items the grader could not decide (left out of the scores)
  double generate_seconds = 0;
  double grade_seconds = 0;
};

// Suite indices of a seeded subsample of `count` examples (0 or >= size:
// all), in suite order. The same seed picks the same set.
std::vector<size_t> select_examples(size_t suite_size, int64_t count, uint64_t seed);

// The reply seed of (prompt_id, repeat): independent of the subsample and of
// batch composition, so an example's answer is the same in every run.
uint64_t reply_seed(uint64_t seed, const std::string& prompt_id, int repeat);

// Generates (config.generation: batches of batch_size prompts of similar
// length), grades and scores.
SuiteEvalResult evaluate_suite(ReplyGenerator& policy, rubric::Grader& grader, const rubric::Suite& suite,
                               const EvalConfig& config);

// Grades saved completions (no model). A prompt_id that occurs k times is
// graded as repeats 0..k-1 (a results.jsonl of a repeated run replays as
// such); an unknown prompt_id is an error naming the line.
SuiteEvalResult grade_saved_completions(rubric::Grader& grader, const rubric::Suite& suite,
                                        const std::vector<rubric::Completion>& completions,
                                        const std::string& source, const rubric::AggregateOptions& bootstrap);

}  // namespace clinrl::eval
