#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/rubric/rule_grader.h"
#include "support/test_support.h"

#include <algorithm>

using namespace clinrl::rubric;
using clinrl::core::Conversation;
using clinrl::core::Json;
using Catch::Matchers::Contains;

namespace {

RubricItem item(int points, const std::string& match_json) {
  RubricItem i;
  i.criterion = "c";
  i.points = points;
  if (!match_json.empty()) i.match = Json::parse(match_json);
  return i;
}

// The verdict of one match block over a dialogue of doctor turns.
std::optional<bool> met(const std::vector<std::string>& doctor_turns, const std::string& match_json) {
  Conversation c;
  for (const auto& t : doctor_turns) {
    c.push_back({"user", "patient words about fever and chest pain"});  // never graded
    c.push_back({"assistant", t});
  }
  RuleGrader grader;
  return grader.grade(c, {item(1, match_json)}).items[0].met;
}

}  // namespace

TEST_CASE("rule grader: negation so that 'no fever' is not 'fever'", "[rubric]") {
  const std::string fever = R"({"any": ["fever"]})";
  CHECK(met({"You have a fever."}, fever) == true);
  CHECK(met({"You have no fever."}, fever) == false);
  CHECK(met({"The patient denies fever or chills."}, fever) == false);
  CHECK(met({"There is no sign of a fever."}, fever) == false);
  CHECK(met({"I don't think this is a fever."}, fever) == false);
  CHECK(met({"Fever has been ruled out."}, fever) == false);
  // Negation stops at the end of a clause and at "but".
  CHECK(met({"No cough, but you do have a fever."}, fever) == true);
  CHECK(met({"No cough. You have a fever."}, fever) == true);
  // Negation reaches only a few words.
  CHECK(met({"No need for more tests today since you clearly have a fever."}, fever) == true);
  // Pseudo-negations are not negations.
  CHECK(met({"Don't hesitate to call an ambulance if it returns."}, R"({"any": ["ambulance"]})") == true);
  CHECK(met({"We cannot rule out a heart attack."}, R"({"any": ["heart attack"]})") == true);
  CHECK(met({"This is not a heart attack."}, R"({"any": ["heart attack"]})") == false);
  // Polarity options.
  CHECK(met({"You have no fever."}, R"({"any": ["fever"], "polarity": "negated"})") == true);
  CHECK(met({"You have a fever."}, R"({"any": ["fever"], "polarity": "negated"})") == false);
  CHECK(met({"You have no fever."}, R"({"any": ["fever"], "polarity": "either"})") == true);
  // Contraindicated treatment: advising against it is not recommending it.
  const std::string amox = R"({"any": ["amoxicillin"]})";
  CHECK(met({"I will prescribe amoxicillin."}, amox) == true);
  CHECK(met({"Do not take amoxicillin because of your allergy."}, amox) == false);
  CHECK(met({"We should avoid amoxicillin."}, amox) == false);
}

TEST_CASE("rule grader: synonyms, plurals and concepts", "[rubric]") {
  CHECK(met({"Have you had a high temperature?"}, R"({"any": ["fever"]})") == true);
  CHECK(met({"Any trouble breathing?"}, R"({"any": ["shortness of breath"]})") == true);
  CHECK(met({"Any palpitation?"}, R"({"any": ["palpitations"]})") == true);
  CHECK(met({"You may be having a heart attack."}, R"({"any": ["myocardial infarction"]})") == true);
  CHECK(met({"Please call an ambulance now."}, R"({"any": ["@emergency_referral"]})") == true);
  CHECK(met({"Please rest."}, R"({"any": ["@emergency_referral"]})") == false);
  // Whole words only.
  CHECK(met({"Let us talk about the weather."}, R"({"any": ["heat"]})") == false);
  CHECK(met({"Feverishness aside"}, R"({"any": ["fever"]})") == false);
}

TEST_CASE("rule grader: questions, all, none", "[rubric]") {
  CHECK(met({"Do you smoke?"}, R"({"any": ["smoke"], "question": true})") == true);
  CHECK(met({"You should stop... you smoke a lot."}, R"({"any": ["smoke"], "question": true, "polarity": "either"})") == false);
  CHECK(met({"Any fever? Any cough?"}, R"({"all": ["fever", "cough"]})") == true);
  CHECK(met({"Any fever?"}, R"({"all": ["fever", "cough"]})") == false);
  // Reassurance without referral.
  const std::string reassure_only = R"({"any": ["@reassurance"], "none": ["@emergency_referral"]})";
  CHECK(met({"It's probably nothing, rest at home."}, reassure_only) == true);
  CHECK(met({"It's probably nothing, but go to the emergency department now."}, reassure_only) == false);
  // "don't go to the hospital" is not a referral.
  CHECK(met({"Don't worry. Don't go to the hospital."}, reassure_only) == true);
}

