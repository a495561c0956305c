// Regression inputs from fuzzing (tools/fuzz/fuzz_suite.cpp,
// fuzz_judge_answer.cpp): a suite row, a grades line or a judge reply nested
// a few hundred thousand levels deep overflowed the stack when copied or
// printed. Suites and grades now give one error naming the line; the judge
// parser treats such a reply as unusable.
#include <catch2/catch.hpp>

#include <string>

#include "clinrl/rubric/grades.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/rubric_files.h"
#include "clinrl/rubric/suite.h"
#include "support/test_support.h"

using Catch::Matchers::Contains;

namespace {
std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }
const std::string kRow = R"({"prompt_id": "p", "prompt": [{"role": "user", "content": "x"}], "rubrics": [], "x": )";
}  // namespace

TEST_CASE("a deeply nested suite row, grades line or rubric line is an error naming the line") {
  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "suite.jsonl", kRow + nested(200000) + "}\n");
  CHECK_THROWS_WITH(clinrl::rubric::load_suite(dir / "suite.jsonl"),
                    Contains("suite.jsonl:1") && Contains("nested deeper than"));
  clinrl::test::write_text(dir / "grades.jsonl", "{\"prompt_id\": \"p\", \"criteria_met\": " + nested(200000) + "}\n");
  CHECK_THROWS_WITH(clinrl::rubric::load_grades(dir / "grades.jsonl"), Contains("grades.jsonl:1"));
  clinrl::test::write_text(dir / "rubrics.jsonl", "{\"record_id\": \"r\", \"rubrics\": " + nested(200000) + "}\n");
  CHECK_THROWS_WITH(clinrl::rubric::load_record_rubrics(dir / "rubrics.jsonl"), Contains("rubrics.jsonl:1"));
}

TEST_CASE("parse_judge_answer rejects a deeply nested reply") {
  CHECK_FALSE(clinrl::rubric::parse_judge_answer("{\"criteria_met\": true, \"explanation\": " + nested(200000) + "}"));
  auto shallow = clinrl::rubric::parse_judge_answer(R"({"criteria_met": true, "explanation": [["a"]]})");
  REQUIRE(shallow);
  CHECK(shallow->criteria_met);
}
