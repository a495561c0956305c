#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/eval_run.h"
#include "clinrl/eval/local_replies.h"
#include "clinrl/eval/suite_eval.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rubric/rule_grader.h"
#include "clinrl/llm/local_language_model.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using core::Json;

namespace {

// A tiny random policy saved as RUN/checkpoints/step-000002 of a fake run
// directory whose metrics.jsonl has two steps.
fs::path tiny_run_checkpoint(const fs::path& root, const std::vector<records::Record>& records) {
  sim::SimOptions sim_options;
  auto sims = rl::make_simulators(records, sim_options);
  auto book = rl::QuestionBook::load(fs::path(CLINRL_SOURCE_DIR) / "data/rl/expert_questions.json");
  auto demos = rl::play_demonstrations(sims, book, rl::ExpertOptions{}, 6, 1);
  model::BpeTrainOptions tok;
  tok.vocab_size = 320;
  model::train_bpe(rl::demonstration_texts(demos, "You are a doctor."), tok).save(root / "tokenizer.json");
  model::TransformerOptions o;
  o.vocab_size = 320;
  o.hidden_size = 32;
  o.intermediate_size = 64;
  o.num_hidden_layers = 2;
  o.num_attention_heads = 4;
  o.num_key_value_heads = 2;
  o.max_position_embeddings = 1024;
  o.tie_word_embeddings = true;
  model::Transformer m(o);
  m->initialize(5);
  const fs::path run = root / "run";
  const fs::path checkpoint = run / "checkpoints/step-000002";
  model::save_checkpoint(m, checkpoint, root / "tokenizer.json");
  test::write_text(run / "metrics.jsonl",
                   "{\"step\": 1, \"reward_mean\": 0.2, \"reward_std\": 0.1, \"approx_kl\": null}\n"
                   "{\"step\": 2, \"reward_mean\": 0.3, \"reward_std\": 0.05, \"approx_kl\": 0.01}\n");
  return checkpoint;
}

}  // namespace

TEST_CASE("eval dialogues: a record set is played with simulated patients and reported per episode", "[eval]") {
  test::TempDir dir;
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(3);
  records::save_records(dir / "records.jsonl", records);
  const fs::path checkpoint = tiny_run_checkpoint(dir.path(), records);

  eval::EvalRequest request;
  request.suite = (dir / "records.jsonl").string();
  request.checkpoint = checkpoint.string();
  request.out = (dir / "report").string();
  request.config.examples = 2;  // a seeded subsample of 2 of the 3 records
  request.config.n_repeats = 2;
  request.config.seed = 4;
  request.config.bootstrap = {100, 0};
  request.config.dialogue.sim.max_turns = 2;
  request.config.dialogue.rollout.max_turn_tokens = 6;
  request.config.dialogue.rollout.max_episode_tokens = 400;
  auto summary = eval::run_eval(request);

  const Json report = core::read_json_file(dir / "report/report.json");
  CHECK(report["kind"] == "dialogues");
  CHECK(report["counts"]["records"] == 2);
  CHECK(report["counts"]["episodes"] == 4);
  CHECK(report["counts"]["suite_kind"] == "records");
  CHECK(report["sources"]["run_dir"] == fs::weakly_canonical(dir / "run").string());
  std::vector<Json> rows;
  core::read_jsonl(dir / "report/results.jsonl", [&](size_t, Json&& row) { rows.push_back(std::move(row)); });
  REQUIRE(rows.size() == 4);

  // The metrics are the means over the four episodes of what results.jsonl records.
  double turns = 0, coverage = 0, correct = 0, rubric = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    CHECK(r["repeat"] == static_cast<int>(i % 2));
    CHECK(r["record_id"] == rows[i - i % 2]["record_id"]);  // both episodes of a record together
    CHECK(r["transcript"]["turns"].size() >= 2);
    CHECK(r["doctor_turns"].get<int>() >= 1);
    CHECK(r["doctor_turns"].get<int>() <= 2);
    CHECK(r["grades"].size() > 0);
    turns += r["doctor_turns"].get<double>() / 4;
    coverage += r["must_ask_coverage"].get<double>() / 4;
    correct += r["diagnosis_correct"].get<bool>() ? 0.25 : 0.0;
    rubric += r["score"].get<double>() / 4;
  }
  CHECK(rows[0]["record_id"] != rows[2]["record_id"]);
  auto find = [&](const std::string& name) -> Json {
    for (const auto& m : report["metrics"])
      if (m["name"] == name) return m;
    FAIL("no metric " << name);
    return {};
  };
  CHECK(find("turns")["mean"].get<double>() == Approx(turns));
  CHECK(find("turns")["n_samples"] == 4);
  CHECK(find("must_ask_coverage")["mean"].get<double>() == Approx(coverage));
  CHECK(find("diagnosis_accuracy")["mean"].get<double>() == Approx(correct));
  CHECK(find("overall_score")["raw_mean"].get<double>() == Approx(rubric));
  CHECK(find("overall_score")["n_samples"] == 4);
  bool has_dimension = false;
  for (const auto& m : report["metrics"]) has_dimension = has_dimension || m["name"].get<std::string>().rfind("dimension:", 0) == 0;
  CHECK(has_dimension);

  // The page holds the bar charts and the run's curves (reward_mean, reward_std, approx_kl).
  const std::string html = test::read_text(dir / "report/report.html");
  CHECK(html.find("class=\"chart line-chart\"") != std::string::npos);
  size_t lines = 0;
  for (size_t at = html.find("class=\"chart line-chart\""); at != std::string::npos;
       at = html.find("class=\"chart line-chart\"", at + 1))
    ++lines;
  CHECK(lines == 3);
  CHECK(html.find("Per dimension") != std::string::npos);
  CHECK(html.find("doctor: ") != std::string::npos);

  // An LLM patient (here a fixed reply) words the patients; its counters go into the report.
  struct FixedPatient : core::LanguageModel {
    size_t calls = 0;
    std::string chat(const core::Conversation&, const core::ChatOptions&) override {
      ++calls;
      return "Sorry, could you say that another way?";
    }
  };
  auto patient = std::make_shared<FixedPatient>();
  request.patient_llm = patient;
  request.out = (dir / "report_llm").string();
  eval::run_eval(request);
  const Json llm = core::read_json_file(dir / "report_llm/report.json")["counts"]["llm_patient"];
  CHECK(llm["requests"].get<size_t>() == patient->calls);
  CHECK(llm["turns"].get<size_t>() >= 4);  // at least every episode's opening
  // Every request is rejected, or accepted and ends its turn; a fallback turn ends with a rejection.
  CHECK(llm["requests"].get<size_t>() ==
        llm["rejected"].get<size_t>() + llm["turns"].get<size_t>() - llm["fallbacks"].get<size_t>());
  request.patient_llm = nullptr;

  // Saved completions cannot be graded against a record set.
  request.checkpoint.clear();
  request.completions = (dir / "c.jsonl").string();
  CHECK_THROWS_WITH(eval::run_eval(request), Catch::Matchers::Contains("is a record set"));
}

