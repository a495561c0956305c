#include <catch2/catch.hpp>

#include <algorithm>

#include "clinrl/core/json_io.h"
#include "clinrl/records/agentclinic.h"
#include "clinrl/records/record_io.h"
#include "support/test_support.h"

using namespace clinrl::records;
using clinrl::test::TempDir;
using clinrl::test::write_text;

namespace {

bool has_topic(const Record& r, const std::string& topic) {
  for (const auto& f : r.facts)
    if (std::find(f.topics.begin(), f.topics.end(), topic) != f.topics.end()) return true;
  return false;
}

const Fact* fact_with_topic(const Record& r, const std::string& topic) {
  for (const auto& f : r.facts)
    if (std::find(f.topics.begin(), f.topics.end(), topic) != f.topics.end()) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("helpers parse demographics, denials, history topics and test paths", "[records]") {
  auto d = parse_demographics("35-year-old female", "");
  CHECK(*d.demographics.age_years == 35);
  CHECK(d.demographics.sex == "female");
  auto infant = parse_demographics("8-month-old boy", "");
  CHECK(*infant.demographics.age_years == 0);
  CHECK(infant.demographics.age_band == "infant");
  CHECK(infant.demographics.sex == "male");
  auto pron = parse_demographics("23-year-old college student", "She reports pain. Her mother is well.");
  CHECK(pron.demographics.sex == "female");
  auto old = parse_demographics("93-year-old man", "");
  CHECK_FALSE(old.demographics.age_years.has_value());
  CHECK(old.demographics.age_band == "90+");

  CHECK(denied_items("Patient denies experiencing any chest pain, palpitations, shortness of breath, or recent infections.") ==
        std::vector<std::string>{"chest pain", "palpitations", "shortness of breath", "infections"});
  CHECK(denied_items("No additional systemic symptoms mentioned.").empty());
  CHECK(history_topics("The pain radiates to the left arm and is worse on exertion.") ==
        std::vector<std::string>{"location", "radiation", "aggravating"});
  CHECK(split_sentences("She has pain. It is 5.5 cm wide. Dr. Smith saw her.").size() == 3);

  CHECK(test_name_for_path({"Imaging", "Chest_Radiograph", "Findings"}).name == "chest x-ray");
  CHECK(test_name_for_path({"Chest_X-Ray", "Findings"}).name == "chest x-ray");
  auto hb = test_name_for_path({"Blood_Tests", "CBC", "Hemoglobin"});
  CHECK(hb.name == "hemoglobin");
  CHECK(hb.topics == std::vector<std::string>{"hemoglobin", "complete blood count"});
  CHECK(test_name_for_path({"Urinalysis", "Glucose"}).name == "urine glucose");
  CHECK(test_name_for_path({"Electrocardiogram", "Findings"}).name == "ecg");
}

TEST_CASE("irregular cases are imported with warnings; unusable lines rejected with line numbers", "[records]") {
  TempDir dir;
  std::string good = R"J({"OSCE_Examination": {"Objective_for_Doctor": "x", "Patient_Actor": {"Demographics": "40-year-old man",
    "History": "He reports chest pain that started 2 hours ago.", "Symptoms": {"Primary_Symptom": "Chest pain", "Secondary_Symptoms": []},
    "Past_Medical_History": {"Cardiac": "Hypertension treated with amlodipine"}, "Social_History": ["Smokes 10 cigarettes a day", "Works as a chef"],
    "Review_of_Systems": ["Denies fever or cough."], "Family_History": "Father had a heart attack", "Hobbies": "Chess"},
    "Physical_Examination_Findings": {"Vital_Signs": {"Heart_Rate": "98 bpm", "Normal": true}, "Cardiovascular_Examination": {"A": {"B": {"C": {"D": "Normal S1 S2 at 37°C, 5 μg"}}}}},
    "Test_Results": {"Blood_Work": {"Troponin_I": "0.9 ng/mL"}, "Imaging": {"Chest_Radiograph": {"Findings": "Clear"}}, "Empty": {}},
    "Correct_Diagnosis": "Acute myocardial infarction (AMI)"}})J";
  good.erase(std::remove(good.begin(), good.end(), '\n'), good.end());
  write_text(dir / "in.jsonl", good + "\n" +
                                   "{\"OSCE_Examination\": {\"Patient_Actor\": {}}}\n" +  // 2: no diagnosis
                                   "not json at all\n" +                                 // 3
                                   "[1, 2]\n" +                                          // 4: not an object
                                   good.substr(0, 80) + "\n");                           // 5: truncated
  auto result = import_agentclinic(dir / "in.jsonl");
  REQUIRE(result.records.size() == 1);
  REQUIRE(result.rejections.size() == 4);
  CHECK(result.rejections[0].line == 2);
  CHECK(result.rejections[0].message == "missing or empty 'OSCE_Examination.Correct_Diagnosis'");
  CHECK(result.rejections[1].line == 3);
  CHECK(result.rejections[2].line == 4);
  CHECK(result.rejections[2].message == "expected a JSON object");
  CHECK(result.rejections[3].line == 5);
  CHECK(result.rejections[3].message.find("truncated JSON") == 0);

  const Record& r = result.records[0];
  CHECK(validate_record(r).empty());
  CHECK(r.id == "agentclinic-1");
  CHECK(r.diagnosis.name == "Acute myocardial infarction");
  CHECK(r.diagnosis.synonyms == std::vector<std::string>{"AMI"});
  CHECK(r.chief_complaint == "chest pain");
  CHECK(r.demographics.sex == "male");
  CHECK(has_topic(r, "onset"));
  CHECK(has_topic(r, "medications"));
  CHECK(has_topic(r, "social:tobacco"));
  CHECK(has_topic(r, "social:occupation"));
  CHECK(has_topic(r, "family"));
  const Fact* fever = fact_with_topic(r, "symptom:fever");
  REQUIRE(fever);
  CHECK(fever->negative);
  CHECK(fact_with_topic(r, "test:troponin")->value == "0.9 ng/mL");
  CHECK(fact_with_topic(r, "test:chest x-ray")->value == "Clear");
  CHECK(fact_with_topic(r, "exam:cardiovascular")->value == "Normal S1 S2 at 37°C, 5 μg");
  CHECK(fact_with_topic(r, "vital:normal")->value == "yes");
  CHECK(result.cases_with_warnings == 1);
  bool hobby_warned = false, empty_warned = false;
  for (const auto& w : result.warnings) {
    hobby_warned = hobby_warned || w.message.find("Patient_Actor.Hobbies is not a known key") != std::string::npos;
    empty_warned = empty_warned || w.message.find("empty test entry 'Empty'") != std::string::npos;
  }
  CHECK(hobby_warned);
  CHECK(empty_warned);
}

