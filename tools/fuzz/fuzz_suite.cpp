// libFuzzer target for HealthBench-format suites and grade files
// (rubric/suite.h, rubric/grades.h): the input is "suite.jsonl ----
// grades.jsonl". Each must load or throw UserError, and scoring the grades
// against the suite must give scores or a UserError.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "clinrl/rubric/grades.h"
#include "clinrl/rubric/suite.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinrl::rubric;
  auto parts = clinrl::fuzz::split_parts(data, size, 2);
  auto suite_path = clinrl::fuzz::write_scratch("suite.jsonl", parts[0]);
  auto grades_path = clinrl::fuzz::write_scratch("grades.jsonl", parts.size() > 1 ? parts[1] : "");
  std::optional<Suite> suite;
  clinrl::fuzz::expect_clean([&] {
    suite = load_suite(suite_path);
    for (const auto& e : suite->examples) SuiteExample::from_json(e.to_json(), "fuzz (written back)");
  });
  clinrl::fuzz::expect_clean([&] {
    auto grades = load_grades(grades_path);
    if (suite) score_suite(*suite, grades, "grades.jsonl").to_json();
  });
  return 0;
}
