#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/eval_run.h"
#include "clinrl/eval/suite_eval.h"
#include "clinrl/rubric/grades.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/rule_grader.h"
#include "eval/eval_scripted_models.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using core::Json;

namespace {

// Three examples whose items the rule grader decides: a reply containing
// "alpha" meets every positive item of a, b and c; "omega" meets the negative one.
const char* kTinySuite =
    R"({"prompt_id": "a", "prompt": [{"role": "user", "content": "question a"}], "example_tags": ["theme:t1"], "rubrics": [{"criterion": "says alpha", "points": 4, "tags": ["axis:accuracy"], "match": {"any": ["alpha"]}}, {"criterion": "says omega", "points": -2, "tags": ["axis:accuracy"], "match": {"any": ["omega"]}}]})"
    "\n"
    R"({"prompt_id": "b", "prompt": [{"role": "user", "content": "question b"}], "example_tags": ["theme:t1"], "rubrics": [{"criterion": "says alpha", "points": 2, "tags": ["axis:completeness"], "match": {"any": ["alpha"]}}]})"
    "\n"
    R"({"prompt_id": "c", "prompt": [{"role": "user", "content": "question c"}], "example_tags": ["theme:t2"], "rubrics": [{"criterion": "says alpha", "points": 1, "tags": ["axis:accuracy"], "match": {"any": ["alpha"]}}]})"
    "\n";

// Example score of a reply to the tiny suite: alpha -> 1 (a: 4/4), omega -> 0 (a: -2/4 = -0.5).
double tiny_score(const std::string& pid, bool alpha) { return alpha ? 1.0 : (pid == "a" ? -0.5 : 0.0); }

}  // namespace

TEST_CASE("eval golden: main_first30 with a scripted policy and an alternating judge reproduces the golden metrics",
          "[eval]") {
  CLINRL_REQUIRE_SHARED(suite_path, "healthbench/main_first30.jsonl");
  CLINRL_REQUIRE_SHARED(golden_path, "healthbench/main_first30_golden_alternating.json");
  const auto suite = rubric::load_suite(suite_path);
  const Json golden = core::read_json_file(golden_path);

  test::ScriptedPolicy policy;
  eval::LanguageModelReplies replies(policy);
  test::ScriptedJudge judge;
  // The golden grades: criteria_met = (rubric index % 2 == 0), as judged from
  // exactly the prompt the grader must send for the policy's greedy reply.
  test::expect_suite(
      judge, suite, [](const rubric::SuiteExample& ex) { return test::scripted_reply(ex.prompt, {}); },
      [](size_t i) { return i % 2 == 0; });

  test::TempDir dir;
  eval::EvalRequest request;
  request.config.grader = "llm";
  request.config.bootstrap = {1000, 0};
  request.config.generation.batch_size = 8;
  request.suite = suite_path.string();
  request.out = (dir / "report").string();
  request.policy = &replies;
  request.policy_name = "scripted";
  request.judge = &judge;
  auto summary = eval::run_eval(request);

  CHECK(judge.calls == 352);  // every item answered on the first attempt: every prompt was the expected one
  CHECK(policy.batch_sizes == std::vector<size_t>{8, 8, 8, 6});  // greedy: one call per batch
  const Json report = core::read_json_file(dir / "report/report.json");
  CHECK(report["counts"]["rubric_items_ungraded"] == 0);
  CHECK(report["counts"]["samples"] == 30);

  const Json& agg = golden["aggregate"];
  CHECK(agg.size() == report["metrics"].size());
  for (const auto& m : report["metrics"]) {
    const std::string name = m["name"].get<std::string>();
    INFO(name);
    REQUIRE(agg.contains(name));
    CHECK(std::abs(m["mean"].get<double>() - agg[name]["mean_clipped"].get<double>()) < 1e-9);
    CHECK(std::abs(m["raw_mean"].get<double>() - agg[name]["raw_mean"].get<double>()) < 1e-9);
    CHECK(m["n_samples"].get<size_t>() == agg[name]["n_samples"].get<size_t>());
  }
  // Per-example metrics, from results.jsonl.
  std::vector<Json> rows;
  core::read_jsonl(dir / "report/results.jsonl", [&](size_t, Json&& row) { rows.push_back(std::move(row)); });
  const Json& per = golden["per_example"];
  REQUIRE(rows.size() == per.size());
  for (size_t e = 0; e < rows.size(); ++e) {
    INFO("example " << e);
    CHECK(rows[e]["prompt_id"] == per[e]["prompt_id"]);
    CHECK(rows[e]["metrics"].size() == per[e]["metrics"].size());
    for (auto it = per[e]["metrics"].begin(); it != per[e]["metrics"].end(); ++it) {
      INFO(it.key());
      REQUIRE(rows[e]["metrics"].contains(it.key()));
      CHECK(std::abs(rows[e]["metrics"][it.key()].get<double>() - it.value().get<double>()) < 1e-9);
    }
    for (size_t i = 0; i < rows[e]["grades"].size(); ++i) CHECK(rows[e]["grades"][i]["criteria_met"] == (i % 2 == 0));
  }

  // The golden file has no bootstrap std; the report's equals the rubric
  // module's scoring of the same grades with the same seed and resamples.
  std::vector<rubric::GradeLine> grades;
  for (const auto& ex : suite.examples) {
    rubric::GradeLine g{grades.size() + 1, ex.prompt_id, {}};
    for (size_t i = 0; i < ex.rubrics.size(); ++i) g.criteria_met.push_back(i % 2 == 0);
    grades.push_back(g);
  }
  auto reference = rubric::score_suite(suite, grades, "alternating", {1000, 0});
  for (const auto& m : report["metrics"]) {
    const auto* r = reference.report.find(m["name"].get<std::string>());
    REQUIRE(r);
    CHECK(m["bootstrap_std"].get<double>() == r->bootstrap_std);
  }
  CHECK(report["flat"] == reference.report.flat());
}

