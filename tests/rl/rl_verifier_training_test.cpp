// The verifier system in the GRPO loop: an LLM judge and an LLM patient
// served over HTTP on loopback, and rubric files (issue 14).
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <set>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/llm/local_language_model.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/grpo_trainer.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/rubric_scorer.h"
#include "clinrl/rl/run_data.h"
#include "clinrl/rl/verifiers.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/rubric_files.h"
#include "clinrl/serve/chat_server.h"
#include "clinrl/sim/fact_checker.h"
#include "rl/rl_policy_fixture.h"
#include "serve/serve_fixtures.h"
#include "support/scripted_openai_server.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  size_t a = text.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = text.find(close, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// The criterion's longest word, lower-cased (the first of equal length).
std::string key_word(const std::string& criterion) {
  std::string best, word;
  for (size_t i = 0; i <= criterion.size(); ++i) {
    const char c = i < criterion.size() ? criterion[i] : ' ';
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      if (word.size() > best.size()) best = word;
      word.clear();
    }
  }
  return best;
}

// The scripted judge's rule: met when the criterion's key word occurs in the conversation.
bool rule_met(const std::string& conversation, const std::string& criterion) {
  return core::to_lower(conversation).find(key_word(criterion)) != std::string::npos;
}

// Answers a judge prompt by that rule; `garbage(prompt)` makes it answer nonsense instead.
std::string judge_reply(const core::Conversation& messages, const std::function<bool(const std::string&)>& garbage) {
  const std::string& prompt = messages.back().content;
  if (garbage && garbage(prompt)) return "I would rather not say.";
  const std::string conversation = between(prompt, "## Conversation\n", "\n\n## Rubric item (points in brackets)\n");
  const std::string item = between(prompt, "## Rubric item (points in brackets)\n", "\n\n## How to decide");
  const std::string criterion = item.substr(item.find("] ") + 2);
  return std::string(R"({"explanation": "scripted", "criteria_met": )") +
         (rule_met(conversation, criterion) ? "true" : "false") + "}";
}

bool bad_prompt(const std::string& prompt) { return std::hash<std::string>{}(prompt) % 4 == 0; }

struct Fixture {
  test::TempDir dir;
  std::vector<records::Record> records;
  sim::SimOptions sim_options;
  rl::Simulators sims;
  model::ChatModel policy;
  rl::TrainConfig config;

  Fixture() : records(load()), sim_options(short_consultations()), sims(rl::make_simulators(records, sim_options)),
              policy(test::tiny_policy(dir.path(), sims)) {
    config.run.seed = 5;
    config.sim = sim_options;
    config.grpo.group_size = 2;
    config.grpo.records_per_step = 2;
    config.grpo.micro_batch_size = 2;
    config.grpo_steps = 2;
    config.rollout.max_turn_tokens = 8;
    config.rollout.max_episode_tokens = 256;
    config.judge.grading.retry_backoff_s = 0;
  }
  static std::vector<records::Record> load() {
    auto all = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.train.jsonl");
    return {all[0], all[1]};
  }
  static sim::SimOptions short_consultations() {
    sim::SimOptions o;
    o.max_turns = 3;
    return o;
  }
  const records::Record& record(const std::string& id) const {
    for (const auto& r : records)
      if (r.id == id) return r;
    throw std::runtime_error("no record " + id);
  }
};

// What the rule implies for one episode: its reward (the rubric score over
// the graded items) and its judge prompts (bad ones stay ungraded).
struct Expected {
  double reward = 0;
  size_t ungraded = 0;
  std::vector<std::string> prompts;
};

Expected expected_for(const Fixture& f, const rl::EpisodeScorer& scorer, const sim::Episode& episode,
                      const std::function<bool(const std::string&)>& garbage) {
  const auto& rubric = scorer.rubric_of(episode.record_id);
  const auto conversation = rl::to_conversation(episode, f.config.rollout.system_prompt);
  const std::string text = rubric::format_conversation(conversation);
  rubric::GradeResult result;
  Expected e;
  for (const auto& item : rubric) {
    std::string prompt = rubric::fill_template(rubric::default_judge_template(), text, rubric::format_rubric_item(item));
    if (garbage && garbage(prompt)) {
      result.items.push_back({std::nullopt, ""});
      ++e.ungraded;
    } else {
      result.items.push_back({rule_met(text, item.criterion), ""});
    }
    e.prompts.push_back(std::move(prompt));
  }
  e.reward = rubric::graded_score(rubric, result).value_or(0.0);
  return e;
}

