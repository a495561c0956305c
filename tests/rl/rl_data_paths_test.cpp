// Where a relative data path of a run config is looked up: the working
// directory, then the source tree; neither is an error naming the key.
#include <catch2/catch.hpp>

#include <filesystem>

#include "clinrl/core/error.h"
#include "clinrl/rl/run_data.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using Catch::Matchers::Contains;

TEST_CASE("data paths: working directory first, then the source tree, else an error naming the key", "[rl]") {
  test::TempDir dir;
  test::write_text(dir / "here.jsonl", "{}\n");
  CHECK(rl::resolve_data_path((dir / "here.jsonl").string(), "data.train") == dir / "here.jsonl");
  // Relative, present only in the source tree.
  const auto in_tree = rl::resolve_data_path("data/rl/expert_questions.json", "sft.question_book");
  CHECK(fs::exists(in_tree));
  CHECK_THROWS_AS(rl::resolve_data_path("no/such/records.jsonl", "data.val"), UserError);
  CHECK_THROWS_WITH(rl::resolve_data_path("no/such/records.jsonl", "data.val"),
                    Contains("data.val") && Contains("no/such/records.jsonl") && Contains("working directory") &&
                        Contains("source tree"));
  CHECK_THROWS_WITH(rl::resolve_data_path((dir / "gone.jsonl").string(), "rubrics.path"),
                    Contains("rubrics.path") && Contains("does not exist"));
}
