// The JSON depth limit found by fuzzing the suite and config readers
// (core/json_depth.h) applies to tokenizer.json too: a file nested a few
// hundred thousand levels deep is one UserError naming the file.
#include <catch2/catch.hpp>

#include <string>

#include "clinrl/core/error.h"
#include "clinrl/model/tokenizer.h"

using Catch::Matchers::Contains;

TEST_CASE("a deeply nested tokenizer.json is a UserError") {
  std::string deep = "{\"model\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
  CHECK_THROWS_WITH(clinrl::model::Tokenizer::from_json_text(deep, "deep/tokenizer.json"),
                    Contains("deep/tokenizer.json") && Contains("nested deeper than"));
}

// The crashing input of tools/fuzz/fuzz_tokenizer_json.cpp: nlohmann throws
// json::out_of_range (not parse_error) for a number beyond double's range,
// and it escaped from_json_text as an internal error.
TEST_CASE("a tokenizer.json with a number beyond double's range is a UserError") {
  CHECK_THROWS_WITH(clinrl::model::Tokenizer::from_json_text("1e420\xe0", "big/tokenizer.json"),
                    Contains("big/tokenizer.json") && Contains("number overflow"));
  CHECK_THROWS_AS(clinrl::model::Tokenizer::from_json_text(R"({"model": {"vocab": {"a": 1e999}}})", "t.json"),
                  clinrl::UserError);
}