struct StepExpectation {
  double mean = 0, min = 1e9, max = -1e9;
  size_t items = 0, ungraded = 0, new_prompts = 0, new_bad_prompts = 0;
};

StepExpectation expect_step(const Fixture& f, const rl::EpisodeScorer& scorer,
                            const std::vector<rl::RolloutEpisode>& episodes, std::set<std::string>& seen,
                            const std::function<bool(const std::string&)>& garbage = nullptr) {
  StepExpectation s;
  for (const auto& e : episodes) {
    Expected x = expected_for(f, scorer, e.transcript, garbage);
    s.mean += x.reward / static_cast<double>(episodes.size());
    s.min = std::min(s.min, x.reward);
    s.max = std::max(s.max, x.reward);
    s.items += x.prompts.size();
    s.ungraded += x.ungraded;
    for (const auto& p : x.prompts)
      if (seen.insert(p).second) {
        ++s.new_prompts;
        if (garbage && garbage(p)) ++s.new_bad_prompts;
      }
  }
  return s;
}

}  // namespace

TEST_CASE("verifiers: GRPO rewards from an LLM judge served over HTTP are exactly what its rule implies", "[rl]") {
  test::ScriptedOpenAiServer server([](const core::Conversation& m) { return judge_reply(m, nullptr); });
  Fixture f;
  f.config.grpo.reward.grader = "llm";
  f.config.judge.backend.backend = server.base_url();
  rl::Verifiers verifiers = rl::Verifiers::open(f.config);
  REQUIRE(verifiers.judge() != nullptr);
  auto scorer = rl::make_rubric_scorer(f.records, rl::scorer_options(f.config, verifiers, false));
  rl::GrpoTrainer trainer(f.policy, f.config, f.sims, *scorer, f.dir / "run", &verifiers);

  std::set<std::string> seen;
  for (int64_t step = 0; step < 2; ++step) {
    const size_t before = server.requests();
    const rl::StepMetrics m = trainer.step(step);
    const auto x = expect_step(f, *scorer, trainer.last_rollouts(), seen);
    REQUIRE(trainer.last_rollouts().size() == 4);
    CHECK(m.reward_mean == Approx(x.mean).margin(1e-12));
    CHECK(m.reward_min == Approx(x.min).margin(1e-12));
    CHECK(m.reward_max == Approx(x.max).margin(1e-12));
    CHECK(m.rubric_items == static_cast<int64_t>(x.items));
    CHECK(m.ungraded_items == 0);
    // One request per distinct prompt never seen before in the run; the rest are cache hits.
    CHECK(m.judge_requests == static_cast<int64_t>(x.new_prompts));
    CHECK(m.judge_cache_hits == static_cast<int64_t>(x.items - x.new_prompts));
    CHECK(server.requests() - before == x.new_prompts);
    CHECK(m.judge_latency_p50_s.has_value());
    CHECK(m.judge_latency_p95_s >= m.judge_latency_p50_s);
  }
  // The same episodes again: every item is a cache hit, nothing is sent.
  const size_t before = server.requests();
  std::vector<rl::ScoreJob> again;
  for (const auto& e : trainer.last_rollouts()) again.push_back({&f.record(e.transcript.record_id), &e.transcript});
  scorer->score(again, f.config.rollout.system_prompt);
  const auto stats = verifiers.take_stats();
  CHECK(server.requests() == before);
  CHECK(stats.judge.requests == 0);
  CHECK(stats.judge.cache_hits == stats.judge.items);
}

