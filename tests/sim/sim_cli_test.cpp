// The simulator's commands end to end: clinrl simulate --script and clinrl sim audit.
#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/records/record_io.h"
#include "sim_fixtures.h"
#include "support/test_support.h"

using namespace clinrl;

namespace {
std::string write_records(const test::TempDir& dir) {
  auto path = dir / "records.jsonl";
  records::save_records(path, {sim::test::chest_pain_record()});
  return path.string();
}
}  // namespace

TEST_CASE("clinrl simulate replays a script and saves the episode", "[sim]") {
  test::TempDir dir;
  std::string records = write_records(dir);
  test::write_text(dir / "script.txt", "When did it start?\n\nDo you smoke?\nREQUEST TEST: trop\nDIAGNOSIS: STEMI. Plan: aspirin.\nnever said\n");
  auto r = test::run_clinrl("simulate --records " + records + " --record test-mi-1 --persona open --seed 3 --script " +
                            (dir / "script.txt").string() + " --show-facts --out " + (dir / "ep.json").string());
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("[facts: hpi.onset]") != std::string::npos);
  CHECK(r.output.find("(episode ended: diagnosis)") != std::string::npos);
  CHECK(r.output.find("never said") == std::string::npos);
  auto ep = sim::episode_from_json(core::read_json_file(dir / "ep.json"), "ep.json");
  CHECK(ep.record_id == "test-mi-1");
  CHECK(ep.diagnosis == "STEMI");
  CHECK(ep.plan == "Plan: aspirin.");
  CHECK(ep.termination_reason == "diagnosis");
  CHECK(ep.turns.size() == 9);  // opening + 4 doctor/patient pairs
  CHECK(ep.revealed_fact_ids == std::vector<std::string>{"cc", "hpi.onset", "social.tobacco", "test.troponin"});
}

TEST_CASE("clinrl simulate handles end of input and bad arguments", "[sim]") {
  test::TempDir dir;
  std::string records = write_records(dir);
  auto r = test::run_clinrl("simulate --records " + records + " < /dev/null");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.find("end of input") != std::string::npos);
  auto bad = test::run_clinrl("simulate --records " + records + " --record nope < /dev/null");
  CHECK(bad.status == 2);
  CHECK(bad.output.find("no record with id 'nope'") != std::string::npos);
  auto persona = test::run_clinrl("simulate --records " + records + " --persona shy < /dev/null");
  CHECK(persona.status == 2);
  CHECK(persona.output.find("unknown preset 'shy'") != std::string::npos);
}

TEST_CASE("clinrl sim audit reports precision, leakage and recall", "[sim]") {
  test::TempDir dir;
  std::string records = write_records(dir);
  auto r = test::run_clinrl("sim audit --records " + records + " --out " + (dir / "audit.json").string());
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("OVERALL") != std::string::npos);
  auto j = core::read_json_file(dir / "audit.json");
  INFO(core::dump_json(j["records"][0]));
  CHECK(j["overall"]["fact_precision"].get<double>() == 1.0);
  CHECK(j["overall"]["leakage"].get<int>() == 0);
  CHECK(j["overall"]["recall"].get<double>() == 1.0);
  CHECK(j["overall"]["determinism"].get<double>() == 1.0);
  CHECK(j["overall"]["persona_facts_same"].get<double>() == 1.0);
  CHECK(j["records"][0]["distinct_wordings"].get<int>() > 1);
}