TEST_CASE("eval checkpoint: single-turn replies from a local checkpoint, batched and seeded; CLI with a judge",
          "[eval]") {
  test::TempDir dir;
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(2);
  const fs::path checkpoint = tiny_run_checkpoint(dir.path(), records);
  test::write_text(dir / "s.jsonl",
      R"({"prompt_id": "p1", "prompt": [{"role": "user", "content": "I have a cough"}], "rubrics": [{"criterion": "asks about fever", "points": 3, "tags": ["axis:completeness"], "match": {"any": ["fever"]}}]})"
      "\n"
      R"({"prompt_id": "p2", "prompt": [{"role": "user", "content": "My head hurts"}], "rubrics": [{"criterion": "asks about vision", "points": 2, "tags": ["axis:completeness"], "match": {"any": ["vision"]}}]})"
      "\n"
      R"({"prompt_id": "p3", "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "I feel dizzy"}], "rubrics": [{"criterion": "asks about falls", "points": 1, "tags": ["axis:accuracy"], "match": {"any": ["fall"]}}]})"
      "\n");
  auto suite = rubric::load_suite(dir / "s.jsonl");

  // The library: sampled replies, each with its own seed, are the same whatever the batch and the subsample.
  llm::LocalModelOptions local;
  local.checkpoint = checkpoint.string();
  auto model = llm::LocalLanguageModel::load(local);
  eval::LocalModelReplies replies(*model);
  rubric::RuleGrader grader;
  eval::EvalConfig config;
  config.generation.temperature = 1.0;
  config.generation.max_tokens = 6;
  config.n_repeats = 2;
  config.seed = 9;
  config.generation.batch_size = 6;
  auto batched = eval::evaluate_suite(replies, grader, suite, config);
  config.generation.batch_size = 1;
  auto single = eval::evaluate_suite(replies, grader, suite, config);
  config.examples = 1;
  auto sub = eval::evaluate_suite(replies, grader, suite, config);
  REQUIRE(batched.examples.size() == 6);
  for (size_t i = 0; i < 6; ++i) CHECK(batched.examples[i].completion == single.examples[i].completion);
  CHECK(batched.examples[0].completion != batched.examples[3].completion);  // repeats sample differently
  REQUIRE(sub.examples.size() == 2);
  for (const auto& e : sub.examples)
    CHECK(e.completion == batched.examples[static_cast<size_t>(e.repeat) * 3 + e.example].completion);
  CHECK(replies.unanswered() == 0);

  // The command line: --checkpoint on a HealthBench suite, graded by an LLM judge that is a local checkpoint
  // too (a tiny model answers no usable JSON: every item is reported ungraded, none is counted as unmet).
  auto r = test::run_clinrl("eval --checkpoint " + checkpoint.string() + " --suite " + (dir / "s.jsonl").string() +
                            " --out " + (dir / "cli").string() + " --max-new-tokens 4 --grader llm --judge local:" +
                            checkpoint.string() + " --set judge.chat.max_tokens=4 --set judge.max_attempts=1");
  INFO(r.output);
  REQUIRE(r.status == 0);
  const Json report = core::read_json_file(dir / "cli/report.json");
  CHECK(report["kind"] == "suite");
  CHECK(report["counts"]["samples"] == 3);
  CHECK(report["counts"]["rubric_items_ungraded"] == 3);
  CHECK(report["counts"]["unanswered_prompts"] == 0);
  CHECK(report["sources"]["judge"] == "local:" + checkpoint.string());
  CHECK(report["sources"]["run_dir"] == fs::weakly_canonical(dir / "run").string());
  CHECK(report["config"]["generation"]["max_tokens"] == 4);
}