TEST_CASE("verifiers: ungraded judge items are left out and counted; above the threshold the step stops", "[rl]") {
  test::ScriptedOpenAiServer server([](const core::Conversation& m) { return judge_reply(m, bad_prompt); });
  Fixture f;
  f.config.grpo.reward.grader = "llm";
  f.config.judge.backend.backend = server.base_url();
  f.config.judge.grading.max_attempts = 2;
  f.config.judge.max_ungraded_fraction = 1.0;
  {
    rl::Verifiers verifiers = rl::Verifiers::open(f.config);
    auto scorer = rl::make_rubric_scorer(f.records, rl::scorer_options(f.config, verifiers, false));
    rl::GrpoTrainer trainer(f.policy, f.config, f.sims, *scorer, f.dir / "run", &verifiers);
    const rl::StepMetrics m = trainer.step(0);
    std::set<std::string> seen;
    const auto x = expect_step(f, *scorer, trainer.last_rollouts(), seen, bad_prompt);
    REQUIRE(x.ungraded > 0);
    CHECK(m.ungraded_items == static_cast<int64_t>(x.ungraded));
    CHECK(m.reward_mean == Approx(x.mean).margin(1e-12));
    // A bad prompt is sent max_attempts times, a good one once.
    CHECK(m.judge_requests == static_cast<int64_t>(x.new_prompts + x.new_bad_prompts));
    CHECK(m.judge_failed_attempts == static_cast<int64_t>(2 * x.new_bad_prompts));
  }
  // The same step with a threshold below its ungraded share: a clear error, no update.
  f.config.judge.max_ungraded_fraction = 0.0;
  rl::Verifiers verifiers = rl::Verifiers::open(f.config);
  auto scorer = rl::make_rubric_scorer(f.records, rl::scorer_options(f.config, verifiers, false));
  rl::GrpoTrainer trainer(f.policy, f.config, f.sims, *scorer, f.dir / "run2", &verifiers);
  CHECK_THROWS_WITH(trainer.step(0), Catch::Matchers::Contains("stayed ungraded") &&
                                         Catch::Matchers::Contains("max_ungraded_fraction"));
}

TEST_CASE("verifiers: an unreachable judge is an error naming the URL before any step", "[rl]") {
  std::string url;
  {
    test::ScriptedOpenAiServer gone([](const core::Conversation&) { return ""; });
    url = gone.base_url();
  }
  rl::TrainConfig config;
  config.grpo.reward.grader = "llm";
  config.judge.backend.backend = url;
  CHECK_THROWS_WITH(rl::Verifiers::open(config),
                    Catch::Matchers::Contains("judge") && Catch::Matchers::Contains("unreachable") &&
                        Catch::Matchers::Contains(url));
}

TEST_CASE("verifiers: a hand-edited rubric file changes the reward exactly; a missing record is an error", "[rl]") {
  test::ScriptedOpenAiServer server([](const core::Conversation& m) { return judge_reply(m, nullptr); });
  Fixture f;
  auto rubrics = rubric::generate_rubrics(f.records);
  // Record 0: two hand-written items without match blocks. The system prompt
  // always mentions the diagnosis; nobody says "xylophonezzz".
  rubrics[0].rubrics = {
      rubric::RubricItem::from_json({{"criterion", "States the diagnosis"}, {"points", 6}}, "hand item 1"),
      rubric::RubricItem::from_json({{"criterion", "Says xylophonezzz"}, {"points", 2}}, "hand item 2")};
  const fs::path file = f.dir / "rubrics.jsonl";
  rubric::save_record_rubrics(file, rubrics);

  f.config.grpo.reward.grader = "llm";
  f.config.judge.backend.backend = server.base_url();
  f.config.rubrics.path = file.string();
  rl::Verifiers verifiers = rl::Verifiers::open(f.config);
  auto scorer = rl::make_rubric_scorer(f.records, rl::scorer_options(f.config, verifiers, false));
  auto book = rl::QuestionBook::load(fs::path(CLINRL_SOURCE_DIR) / "data/rl/expert_questions.json");
  auto demos = rl::play_demonstrations(f.sims, book, rl::ExpertOptions{}, 2, 1);
  const auto& episode = demos[0].episode;
  REQUIRE(episode.record_id == f.records[0].id);
  CHECK(scorer->score(f.records[0], episode, f.config.rollout.system_prompt).rubric == 0.75);  // 6 / (6 + 2)

  // The same file under the rule grader: those items have no match block, so they stay ungraded.
  rl::ScorerOptions rules;
  rules.rubrics_path = file.string();
  auto rule_scorer = rl::make_rubric_scorer(f.records, rules);
  auto s = rule_scorer->score(f.records[0], episode, f.config.rollout.system_prompt);
  CHECK(s.ungraded_items == 2);
  CHECK(s.rubric == 0.0);

  rubric::save_record_rubrics(file, {rubrics[0]});
  CHECK_THROWS_WITH(rl::make_rubric_scorer(f.records, rules),
                    Catch::Matchers::Contains("no rubric for record " + f.records[1].id) &&
                        Catch::Matchers::Contains(file.string()));
  test::write_text(file, R"({"record_id": ")" + f.records[0].id + R"(", "rubrics": [{"criterion": "x", "points": 40}]})" + "\n");
  CHECK_THROWS_WITH(rl::make_rubric_scorer(f.records, rules),
                    Catch::Matchers::Contains(file.string() + ":1") && Catch::Matchers::Contains(f.records[0].id));
}

