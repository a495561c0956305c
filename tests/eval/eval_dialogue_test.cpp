#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/eval_run.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
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

  // Saved completions cannot be graded against a record set.
  request.checkpoint.clear();
  request.completions = (dir / "c.jsonl").string();
  CHECK_THROWS_WITH(eval::run_eval(request), Catch::Matchers::Contains("is a record set"));
}
