// Regression inputs from fuzzing (tools/fuzz/fuzz_config.cpp): JSON nested a
// few hundred thousand levels deep parsed fine but overflowed the stack when
// the value was copied or printed. Each reader now refuses it with one error.
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