TEST_CASE("verifiers: GRPO against an LLM patient served by clinrl serve; the fact checker guards every turn", "[rl]") {
  test::TempDir served_dir;
  llm::LocalModelOptions local;
  local.checkpoint = test::tiny_checkpoint(served_dir.path()).string();
  auto patient_model = llm::LocalLanguageModel::load(local);
  serve::ServerOptions so;
  so.port = 0;
  serve::ChatServer server(*patient_model, so);
  server.start();

  Fixture f;
  f.config.sim.patient = "llm";
  f.config.sim.llm_patient.backend.backend = core::format("http://127.0.0.1:{}/v1", server.port());
  f.config.sim.llm_patient.max_tokens = 24;
  f.config.sim.llm_patient.max_attempts = 2;
  f.config.rollout.max_episode_tokens = 1536;  // the tiny policy's tokenizer spells unseen words letter by letter
  rl::Verifiers verifiers = rl::Verifiers::open(f.config);
  REQUIRE(verifiers.patient() != nullptr);
  auto sims = rl::make_simulators(f.records, f.config.sim, verifiers.patient());
  auto scorer = rl::make_rubric_scorer(f.records, rl::scorer_options(f.config, verifiers, false));
  rl::GrpoTrainer trainer(f.policy, f.config, sims, *scorer, f.dir / "run", &verifiers);
  const rl::StepMetrics m = trainer.step(0);

  REQUIRE(trainer.last_rollouts().size() == 4);
  for (const auto& e : trainer.last_rollouts()) {
    INFO("tokens " << e.tokens.ids.size());
    CHECK((e.truncated || !e.transcript.termination_reason.empty()));
  }
  CHECK(m.patient_requests > 0);
  CHECK(m.patient_requests == server.stats().requests);
  // Every request is a rejected reply, a failed call, or the accepted reply of a turn that did not fall back.
  CHECK(m.patient_turns > 0);
  CHECK(m.patient_requests == m.patient_rejections + m.patient_backend_errors + (m.patient_turns - m.patient_fallbacks));

  // The audit: every patient turn states only the facts it revealed (or ones revealed before).
  auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(f.config.sim.lexicon_path()));
  sim::FactChecker checker(lexicon);
  for (const auto& e : trainer.last_rollouts()) {
    const auto& record = f.record(e.transcript.record_id);
    std::vector<uint8_t> revealed(record.facts.size(), 0);
    for (const auto& turn : e.transcript.turns) {
      if (turn.role != "patient") continue;
      std::vector<sim::Statement> allowed;
      for (const auto& id : turn.revealed_fact_ids)
        for (size_t k = 0; k < record.facts.size(); ++k)
          if (record.facts[k].id == id) {
            allowed.push_back({sim::ContentKind::kFact, static_cast<int>(k), record.facts[k].subject, record.facts[k].lay});
            revealed[k] = 1;
          }
      auto check = checker.check(record, allowed, turn.text, &revealed);
      INFO(turn.text << ": " << core::join(check.violations, "; "));
      CHECK(check.ok());
    }
  }
}

TEST_CASE("verifiers: configs/verifiers/served.json is a valid run config naming both served models", "[rl]") {
  const auto config = core::load_config<rl::TrainConfig>(fs::path(CLINRL_SOURCE_DIR) / "configs/verifiers/served.json");
  CHECK(config.grpo.reward.grader == "mixed");
  CHECK(config.judge.backend.backend == "http://127.0.0.1:8000/v1");
  CHECK(config.sim.patient == "llm");
  CHECK(config.sim.llm_patient.backend.backend == "http://127.0.0.1:8001/v1");
  // patient llm without a backend is refused at load time, naming the key.
  CHECK_THROWS_WITH(core::load_config<rl::TrainConfig>(std::nullopt, {"sim.patient=llm"}),
                    Catch::Matchers::Contains("llm_patient.backend"));
  CHECK_THROWS_WITH(core::load_config<rl::TrainConfig>(std::nullopt, {"grpo.reward.grader=judge"}),
                    Catch::Matchers::Contains("grader"));
}

