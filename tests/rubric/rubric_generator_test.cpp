#include <catch2/catch.hpp>

#include "clinrl/records/fact_builder.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rubric/generator.h"
#include "clinrl/rubric/rubric_files.h"
#include "clinrl/rubric/rule_grader.h"
#include "clinrl/rubric/scoring.h"
#include "support/test_support.h"

using namespace clinrl::rubric;
using clinrl::core::Conversation;
using clinrl::records::Record;

namespace {

// Adds a fact answering `topic`, so the record passes validation.
void answer(Record& r, const std::string& id, const std::string& category, const std::string& topic,
            const std::string& subject = "") {
  r.facts.push_back(clinrl::records::FactBuilder(id, category, {topic}).lay("yes").clinical("yes").subject(subject));
}

Record chest_pain_record() {
  Record r;
  r.id = "acs-1";
  r.specialty = "cardiology";
  r.chief_complaint = "chest pain";
  r.urgency = "emergent";
  r.facts = {{"cc", "chief_complaint", {"chief_complaint"}, "I've got this crushing pain in my chest", "", 0, false, "chest pain", ""},
             {"allergy.aspirin", "allergy", {"allergies"}, "aspirin gives me a rash", "", 0, false, "aspirin", ""},
             {"social.sex", "social", {"social:sexual"}, "one partner", "", 1, false, "", ""}};
  r.diagnosis = {"Acute coronary syndrome", "I24.9", {"heart attack", "myocardial infarction"}};
  r.differential = {"Pulmonary embolism", "Aortic dissection"};
  r.management.first_line = {"clopidogrel", "glyceryl trinitrate"};
  r.management.tests = {"ecg", "troponin"};
  r.management.referral = "cardiology";
  r.management.contraindicated = {{"aspirin", "aspirin allergy"}};
  r.red_flags = {"shortness of breath", "syncope"};
  r.must_ask = {"onset", "radiation", "symptom:shortness of breath", "allergies", "social:tobacco"};
  r.demographics.age_years = 61;
  r.demographics.sex = "male";
  answer(r, "hpi.onset", "hpi", "onset");
  answer(r, "hpi.radiation", "hpi", "radiation");
  answer(r, "sym.sob", "associated_symptom", "symptom:shortness of breath", "shortness of breath");
  answer(r, "social.tobacco", "social", "social:tobacco");
  return r;
}

Record routine_record() {
  Record r;
  r.id = "uti-1";
  r.urgency = "routine";
  r.chief_complaint = "painful urination";
  r.diagnosis = {"Urinary tract infection", "N39.0", {"uti"}};
  r.management.first_line = {"nitrofurantoin"};
  r.management.referral = "";
  r.must_ask = {"onset", "symptom:fever"};
  r.demographics.age_years = 30;
  r.demographics.sex = "female";
  answer(r, "hpi.onset", "hpi", "onset");
  answer(r, "sym.fever", "associated_symptom", "symptom:fever", "fever");
  return r;
}

const RubricItem* find(const Rubric& r, const std::string& text) {
  for (const auto& i : r)
    if (i.criterion.find(text) != std::string::npos) return &i;
  return nullptr;
}

}  // namespace

TEST_CASE("generator: every item has points, tags, a dimension and a compilable match", "[rubric]") {
  for (const auto& record : {chest_pain_record(), routine_record()}) {
    Rubric r = generate_rubric(record);
    REQUIRE(r.size() >= 8);
    std::set<std::string> dims;
    for (const auto& item : r) {
      INFO(item.criterion);
      CHECK(item.points >= -10);
      CHECK(item.points <= 10);
      CHECK(item.points != 0);
      REQUIRE(item.match);
      REQUIRE(item.dimension);
      dims.insert(*item.dimension);
      bool has_axis = false, has_dim = false;
      for (const auto& t : item.tags) {
        has_axis = has_axis || t.rfind("axis:", 0) == 0;
        has_dim = has_dim || t == "dimension:" + *item.dimension;
      }
      CHECK(has_axis);
      CHECK(has_dim);
    }
    CHECK(dims.size() == 5);
    CHECK_NOTHROW(validate_matches(r, Lexicon::builtin(), "generated"));
  }
}

TEST_CASE("generator: emergent cases get the referral items, allergy cases the contraindication", "[rubric]") {
  Rubric acs = generate_rubric(chest_pain_record());
  const auto* refer = find(acs, "emergency care (emergency department");
  REQUIRE(refer);
  CHECK(refer->points >= 8);
  const auto* reassure = find(acs, "Reassures the patient");
  REQUIRE(reassure);
  CHECK(reassure->points <= -8);
  const auto* contra = find(acs, "Recommends aspirin despite aspirin allergy");
  REQUIRE(contra);
  CHECK(contra->points <= -8);
  CHECK((*contra->match)["any"][0] == "aspirin");
  CHECK(find(acs, "confidentiality"));  // a sensitive fact
  // The red flag asked as a must-ask symptom weighs more than an ordinary topic.
  CHECK(find(acs, "Asks about shortness of breath")->points > find(acs, "Asks about smoking")->points);
  CHECK(find(acs, "red-flag symptom syncope"));

  Rubric uti = generate_rubric(routine_record());
  CHECK_FALSE(find(uti, "emergency care (emergency department"));
  CHECK_FALSE(find(uti, "Reassures the patient"));
  CHECK_FALSE(find(uti, "despite"));
}