TEST_CASE("rule grader: the DIAGNOSIS line", "[rubric]") {
  const std::string mi = R"({"diagnosis": ["acute myocardial infarction"]})";
  CHECK(met({"Tell me more.", "DIAGNOSIS: Acute myocardial infarction"}, mi) == true);
  CHECK(met({"Thanks.\nDiagnosis: STEMI (heart attack)"}, mi) == true);         // synonym
  CHECK(met({"**DIAGNOSIS:** acute MI"}, mi) == true);                             // markdown
  CHECK(met({"final diagnosis: heart attack"}, mi) == true);
  CHECK(met({"This could be a heart attack."}, mi) == false);                      // not on a DIAGNOSIS line
  CHECK(met({"DIAGNOSIS: not a heart attack, likely reflux"}, mi) == false);       // negated
  CHECK(met({"DIAGNOSIS: pericarditis"}, mi) == false);
  CHECK(met({"Some diagnosis is needed"}, R"({"has_diagnosis": true})") == false);
  CHECK(met({"DIAGNOSIS: pericarditis"}, R"({"has_diagnosis": true})") == true);
  CHECK(met({"Any pain?"}, R"({"has_diagnosis": false})") == true);
}

TEST_CASE("rule grader: scope is the whole dialogue, the last turn or one turn", "[rubric]") {
  std::vector<std::string> turns = {"Do you have a fever?", "How long has the cough lasted?"};
  CHECK(met(turns, R"({"any": ["fever"]})") == true);
  CHECK(met(turns, R"({"any": ["fever"], "scope": "last"})") == false);
  CHECK(met(turns, R"({"any": ["cough"], "scope": "last"})") == true);
  CHECK(met(turns, R"({"any": ["fever"], "scope": 0})") == true);
  CHECK(met(turns, R"({"any": ["fever"], "scope": -1})") == false);
  CHECK(met(turns, R"({"any": ["fever"], "scope": 5})") == false);
  CHECK(met({}, R"({"any": ["fever"]})") == false);
  // Patient turns are never graded.
  CHECK(met({"Okay."}, R"({"any": ["chest pain"]})") == false);
}

TEST_CASE("rule grader: items without match are ungraded; bad blocks are errors", "[rubric]") {
  RuleGrader grader;
  Conversation c = {{"user", "hi"}, {"assistant", "Do you have a fever?"}};
  Rubric r = {item(3, R"({"any": ["fever"]})"), item(2, ""), item(-1, R"({"any": ["cough"]})")};
  auto result = grader.grade(c, r);
  CHECK(result.items[0].met == std::optional<bool>(true));
  CHECK_FALSE(result.items[1].met.has_value());
  CHECK_THAT(result.items[1].explanation, Contains("ungraded"));
  CHECK(result.items[2].met == std::optional<bool>(false));
  CHECK(result.ungraded() == 1);
  CHECK(*graded_score(r, result) == 1.0);  // 3 / 3 over the graded items

  CHECK_THROWS_WITH(grader.grade(c, {item(1, R"({"anny": ["x"]})")}), Contains("unknown key 'anny'") && Contains("'any'"));
  CHECK_THROWS_WITH(grader.grade(c, {item(1, R"({"scope": "last"})")}), Contains("at least one of"));
  CHECK_THROWS_WITH(grader.grade(c, {item(1, R"({"any": ["@empathyy"]})")}), Contains("@empathyy") && Contains("@empathy"));
  CHECK_THROWS_WITH(grader.grade(c, {item(1, R"({"any": ["x"], "polarity": "maybe"})")}), Contains("polarity"));
}

TEST_CASE("rule grader: word lists come from data files with located errors", "[rubric]") {
  const auto& lex = Lexicon::builtin();
  CHECK(lex.concepts.count("emergency_referral") == 1);
  CHECK(lex.topic_phrases("social:tobacco").front() == "smoke");
  CHECK(lex.topic_phrases("symptom:fever").front() == "fever");
  // The records module's symptom table extends the groups.
  auto fever = lex.expand("pyrexia");
  CHECK(std::find(fever.begin(), fever.end(), "fever") != fever.end());
  CHECK(stemmed_words("Don’t take the Tablets!") == std::vector<std::string>{"don't", "take", "the", "tablet"});

  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "rubric/synonyms.json", R"({"groups": [["a", "b"]]})");
  clinrl::test::write_text(dir / "rubric/negation.json", R"({"before": ["no"], "window": 0})");
  clinrl::test::write_text(dir / "rubric/phrases.json", R"({"concepts": {}})");
  CHECK_THROWS_WITH(Lexicon::load(dir / "rubric"), Contains("negation.json") && Contains("window"));
  clinrl::test::write_text(dir / "rubric/negation.json", R"({"before": ["no"]})");
  clinrl::test::write_text(dir / "rubric/phrases.json", R"({"concepts": {"x": ["ok", 3]}})");
  CHECK_THROWS_WITH(Lexicon::load(dir / "rubric"), Contains("phrases.json") && Contains("concepts.x[1]"));
}