TEST_CASE("eval: the subsample is seeded, sorted and leaves every answer unchanged", "[eval]") {
  auto all = eval::select_examples(30, 0, 5);
  CHECK(all.size() == 30);
  CHECK(eval::select_examples(30, 40, 5) == all);
  auto ten = eval::select_examples(30, 10, 5);
  CHECK(ten.size() == 10);
  CHECK(std::is_sorted(ten.begin(), ten.end()));
  CHECK(std::set<size_t>(ten.begin(), ten.end()).size() == 10);
  CHECK(eval::select_examples(30, 10, 5) == ten);
  CHECK(eval::select_examples(30, 10, 6) != ten);
  // Reply seeds depend on (seed, prompt_id, repeat) only.
  CHECK(eval::reply_seed(1, "a", 0) == eval::reply_seed(1, "a", 0));
  CHECK(eval::reply_seed(1, "a", 0) != eval::reply_seed(1, "a", 1));
  CHECK(eval::reply_seed(1, "a", 0) != eval::reply_seed(1, "b", 0));
  CHECK(eval::reply_seed(1, "a", 0) != eval::reply_seed(2, "a", 0));

  test::TempDir dir;
  test::write_text(dir / "s.jsonl", kTinySuite);
  auto suite = rubric::load_suite(dir / "s.jsonl");
  rubric::RuleGrader grader;
  eval::EvalConfig config;
  config.seed = 11;
  config.generation.temperature = 0.7;
  config.n_repeats = 2;
  test::ScriptedPolicy policy;
  eval::LanguageModelReplies replies(policy);
  auto full = eval::evaluate_suite(replies, grader, suite, config);
  REQUIRE(full.examples.size() == 6);
  // Sampled replies each carry their own seed: one request per call.
  CHECK(policy.batch_sizes == std::vector<size_t>(6, 1));

  config.examples = 2;
  auto sub = eval::evaluate_suite(replies, grader, suite, config);
  const auto chosen = eval::select_examples(3, 2, 11);
  REQUIRE(sub.examples.size() == 4);
  for (const auto& e : sub.examples) {
    CHECK(std::find(chosen.begin(), chosen.end(), e.example) != chosen.end());
    // The same (prompt_id, repeat) got the same answer in the full run.
    const auto& same = full.examples[static_cast<size_t>(e.repeat) * 3 + e.example];
    CHECK(same.prompt_id == e.prompt_id);
    CHECK(same.completion == e.completion);
  }
  CHECK(sub.metrics.find("overall_score")->n_samples == 4);
}

