#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "clinrl/core/json_io.h"
#include "clinrl/records/record_io.h"
#include "clinrl/records/synth.h"
#include "support/test_support.h"

using namespace clinrl::records;

namespace {

const KnowledgeBase& kb() {
  static const KnowledgeBase k = KnowledgeBase::load("data/kb");
  return k;
}

std::string jsonl(const std::vector<Record>& records) {
  std::string out;
  for (const auto& r : records) out += clinrl::core::dump_json(record_to_json(r)) + "\n";
  return out;
}

}  // namespace

TEST_CASE("the generator is deterministic and each record reproducible on its own", "[records]") {
  SynthOptions o;
  o.n = 150;
  auto a = synthesise(kb(), o);
  auto b = synthesise(kb(), o);
  CHECK(jsonl(a) == jsonl(b));
  Record alone = synthesise_record(kb(), o, 137);
  CHECK(clinrl::core::dump_json(record_to_json(alone)) == clinrl::core::dump_json(record_to_json(a[137])));
  o.seed = 8;
  CHECK(jsonl(synthesise(kb(), o)) != jsonl(a));
}

TEST_CASE("generated records are valid, varied and cover every condition", "[records]") {
  SynthOptions o;
  o.n = static_cast<int64_t>(kb().conditions.size()) * 6;
  auto recs = synthesise(kb(), o);
  std::map<std::string, int> per_condition;
  int contraindicated = 0, female = 0, with_sensitive = 0;
  std::set<int> ages;
  for (const auto& r : recs) {
    INFO(r.id);
    auto problems = validate_record(r);
    for (const auto& p : problems) FAIL_CHECK(p.field_path << ": " << p.message);
    ++per_condition[r.condition];
    contraindicated += r.management.contraindicated.empty() ? 0 : 1;
    female += r.demographics.sex == "female" ? 1 : 0;
    ages.insert(*r.demographics.age_years);
    for (const auto& f : r.facts)
      if (f.sensitivity == kIntimate) {
        ++with_sensitive;
        break;
      }
    const Condition* c = kb().find(r.condition);
    REQUIRE(c != nullptr);
    CHECK(*r.demographics.age_years >= c->age_min);
    CHECK(*r.demographics.age_years <= c->age_max);
    if (c->female == 1.0) CHECK(r.demographics.sex == "female");
    CHECK(r.diagnosis.name == c->name);
    CHECK(r.find_fact("vital.heart_rate") != nullptr);
  }
  // A permutation per block of len(conditions) records: each condition exactly 6 times.
  CHECK(per_condition.size() == kb().conditions.size());
  for (const auto& [c, n] : per_condition) CHECK(n == 6);
  CHECK(contraindicated > static_cast<int>(recs.size()) / 20);
  CHECK(female > static_cast<int>(recs.size()) / 3);
  CHECK(female < static_cast<int>(recs.size()) * 3 / 4);
  CHECK(ages.size() > 40);
  CHECK(with_sensitive > 0);
}

TEST_CASE("an allergy that rules out a first-line drug is recorded and the drug replaced", "[records]") {
  SynthOptions o;
  o.contraindication_rate = 1.0;
  o.n = static_cast<int64_t>(kb().conditions.size());
  bool seen = false;
  for (const auto& r : synthesise(kb(), o)) {
    if (r.condition != "community_acquired_pneumonia") continue;
    for (const auto& ci : r.management.contraindicated) {
      if (ci.treatment != "amoxicillin") continue;
      seen = true;
      CHECK(ci.reason.find("penicillin allergy") == 0);
      CHECK(std::find(r.management.first_line.begin(), r.management.first_line.end(), "amoxicillin") == r.management.first_line.end());
      CHECK(std::find(r.management.first_line.begin(), r.management.first_line.end(), "doxycycline") != r.management.first_line.end());
      CHECK(r.find_fact("allergy.penicillin") != nullptr);
    }
    if (!seen) {  // the forced allergy may be the macrolide one
      bool macrolide = false;
      for (const auto& ci : r.management.contraindicated) macrolide = macrolide || ci.treatment == "clarithromycin";
      CHECK(macrolide);
      seen = true;
    }
  }
  CHECK(seen);
}

TEST_CASE("splits are stratified by condition and share no record id", "[records]") {
  SynthOptions o;
  o.n = static_cast<int64_t>(kb().conditions.size()) * 10;
  auto recs = synthesise(kb(), o);
  Split s = split_by_condition(recs, o);
  CHECK(s.train.size() + s.val.size() + s.test.size() == recs.size());
  std::set<std::string> ids;
  std::map<std::string, int> test_per_condition;
  for (const auto* part : {&s.train, &s.val, &s.test})
    for (const auto& r : *part) CHECK(ids.insert(r.id).second);
  for (const auto& r : s.test) ++test_per_condition[r.condition];
  CHECK(test_per_condition.size() == kb().conditions.size());
  for (const auto& [c, n] : test_per_condition) CHECK(n == 1);
  CHECK(split_path("data/records/synth.jsonl", "val") == std::filesystem::path("data/records/synth.val.jsonl"));
}

TEST_CASE("the shipped record files regenerate byte for byte", "[records]") {
  // The command documented in data/records/README.md.
  SynthOptions o;
  o.n = 345;
  o.seed = 7;
  o.val_fraction = 0.2;
  o.test_fraction = 0.2;
  Split s = split_by_condition(synthesise(kb(), o), o);
  CHECK(jsonl(s.train) == clinrl::test::read_text("data/records/synth.train.jsonl"));
  CHECK(jsonl(s.val) == clinrl::test::read_text("data/records/synth.val.jsonl"));
  CHECK(jsonl(s.test) == clinrl::test::read_text("data/records/synth.test.jsonl"));
}

TEST_CASE("the quickstart scenario's record files regenerate byte for byte", "[records]") {
  // The command documented in data/quickstart/README.md: 12 of the knowledge base's conditions.
  KnowledgeBase subset = kb();
  keep_conditions(subset,
                  {"uncomplicated_uti", "migraine", "asthma_exacerbation", "gout", "cellulitis", "gastroenteritis",
                   "bacterial_conjunctivitis", "acute_otitis_media", "depression", "renal_colic", "herpes_zoster", "bppv"},
                  "test");
  CHECK(subset.conditions.size() == 12);
  SynthOptions o;
  o.n = 120;
  o.seed = 11;
  o.val_fraction = 0.1;
  o.test_fraction = 0.3;
  Split s = split_by_condition(synthesise(subset, o), o);
  CHECK(s.train.size() == 72);
  CHECK(s.test.size() == 36);
  CHECK(jsonl(s.train) == clinrl::test::read_text("data/quickstart/records.train.jsonl"));
  CHECK(jsonl(s.val) == clinrl::test::read_text("data/quickstart/records.val.jsonl"));
  CHECK(jsonl(s.test) == clinrl::test::read_text("data/quickstart/records.test.jsonl"));
  KnowledgeBase other = kb();
  CHECK_THROWS_WITH(keep_conditions(other, {"migraine", "no_such"}, "--conditions: data/kb"),
                    "--conditions: data/kb has no condition 'no_such'");
}
