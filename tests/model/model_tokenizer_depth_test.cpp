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