TEST_CASE("the AgentClinic MedQA file imports completely", "[records]") {
  CLINRL_REQUIRE_SHARED(path, "agentclinic/agentclinic_medqa.jsonl");
  auto result = import_agentclinic(path);
  CHECK(result.rejections.empty());
  REQUIRE(result.records.size() == 107);
  for (const auto& r : result.records) {
    INFO(r.id);
    for (const auto& p : validate_record(r)) FAIL_CHECK(p.field_path << ": " << p.message);
  }
  const Record& first = result.records[0];
  CHECK(first.id == "agentclinic-1");
  CHECK(*first.demographics.age_years == 35);
  CHECK(first.demographics.sex == "female");
  CHECK(first.chief_complaint == "double vision");
  CHECK(first.diagnosis.name == "Myasthenia gravis");
  CHECK(fact_with_topic(first, "test:acetylcholine receptor antibodies")->value == "Present (elevated)");
  CHECK(fact_with_topic(first, "test:chest ct")->value == "Normal, no thymoma or other masses detected.");
  CHECK(fact_with_topic(first, "vital:temperature")->value == "36.6°C (97.9°F)");
  CHECK(fact_with_topic(first, "exam:cranial nerves") != nullptr);
  CHECK(fact_with_topic(first, "symptom:palpitations")->negative);
  CHECK(fact_with_topic(first, "social:alcohol")->sensitivity == kPersonal);
  CHECK(result.records[1].diagnosis.synonyms == std::vector<std::string>{"PML"});
  // Review_of_Systems as an object (line 61) keeps its systems.
  CHECK(has_topic(result.records[60], "ros:ent"));
  // The boolean vital-sign leaf (line 77) is kept.
  CHECK(fact_with_topic(result.records[76], "vital:within normal limits")->value == "yes");
  // Chest imaging written several ways maps to one topic.
  int chest_xray = 0;
  for (const auto& r : result.records) chest_xray += has_topic(r, "test:chest x-ray") ? 1 : 0;
  CHECK(chest_xray >= 5);

  TempDir dir;
  auto run = clinrl::test::run_clinrl("data import --format agentclinic --quiet --records " + path.string() + " --out " + (dir / "ac.jsonl").string());
  CHECK(run.status == 0);
  CHECK(run.output.find("imported 107") != std::string::npos);
  CHECK(run.output.find("rejected 0") != std::string::npos);
  auto check = clinrl::test::run_clinrl("data check --records " + (dir / "ac.jsonl").string());
  CHECK(check.status == 0);
  CHECK(check.output.find("107 records, 0 schema problems, 0 identifier findings") != std::string::npos);
}
