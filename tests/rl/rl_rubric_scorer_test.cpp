#include <catch2/catch.hpp>

#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/reward_terms.h"
#include "clinrl/rl/rubric_scorer.h"

namespace fs = std::filesystem;
using namespace clinrl;

TEST_CASE("rubric scorer: the expert's episode scores well, an empty consultation does not", "[rl]") {
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(1);
  auto sims = rl::make_simulators(records, sim::SimOptions{});
  auto book = rl::QuestionBook::load(fs::path(CLINRL_SOURCE_DIR) / "data/rl/expert_questions.json");
  rl::ExpertOptions perfect;
  perfect.skip_topic_probability = 0;
  perfect.wrong_diagnosis_probability = 0;
  perfect.max_turns = 10;
  auto demo = rl::play_demonstrations(sims, book, perfect, 1, 5).at(0);
  rl::ScorerOptions options;
  options.turn_rubrics = true;
  auto scorer = rl::make_rubric_scorer(records, options);

  auto good = scorer->score(records[0], demo.episode, "");
  CHECK(good.has_diagnosis);
  CHECK(good.diagnosis_correct);
  CHECK(good.rubric > 0.3);
  CHECK(good.must_ask_coverage > 0.5);
  size_t doctor_turns = 0;
  for (const auto& t : demo.episode.turns) doctor_turns += t.role == "doctor";
  CHECK(good.turn_scores.size() == doctor_turns);

  auto state = sims[0]->new_episode();
  state.reset(1);
  state.step("DIAGNOSIS: influenza.");
  auto bad = scorer->score(records[0], state.transcript(), "");
  CHECK(bad.has_diagnosis);
  CHECK_FALSE(bad.diagnosis_correct);
  CHECK(bad.rubric < good.rubric);
  CHECK(bad.must_ask_coverage == 0);
}

TEST_CASE("rubric scorer: scores by the record it is given, refuses one it has no rubric for", "[rl]") {
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(2);
  REQUIRE(records[0].diagnosis.name != records[1].diagnosis.name);
  auto sims = rl::make_simulators(records, sim::SimOptions{});
  // The scorer holds the records in the other order: the record, not a position, decides.
  auto scorer = rl::make_rubric_scorer({records[1], records[0]});
  auto state = sims[0]->new_episode();
  state.reset(1);
  state.step("DIAGNOSIS: " + records[0].diagnosis.name + ".");
  CHECK(scorer->score(records[0], state.transcript(), "").diagnosis_correct);
  CHECK_FALSE(scorer->score(records[1], state.transcript(), "").diagnosis_correct);

  auto stranger = records[0];
  stranger.id = "not-in-the-scorer";
  CHECK_THROWS_WITH(scorer->score(stranger, state.transcript(), ""), Catch::Matchers::Contains("not-in-the-scorer"));
  CHECK_THROWS_WITH(rl::make_rubric_scorer({records[0], records[0]}), Catch::Matchers::Contains("occurs twice"));
}

TEST_CASE("rubric scorer: a repeated question does not pay, under the quickstart's reward", "[rl]") {
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/quickstart/records.test.jsonl");
  records.resize(1);
  const auto& record = records[0];
  auto sims = rl::make_simulators(records, sim::SimOptions{});
  rl::ScorerOptions scorer_options;
  scorer_options.turn_rubrics = true;
  auto scorer = rl::make_rubric_scorer(records, scorer_options);
  // The quickstart's reward terms (configs/quickstart.json).
  rl::RewardOptions reward;
  reward.format_penalty = 0.2;
  reward.diagnosis_weight = 1.0;

  auto play = [&](const std::vector<std::string>& doctor) {
    auto state = sims[0]->new_episode();
    state.reset(1);
    for (const auto& line : doctor)
      if (!state.done()) state.step(line);
    auto s = scorer->score(record, state.transcript(), "");
    rl::RewardInputs in;
    in.rubric = s.rubric;
    in.has_diagnosis = s.has_diagnosis;
    in.diagnosis_correct = s.diagnosis_correct;
    return std::make_pair(s, rl::combine_reward(in, reward).total);
  };
  const std::string ask = "When did it start, and have you had a fever?";
  const std::string diagnose = "DIAGNOSIS: " + record.diagnosis.name + ".";
  auto [once, once_reward] = play({ask, diagnose});
  auto [twice, twice_reward] = play({ask, ask, diagnose});
  REQUIRE(once.diagnosis_correct);
  REQUIRE(twice.diagnosis_correct);
  // Each rubric item is met once or not at all: the episode scores exactly the same.
  CHECK(twice.rubric == once.rubric);
  CHECK(twice.must_ask_coverage == once.must_ask_coverage);
  CHECK(twice_reward == once_reward);
  // The per-turn rubric (grpo.credit turn, reward.turn_rubric_weight) penalises the repeat.
  REQUIRE(twice.turn_scores.size() == 3);
  CHECK(twice.turn_scores[1] < 0);
  // And the simulator ends a consultation that keeps repeating itself (sim.repeat_limit 3).
  auto state = sims[0]->new_episode();
  state.reset(1);
  for (int i = 0; i < 3 && !state.done(); ++i) state.step(ask);
  CHECK(state.done());
}