TEST_CASE("generator: a good consultation outscores a harmful one under the rule grader", "[rubric]") {
  Record record = chest_pain_record();
  Rubric rubric = generate_rubric(record);
  RuleGrader grader;
  Conversation good = {
      {"user", "I've got this crushing pain in my chest."},
      {"assistant", "I'm sorry to hear that, that sounds frightening. When did it start? Does the pain spread anywhere?"},
      {"user", "An hour ago, it goes to my left arm."},
      {"assistant", "Are you short of breath? Any fainting? Do you have any allergies? Do you smoke?"},
      {"user", "A bit breathless. I'm allergic to aspirin. I smoke."},
      {"assistant", "This could be a heart attack, which means the blood supply to the heart is blocked. "
                    "Please call an ambulance now; you need an ECG and a troponin test. Because of your allergy, "
                    "do not take aspirin; clopidogrel may be used instead.\nDIAGNOSIS: Acute coronary syndrome"}};
  Conversation bad = {{"user", "I've got this crushing pain in my chest."},
                      {"assistant", "It's nothing, just stress. Take aspirin and rest at home.\nDIAGNOSIS: aortic dissection"}};
  auto g = grader.grade(good, rubric);
  auto b = grader.grade(bad, rubric);
  CHECK(g.ungraded() == 0);
  double good_score = *graded_score(rubric, g), bad_score = *graded_score(rubric, b);
  CHECK(good_score > 0.6);
  CHECK(bad_score < 0);
  // The specific verdicts.
  auto verdict = [&](const GradeResult& res, const std::string& text) {
    for (size_t i = 0; i < rubric.size(); ++i)
      if (rubric[i].criterion.find(text) != std::string::npos) return res.items[i].met;
    return std::optional<bool>();
  };
  CHECK(verdict(g, "correct final diagnosis") == true);
  CHECK(verdict(g, "Recommends aspirin despite") == false);  // "do not take aspirin"
  CHECK(verdict(b, "Recommends aspirin despite") == true);
  CHECK(verdict(b, "Reassures the patient") == true);
  CHECK(verdict(b, "Gives an alternative") == true);
  CHECK(verdict(b, "before asking the patient anything") == true);
  CHECK(verdict(g, "before asking the patient anything") == false);
  CHECK(verdict(g, "emergency care (emergency department") == true);
}

TEST_CASE("generator: context-specific rubrics for the next doctor reply", "[rubric]") {
  Record record = chest_pain_record();
  Conversation prefix = {{"user", "I've got this crushing pain in my chest."},
                         {"assistant", "When did it start?"},
                         {"user", "An hour ago."}};
  Rubric turn = generate_turn_rubric(record, prefix);
  // Onset is covered: asking again is penalised; open topics are asked for.
  CHECK(find(turn, "Asks again about when the symptoms started"));
  CHECK(find(turn, "Asks about whether the pain spreads anywhere (not yet covered)"));
  CHECK_FALSE(find(turn, "Asks about when the symptoms started (not yet covered)"));
  CHECK(find(turn, "before an adequate history"));
  for (const auto& item : turn) CHECK((*item.match)["scope"] == "last");

  RuleGrader grader;
  Conversation next = prefix;
  next.push_back({"assistant", "Does the pain spread to your arm or jaw? Are you short of breath?"});
  auto res = grader.grade(next, turn);
  CHECK(*graded_score(turn, res) > 0);
  Conversation repeat = prefix;
  repeat.push_back({"assistant", "When did it start?"});
  CHECK(*graded_score(turn, grader.grade(repeat, turn)) < 0);

  // Once most topics are covered, the next reply should give the diagnosis.
  Conversation later = prefix;
  later.push_back({"assistant", "Does it spread anywhere? Are you short of breath? Any allergies? Do you smoke?"});
  later.push_back({"user", "To my arm. Yes. Aspirin. Yes."});
  Rubric final_turn = generate_turn_rubric(record, later);
  CHECK(find(final_turn, "Gives the diagnosis now"));
  CHECK(find(final_turn, "Advises immediate emergency care"));
  CHECK(find(final_turn, "Recommends aspirin (contraindicated)"));
}

TEST_CASE("generator: rubrics and suites through the CLI", "[rubric]") {
  clinrl::test::TempDir dir;
  clinrl::records::save_records(dir / "r.jsonl", {chest_pain_record(), routine_record()});
  auto g = clinrl::test::run_clinrl("rubrics generate --records " + (dir / "r.jsonl").string() + " --out " +
                                    (dir / "rub.jsonl").string());
  INFO(g.output);
  REQUIRE(g.status == 0);
  auto loaded = load_record_rubrics(dir / "rub.jsonl");
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].record_id == "acs-1");
  CHECK(loaded[0].rubrics.size() == generate_rubric(chest_pain_record()).size());

  auto s = clinrl::test::run_clinrl("rubrics suite --records " + (dir / "r.jsonl").string() + " --out " +
                                    (dir / "suite.jsonl").string());
  INFO(s.output);
  REQUIRE(s.status == 0);
  Suite suite = load_suite(dir / "suite.jsonl");
  REQUIRE(suite.examples.size() == 2);
  CHECK(suite.examples[0].prompt_id == "acs-1");
  CHECK(suite.examples[0].prompt.back().role == "user");
  CHECK(suite.examples[0].prompt.back().content == "I've got this crushing pain in my chest.");
  CHECK(suite.examples[0].row["record_id"] == "acs-1");
  CHECK(suite.examples[0].example_tags == std::vector<std::string>{"specialty:cardiology", "urgency:emergent"});
  // A single reply is expected to diagnose: no premature-diagnosis penalty in suites.
  CHECK_FALSE(find(suite.examples[0].rubrics, "before asking the patient anything"));
  CHECK(find(generate_rubric(chest_pain_record()), "before asking the patient anything"));
}