TEST_CASE("verifiers: a whole run with grader mixed on a served judge; eval of its checkpoint reuses the judge",
          "[rl]") {
  test::ScriptedOpenAiServer server([](const core::Conversation& m) { return judge_reply(m, nullptr); });
  test::TempDir dir;
  const fs::path root = dir.path();
  test::write_text(root / "model.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
    "tie_word_embeddings": true})");
  const std::string config = R"({
    "run": {"name": "served", "output_root": ")" + (root / "runs").string() + R"(", "seed": 3, "threads": 1},
    "tokenizer": {"train": {"vocab_size": 300}},
    "policy": {"init_config": ")" + (root / "model.json").string() + R"("},
    "sim": {"max_turns": 3},
    "sft": {"demonstrations": 12, "epochs": 1, "row_length": 256, "rows_per_batch": 4,
            "expert": {"max_turns": 3, "max_tests": 0}},
    "grpo_steps": 2,
    "grpo": {"group_size": 2, "records_per_step": 2, "micro_batch_size": 2,
             "optimizer": {"lr": 1e-3, "total_steps": 2}, "reward": {"grader": "mixed"}},
    "judge": {"backend": ")" + server.base_url() + R"(", "retry_backoff_s": 0},
    "rollout": {"max_turn_tokens": 8, "max_episode_tokens": 256},
    "checkpoints": {"every": 1, "keep_last": 3, "samples_every": 0},
    "eval": {"records": 2}
  })";
  test::write_text(root / "config.json", config);
  auto r = test::run_clinrl("train --config '" + (root / "config.json").string() + "'");
  INFO(r.output);
  REQUIRE(r.status == 0);
  const fs::path run = root / "runs/served";
  auto rows = rl::read_metrics(run / "metrics.jsonl");
  REQUIRE(rows.size() == 2);
  // Generated rubrics carry a match block on every item, so under mixed the rule grader decides them all.
  for (const auto& row : rows) {
    CHECK(row["rubric_items"].get<int64_t>() > 0);
    CHECK(row["ungraded_items"].get<int64_t>() == 0);
    CHECK(row["judge_requests"].get<int64_t>() == 0);
  }
  const auto stored = core::load_config<rl::TrainConfig>(run / "checkpoints/step-000002/train_config.json");
  CHECK(stored.grpo.reward.grader == "mixed");
  CHECK(stored.judge.backend.backend == server.base_url());

  // Eval of the step directory on the training records with a hand-written judge-only rubric file: the
  // run's grader (mixed) and judge come from train_config.json, the rubric file from the command line.
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.test.jsonl");
  records.resize(2);
  records::save_records(root / "records.jsonl", records);
  std::vector<rubric::RecordRubric> rubrics;
  for (const auto& rec : records)
    rubrics.push_back({rec.id, {rubric::RubricItem::from_json({{"criterion", "States the diagnosis"}, {"points", 6}}, "a"),
                                rubric::RubricItem::from_json({{"criterion", "Says xylophonezzz"}, {"points", 2}}, "b")}});
  rubric::save_record_rubrics(root / "rubrics.jsonl", rubrics);
  const size_t before = server.requests();
  auto e = test::run_clinrl("eval --checkpoint '" + (run / "checkpoints/step-000002").string() + "' --suite '" +
                            (root / "records.jsonl").string() + "' --rubrics '" + (root / "rubrics.jsonl").string() +
                            "' --out '" + (root / "report").string() + "'");
  INFO(e.output);
  REQUIRE(e.status == 0);
  CHECK(server.requests() - before == 4);  // two records x two items, no match blocks: all to the judge
  const auto report = core::read_json_file(root / "report/report.json");
  CHECK(report["counts"]["judge"]["items"].get<int64_t>() == 4);
  CHECK(report["flat"]["overall_score"].get<double>() == Approx(0.75));  // 6 / (6 + 2) in every episode
  CHECK(report["config"]["grader"] == "mixed");
}