TEST_CASE("eval: repeats are samples of one aggregate, with per-repeat scores", "[eval]") {
  test::TempDir dir;
  test::write_text(dir / "s.jsonl", kTinySuite);
  auto suite = rubric::load_suite(dir / "s.jsonl");
  rubric::RuleGrader grader;
  eval::EvalConfig config;
  config.seed = 3;
  config.generation.temperature = 1.0;
  config.n_repeats = 3;
  config.bootstrap = {200, 1};
  test::ScriptedPolicy policy;
  eval::LanguageModelReplies replies(policy);
  auto result = eval::evaluate_suite(replies, grader, suite, config);
  REQUIRE(result.examples.size() == 9);

  // Hand-computed from the seeds: each reply says alpha when its seed is odd.
  double sum = 0;
  std::vector<double> per_repeat(3, 0.0);
  for (int r = 0; r < 3; ++r)
    for (const char* pid : {"a", "b", "c"}) {
      const auto& e = result.examples[static_cast<size_t>(r) * 3 + (pid[0] - 'a')];
      CHECK(e.prompt_id == pid);
      CHECK(e.repeat == r);
      uint64_t seed = eval::reply_seed(3, pid, r);
      CHECK(e.seed == seed);
      CHECK(e.completion == "Reply to: question " + std::string(pid) + " [seed " + std::to_string(seed) + "] " +
                                (seed % 2 ? "alpha" : "omega"));
      double s = tiny_score(pid, seed % 2 == 1);
      CHECK(*e.score.overall_score == s);
      sum += s;
      per_repeat[static_cast<size_t>(r)] += s / 3;
    }
  const auto* overall = result.metrics.find("overall_score");
  CHECK(overall->n_samples == 9);
  CHECK(overall->raw_mean == Approx(sum / 9).epsilon(1e-12));
  REQUIRE(result.repeat_scores.size() == 3);
  for (int r = 0; r < 3; ++r)
    CHECK(result.repeat_scores[static_cast<size_t>(r)] == Approx(std::clamp(per_repeat[static_cast<size_t>(r)], 0.0, 1.0)));
  CHECK(result.metrics.find("theme:t1")->n_samples == 6);
  CHECK(result.metrics.find("theme:t2")->n_samples == 3);

  // Greedy repeats are identical answers: three times the samples, the same mean.
  config.generation.temperature = 0;
  auto greedy = eval::evaluate_suite(replies, grader, suite, config);
  config.n_repeats = 1;
  auto once = eval::evaluate_suite(replies, grader, suite, config);
  CHECK(greedy.metrics.find("overall_score")->n_samples == 9);
  CHECK(greedy.metrics.find("overall_score")->raw_mean == Approx(once.metrics.find("overall_score")->raw_mean));
}

TEST_CASE("eval: replay grades saved completions; a repeated prompt_id is a repeat", "[eval]") {
  test::TempDir dir;
  test::write_text(dir / "s.jsonl", kTinySuite);
  test::write_text(dir / "c.jsonl",
                   "{\"prompt_id\": \"a\", \"completion\": \"alpha\"}\n"
                   "{\"prompt_id\": \"b\", \"completion\": \"something else\"}\n"
                   "{\"prompt_id\": \"a\", \"completion\": \"omega\"}\n");
  auto suite = rubric::load_suite(dir / "s.jsonl");
  rubric::RuleGrader grader;
  auto result = eval::grade_saved_completions(grader, suite, rubric::load_completions(dir / "c.jsonl"), "c.jsonl",
                                              {0, 0});
  REQUIRE(result.examples.size() == 3);
  CHECK(result.examples[2].repeat == 1);
  CHECK(*result.examples[0].score.overall_score == 1.0);
  CHECK(*result.examples[1].score.overall_score == 0.0);
  CHECK(*result.examples[2].score.overall_score == -0.5);
  CHECK(result.metrics.find("overall_score")->raw_mean == Approx(0.5 / 3));
  CHECK(result.repeat_scores == std::vector<double>{0.5, 0.0});  // mean(1, 0); clip(-0.5)

  test::write_text(dir / "bad.jsonl", "{\"prompt_id\": \"zz\", \"completion\": \"x\"}\n");
  CHECK_THROWS_WITH(
      eval::grade_saved_completions(grader, suite, rubric::load_completions(dir / "bad.jsonl"), "bad.jsonl", {0, 0}),
      Catch::Matchers::Contains("bad.jsonl:1") && Catch::Matchers::Contains("'zz' is not in the suite"));
}
