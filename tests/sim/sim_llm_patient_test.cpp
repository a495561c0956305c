// The LLM-worded patient: the fact checker's rules, and the realiser's
// reject-and-regenerate loop with a scripted backend.
#include <catch2/catch.hpp>

#include <deque>

#include "clinrl/sim/fact_checker.h"
#include "clinrl/sim/llm_realiser.h"
#include "sim_fixtures.h"

namespace clinrl::sim {
namespace {

// Answers from a list (the last one repeats) and records every request.
class ScriptedModel : public core::LanguageModel {
 public:
  explicit ScriptedModel(std::vector<std::string> replies) : replies_(replies.begin(), replies.end()) {}
  std::string chat(const core::Conversation& messages, const core::ChatOptions& options) override {
    requests.push_back(messages);
    seeds.push_back(options.seed);
    std::string r = replies_.front();
    if (replies_.size() > 1) replies_.pop_front();
    return r;
  }
  std::vector<core::Conversation> requests;
  std::vector<uint64_t> seeds;

 private:
  std::deque<std::string> replies_;
};

struct RuleTurn {
  std::vector<Statement> statements;
  std::vector<uint8_t> revealed;
};

// The rule engine's content for the doctor's question after the opening.
RuleTurn rule_turn(const std::string& question) {
  auto sim = test::simulator();
  auto ep = sim->new_episode();
  ep.reset(1);
  auto turn = ep.step(question);
  RuleTurn out{turn.metadata.statements, std::vector<uint8_t>(sim->record().facts.size(), 0)};
  for (size_t i = 0; i < sim->record().facts.size(); ++i)
    for (const auto& id : ep.transcript().revealed_fact_ids)
      if (sim->record().facts[i].id == id) out.revealed[i] = 1;
  return out;
}

}  // namespace

TEST_CASE("fact checker: accepts a faithful paraphrase and names what a reply adds", "[sim][llm_patient]") {
  FactChecker checker(test::lexicon());
  const auto record = test::chest_pain_record();
  auto onset = rule_turn("When did the pain start?");

  CHECK(checker.check(record, onset.statements, "It came on about 2 hours ago, doctor.", &onset.revealed).ok());
  // The chief complaint is known from the opening and may be named again.
  CHECK(checker.check(record, onset.statements, "The chest pain started two hours ago.", &onset.revealed).ok());

  auto wrong_number = checker.check(record, onset.statements, "It started three hours ago.", &onset.revealed);
  REQUIRE(wrong_number.violations.size() == 1);
  CHECK(wrong_number.violations[0] == "states the number 3, which this turn's facts do not contain");

  auto invented = checker.check(record, onset.statements, "Two hours ago, and I have a fever too.", &onset.revealed);
  REQUIRE(invented.violations.size() == 2);
  CHECK(invented.violations[0] == "mentions 'fever', which this turn does not reveal");
  CHECK(invented.violations[1] == "mentions 'fever' (fact neg.fever), which the rules did not select for this turn");

  auto leaked = checker.check(record, onset.statements, "Two hours ago. My troponin was 2.3 apparently.", &onset.revealed);
  REQUIRE(leaked.violations.size() == 2);
  CHECK(leaked.violations[0] == "states the number 2.3, which this turn's facts do not contain");
  CHECK(leaked.violations[1] == "mentions 'troponin' (fact test.troponin), which the rules did not select for this turn");

  auto diagnosed = checker.check(record, onset.statements, "Two hours ago. Is it an acute myocardial infarction?",
                                 &onset.revealed);
  REQUIRE(diagnosed.violations.size() == 1);
  CHECK(diagnosed.violations[0] ==
        "names the diagnosis 'Acute myocardial infarction', which the patient does not know");
}

TEST_CASE("fact checker: a denied symptom stays denied", "[sim][llm_patient]") {
  FactChecker checker(test::lexicon());
  const auto record = test::chest_pain_record();
  auto fever = rule_turn("Have you had a fever?");
  CHECK(checker.check(record, fever.statements, "No, no fever at all.", &fever.revealed).ok());
  auto flipped = checker.check(record, fever.statements, "Yes, I've had a fever.", &fever.revealed);
  REQUIRE(flipped.violations.size() == 1);
  CHECK(flipped.violations[0] == "affirms 'fever', which the patient denies");
}

TEST_CASE("llm patient: a rejected reply is regenerated with the reasons; the accepted one is the turn", "[sim][llm_patient]") {
  auto model = std::make_shared<ScriptedModel>(std::vector<std::string>{
      "Hello doctor, I have this crushing pain in my chest.",  // opening: the chief complaint fact
      "It started three hours ago.",                           // rejected: wrong number
      "Patient: \"It started about two hours ago.\""});        // accepted, label and quotes removed
  auto realiser = std::make_shared<LlmRealiser>(model, test::lexicon(), LlmPatientOptions{});
  auto sim = PatientSimulator::create(test::chest_pain_record(), test::lexicon(), test::fixed_options(), realiser);
  auto ep = sim->new_episode();
  auto opening = ep.reset(7);
  CHECK(opening.text == "Hello doctor, I have this crushing pain in my chest.");
  auto turn = ep.step("When did the pain start?");
  CHECK(turn.text == "It started about two hours ago.");
  CHECK(turn.revealed_fact_ids == std::vector<std::string>{"hpi.onset"});

  auto stats = realiser->stats();
  CHECK(stats.turns == 2);
  CHECK(stats.requests == 3);
  CHECK(stats.rejected == 1);
  CHECK(stats.fallbacks == 0);

  // The LLM sees the question, the persona and this turn's content only.
  const auto& first = model->requests[1];
  REQUIRE(first.size() == 2);
  CHECK(first[1].content.find("The doctor says: \"When did the pain start?\"") != std::string::npos);
  CHECK(first[1].content.find("started about two hours ago.") != std::string::npos);
  for (const char* hidden : {"troponin", "cocaine", "amlodipine", "myocardial"}) {
    CHECK(first[0].content.find(hidden) == std::string::npos);
    CHECK(first[1].content.find(hidden) == std::string::npos);
  }
  // The retry carries the rejected reply and the reason, with the next seed.
  const auto& retry = model->requests[2];
  REQUIRE(retry.size() == 4);
  CHECK(retry[2].content == "It started three hours ago.");
  CHECK(retry[3].content ==
        "That reply is not allowed: it states the number 3, which this turn's facts do not contain. Reply again, "
        "conveying only the listed content.");
  CHECK(model->seeds[2] == model->seeds[1] + 1);
}

TEST_CASE("llm patient: after max_attempts the rule wording is used, or the turn fails", "[sim][llm_patient]") {
  auto record = test::chest_pain_record();
  auto rule_sim = PatientSimulator::create(record, test::lexicon(), test::fixed_options());
  auto rule_ep = rule_sim->new_episode();
  rule_ep.reset(7);
  const std::string rule_text = rule_ep.step("When did the pain start?").text;

  auto model = std::make_shared<ScriptedModel>(std::vector<std::string>{"I have a fever."});
  LlmPatientOptions options;
  options.max_attempts = 2;
  auto realiser = std::make_shared<LlmRealiser>(model, test::lexicon(), options);
  auto sim = PatientSimulator::create(record, test::lexicon(), test::fixed_options(), realiser);
  auto ep = sim->new_episode();
  ep.reset(7);  // rejected twice too: the opening falls back as well
  CHECK(ep.step("When did the pain start?").text == rule_text);
  auto stats = realiser->stats();
  CHECK(stats.requests == 4);
  CHECK(stats.rejected == 4);
  CHECK(stats.fallbacks == 2);

  options.fallback_to_rules = false;
  auto strict = PatientSimulator::create(record, test::lexicon(), test::fixed_options(),
                                         std::make_shared<LlmRealiser>(model, test::lexicon(), options));
  auto strict_ep = strict->new_episode();
  CHECK_THROWS_WITH(strict_ep.reset(7), Catch::Contains("no acceptable reply for record test-mi-1 after 2 attempts"));
}

}  // namespace clinrl::sim
