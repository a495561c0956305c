#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/records/fact_builder.h"
#include "clinrl/records/record_io.h"
#include "support/test_support.h"

using namespace clinrl::records;
using clinrl::test::TempDir;
using clinrl::test::write_text;

namespace {

Record small_record(const std::string& id) {
  Record r;
  r.id = id;
  r.source = "synthetic";
  r.demographics.age_years = 54;
  r.demographics.age_band = "adult";
  r.demographics.sex = "male";
  r.chief_complaint = "chest pain";
  r.facts.push_back(FactBuilder("cc", "chief_complaint", {"chief_complaint"}).lay("my chest hurts").clinical("chest pain").subject("chest pain"));
  r.facts.push_back(FactBuilder("hpi.onset", "hpi", {"onset"}).lay("two hours ago").clinical("onset 2 hours ago").subject("chest pain"));
  r.facts.push_back(FactBuilder("neg.fever", "pertinent_negative", {"symptom:fever"}).lay("no fever").clinical("denies fever").negative().subject("fever"));
  r.facts.push_back(FactBuilder("social.alcohol", "social", {"social:alcohol"})
                        .lay("a few beers").clinical("alcohol 6 units/week").sensitivity(kPersonal).subject("alcohol"));
  r.facts.push_back(FactBuilder("test.troponin", "test", {"test:troponin"}).clinical("troponin raised").subject("troponin").value("2.3 ng/mL (elevated)"));
  r.diagnosis = {"Acute myocardial infarction", "I21.9", {"heart attack"}};
  r.management.tests = {"ecg", "troponin"};
  r.management.contraindicated.push_back({"aspirin", "aspirin allergy"});
  r.red_flags = {"shortness of breath"};
  r.must_ask = {"onset", "symptom:fever"};
  r.urgency = "emergent";
  return r;
}

}  // namespace

TEST_CASE("records round-trip through JSONL byte for byte", "[records]") {
  TempDir dir;
  std::vector<Record> records = {small_record("a"), small_record("b")};
  save_records(dir / "r.jsonl", records);
  auto loaded = load_records(dir / "r.jsonl");
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[1].id == "b");
  CHECK(loaded[0].facts[3].sensitivity == kPersonal);
  CHECK(*loaded[0].demographics.age_years == 54);
  save_records(dir / "s.jsonl", loaded);
  CHECK(clinrl::test::read_text(dir / "r.jsonl") == clinrl::test::read_text(dir / "s.jsonl"));
  CHECK(validate_record(records[0]).empty());
}

TEST_CASE("validation names the record and the field path", "[records]") {
  Record r = small_record("x1");
  r.facts[1].category = "hpii";
  r.facts[2].id = "cc";
  r.facts[4].topics = {"symptom:troponin"};
  r.urgency = "soon";
  r.must_ask.push_back("social:travel");
  r.management.tests.push_back("CXR");
  auto problems = validate_record(r);
  auto has = [&](const std::string& path, const std::string& fragment) {
    for (const auto& p : problems)
      if (p.record_id == "x1" && p.field_path == path && p.message.find(fragment) != std::string::npos) return true;
    return false;
  };
  CHECK(has("facts[1].category", "did you mean 'hpi'"));
  CHECK(has("facts[2].id", "duplicate fact id 'cc'"));
  CHECK(has("facts[4].topics[0]", "must start with 'test:'"));
  CHECK(has("urgency", "'soon'"));
  CHECK(has("must_ask[2]", "no fact answers must-ask topic 'social:travel'"));
  CHECK(has("management.tests[2]", "expected 'chest x-ray'"));
  CHECK(problems.size() == 6);
}

TEST_CASE("bad lines are reported with their line number, never a crash", "[records]") {
  TempDir dir;
  std::string good = clinrl::core::dump_json(record_to_json(small_record("ok")));
  std::string dup = good;
  std::string text = good + "\n" +                                      // 1 ok
                     good.substr(0, good.size() / 2) + "\n" +           // 2 truncated
                     "{\"id\": \"bad\xff\", \"diagnosis\": {}}\n" +     // 3 invalid UTF-8
                     "{\"id\": 7, \"diagnosis\": {\"name\": \"x\"}}\n" +  // 4 wrong type
                     "{\"id\": \"m\"}\n" +                               // 5 missing diagnosis
                     dup + "\n" +                                        // 6 duplicate id
                     std::string(200, '[') + std::string(200, ']') + "\n";  // 7 too deep
  write_text(dir / "bad.jsonl", text);
  RecordSet set = read_records(dir / "bad.jsonl");
  REQUIRE(set.records.size() == 1);
  REQUIRE(set.problems.size() == 6);
  CHECK(set.problems[0].line == 2);
  CHECK(set.problems[0].message.find("truncated JSON") == 0);
  CHECK(set.problems[1].line == 3);
  CHECK(set.problems[1].message.find("invalid UTF-8") == 0);
  CHECK(set.problems[2].line == 4);
  CHECK(set.problems[2].message.find("key 'id' expects a string") != std::string::npos);
  CHECK(set.problems[2].field_path == "id");
  CHECK(set.problems[3].describe("bad.jsonl") == "bad.jsonl:5: record 'm': missing required key 'diagnosis'");
  CHECK(set.problems[4].line == 6);
  CHECK(set.problems[4].message == "duplicate record id (first at line 1); skipped");
  CHECK(set.problems[5].line == 7);
  CHECK_THROWS_AS(load_records(dir / "bad.jsonl"), clinrl::UserError);

  auto run = clinrl::test::run_clinrl("data check --records " + (dir / "bad.jsonl").string());
  CHECK(run.status == 3);  // checked, found problems
  CHECK(run.output.find("bad.jsonl:2: truncated JSON") != std::string::npos);
  CHECK(run.output.find("bad.jsonl:3: invalid UTF-8 at byte") != std::string::npos);
  CHECK(run.output.find("bad.jsonl:5: record 'm': missing required key 'diagnosis'") != std::string::npos);
  CHECK(run.output.find("bad.jsonl:6: record 'ok': duplicate record id (first at line 1)") != std::string::npos);
}

TEST_CASE("a 50 MB single line is handled", "[records]") {
  TempDir dir;
  std::string big = "{\"id\": \"big\", \"diagnosis\": {\"name\": \"x\"}, \"chief_complaint\": \"" + std::string(50u << 20, 'a') + "\"}\n";
  write_text(dir / "big.jsonl", big);
  ReadOptions small;
  small.max_line_bytes = 1u << 20;
  RecordSet set = read_records(dir / "big.jsonl", small);
  REQUIRE(set.problems.size() == 1);
  CHECK(set.problems[0].message.find("over the limit") != std::string::npos);
  RecordSet whole = read_records(dir / "big.jsonl");
  REQUIRE(whole.records.size() == 1);
  CHECK(whole.records[0].chief_complaint.size() == (50u << 20));
}

TEST_CASE("the direct JSONL writer matches nlohmann's dump byte for byte", "[records]") {
  Record r = small_record("w\"1");
  r.facts[0].lay = "tab\there, quote \" backslash \\ newline\n bell \x07 and 36.6°C, 5 μg";
  r.facts[1].clinical = std::string("bad \xff utf8");
  r.demographics.age_years.reset();
  r.demographics.age_band = "90+";
  CHECK(record_to_jsonl(r) == clinrl::core::dump_json(record_to_json(r)));
  CHECK(record_to_jsonl(small_record("plain")) == clinrl::core::dump_json(record_to_json(small_record("plain"))));
}
