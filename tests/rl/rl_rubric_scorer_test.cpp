#include <catch2/catch.hpp>

#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
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
