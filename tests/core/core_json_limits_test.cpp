// Regression inputs found while fuzzing the JSON readers (tools/fuzz/): JSON
// nested a few hundred thousand levels deep parsed fine but overflowed the
// stack when the value was copied or printed; a number beyond double's range
// escaped as json::out_of_range. Each reader now refuses both with one error.
#include <catch2/catch.hpp>

#include <string>

#include "clinrl/core/config.h"
#include "clinrl/core/json_depth.h"
#include "clinrl/core/json_io.h"
#include "support/test_support.h"

using Catch::Matchers::Contains;
using clinrl::UserError;
using clinrl::core::kMaxJsonDepth;

namespace {

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

struct Section {
  int steps = 1;
  clinrl::core::Json extra = clinrl::core::Json::object();
  template <class V>
  void fields(V& v) {
    v("steps", steps);
    v("extra", extra);
  }
};

struct Rate {
  double rate = 1;
  template <class V>
  void fields(V& v) {
    v("rate", rate);
  }
};

}  // namespace

TEST_CASE("json_nesting_depth skips brackets in strings and stops past the cap") {
  CHECK(clinrl::core::json_nesting_depth(R"({"a": ["[[[", {"b": "]"}]})") == 3);
  CHECK(clinrl::core::json_nesting_depth(nested(1000), 10) == 11);
  CHECK(clinrl::core::json_nesting_depth(R"(["\"[[", 1])") == 1);
}

TEST_CASE("parse_json refuses JSON nested deeper than the limit") {
  CHECK_NOTHROW(clinrl::core::parse_json(nested(kMaxJsonDepth), "ok.json"));
  CHECK_THROWS_WITH(clinrl::core::parse_json(nested(200000), "deep.json"),
                    Contains("deep.json") && Contains("nested deeper than"));
}

TEST_CASE("read_jsonl reports a too-deep line as a problem or an error naming the line") {
  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "rows.jsonl", "{\"a\": 1}\n{\"x\": " + nested(200000) + "}\n");
  std::vector<size_t> good, bad;
  clinrl::core::read_jsonl(
      dir / "rows.jsonl", [&](size_t line, clinrl::core::Json&&) { good.push_back(line); },
      [&](const clinrl::core::JsonlProblem& p) { bad.push_back(p.line); });
  CHECK(good == std::vector<size_t>{1});
  CHECK(bad == std::vector<size_t>{2});
  CHECK_THROWS_WITH(clinrl::core::read_jsonl(dir / "rows.jsonl", [](size_t, clinrl::core::Json&&) {}),
                    Contains("rows.jsonl:2") && Contains("nested deeper than"));
}

TEST_CASE("a deeply nested config file or --set value is a ConfigError, not a stack overflow") {
  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "run.json", "{\"extra\": {\"a\": " + nested(200000) + "}}");
  CHECK_THROWS_AS(clinrl::core::load_config<Section>(dir / "run.json"), UserError);
  clinrl::test::write_text(dir / "base.json", "{\"extra\": " + nested(200000) + "}");
  clinrl::test::write_text(dir / "child.json", "{\"extends\": \"base.json\", \"steps\": 2}");
  CHECK_THROWS_WITH(clinrl::core::load_config<Section>(dir / "child.json"), Contains("base.json"));
  CHECK_THROWS_AS(clinrl::core::load_config<Section>(std::nullopt, {"extra=" + nested(200000)}), clinrl::ConfigError);
}

// Found by tools/fuzz/fuzz_tokenizer_json.cpp: nlohmann reports a number
// beyond double's range as json::out_of_range, which the readers did not
// catch (only parse_error), so it escaped as an internal error.
TEST_CASE("a number beyond double's range is a UserError naming the source, not an escaping out_of_range") {
  CHECK_THROWS_WITH(clinrl::core::parse_json("{\"a\": 1e420}", "big.json"),
                    Contains("big.json") && Contains("number overflow"));
  clinrl::test::TempDir dir;
  clinrl::test::write_text(dir / "rows.jsonl", "{\"a\": 1}\n[1e420]\n");
  std::vector<std::string> problems;
  clinrl::core::read_jsonl(
      dir / "rows.jsonl", [](size_t, clinrl::core::Json&&) {},
      [&](const clinrl::core::JsonlProblem& p) { problems.push_back(std::to_string(p.line) + ": " + p.message); });
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Contains("2: malformed JSON: number overflow"));
  CHECK_THROWS_WITH(clinrl::core::read_jsonl(dir / "rows.jsonl", [](size_t, clinrl::core::Json&&) {}),
                    Contains("rows.jsonl:2"));
  // --set values: an object-typed key gets a ConfigError, a number key refuses inf and nan.
  CHECK_THROWS_AS(clinrl::core::load_config<Section>(std::nullopt, {"extra={\"a\": 1e420}"}), clinrl::ConfigError);
}

TEST_CASE("--set refuses non-finite numbers") {
  for (const char* bad : {"rate=nan", "rate=inf", "rate=1e999", "rate=-inf"})
    CHECK_THROWS_WITH(clinrl::core::load_config<Rate>(std::nullopt, {bad}), Contains("expects a number"));
  CHECK(clinrl::core::load_config<Rate>(std::nullopt, {"rate=2.5e3"}).rate == 2500);
}
