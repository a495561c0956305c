#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/rubric/agreement.h"
#include "support/test_support.h"

using namespace clinrl::rubric;
using Catch::Matchers::Contains;

TEST_CASE("agreement: per-class precision, recall and balanced F1 by hand", "[rubric]") {
  // A: T T T F F F ; B: T T F F F T
  std::vector<bool> a = {true, true, true, false, false, false};
  std::vector<bool> b = {true, true, false, false, false, true};
  auto r = compute_agreement(a, b);
  CHECK(r.met.precision == Approx(2.0 / 3));  // 2 of A's 3 "met" agree
  CHECK(r.met.recall == Approx(2.0 / 3));     // 2 of B's 3 "met" found
  CHECK(r.not_met.precision == Approx(2.0 / 3));
  CHECK(r.not_met.recall == Approx(2.0 / 3));
  CHECK(r.balanced_f1 == Approx(2.0 / 3));
  CHECK(r.accuracy == Approx(4.0 / 6));
  CHECK(r.cohen_kappa == Approx((4.0 / 6 - 0.5) / 0.5));

  auto skewed = compute_agreement({true, true, true, true}, {true, true, true, false});
  CHECK(skewed.met.precision == Approx(0.75));
  CHECK(skewed.met.recall == 1.0);
  CHECK(skewed.met.f1 == Approx(2 * 0.75 / 1.75));
  CHECK(skewed.not_met.precision == 0.0);  // A never says "not met"
  CHECK(skewed.not_met.f1 == 0.0);
  CHECK(skewed.balanced_f1 == Approx(0.75 / 1.75));
}

TEST_CASE("agreement: clinrl grade agree pairs files by prompt_id", "[rubric]") {
  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "a.jsonl", "{\"prompt_id\": \"x\", \"criteria_met\": [true, false]}\n"
                                            "{\"prompt_id\": \"y\", \"criteria_met\": [true]}\n"
                                            "{\"prompt_id\": \"only-a\", \"criteria_met\": [true]}\n");
  clinrl::test::write_text(dir / "b.jsonl", "{\"prompt_id\": \"y\", \"criteria_met\": [false]}\n"
                                            "{\"prompt_id\": \"x\", \"criteria_met\": [true, false]}\n");
  auto r = clinrl::test::run_clinrl("grade agree " + (dir / "a.jsonl").string() + " " + (dir / "b.jsonl").string());
  REQUIRE(r.status == 0);
  auto j = clinrl::core::parse_json(r.output, "stdout");
  CHECK(j["examples"] == 2);
  CHECK(j["items"] == 3);
  CHECK(j["met"]["precision"] == 0.5);
  CHECK(j["met"]["recall"] == 1.0);
  CHECK(j["not_met"]["recall"] == 0.5);

  clinrl::test::write_text(dir / "c.jsonl", "{\"prompt_id\": \"x\", \"criteria_met\": [true]}\n");
  auto bad = clinrl::test::run_clinrl("grade agree " + (dir / "a.jsonl").string() + " " + (dir / "c.jsonl").string());
  CHECK(bad.status == 2);
  CHECK_THAT(bad.output, Contains("a.jsonl:1") && Contains("c.jsonl:1"));
}
