// clinrl score: exact token ids for the fixture tokenizer, log-probs that
// agree with token_logprobs, top-k alternatives, JSONL inputs with errors
// naming the line, --output; and generate --print-ids.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/model/token_logprobs.h"
#include "model/tokenizer_fixture.h"
#include "support/test_support.h"

using namespace clinrl;
using Catch::Contains;
using core::Json;

namespace {

std::string make_checkpoint(const test::TempDir& dir) {
  test::write_text(dir / "tokenizer.json", test::fixture_tokenizer_json().dump());
  auto init = test::run_clinrl("model init --preset tiny --tokenizer " + (dir / "tokenizer.json").string() + " --out " +
                               (dir / "m").string());
  INFO(init.output);
  REQUIRE(init.status == 0);
  return (dir / "m").string();
}

std::vector<Json> json_lines(const std::string& text) {
  std::vector<Json> out;
  for (const auto& line : core::split(text, '\n'))
    if (!line.empty() && line[0] == '{') out.push_back(Json::parse(line));
  return out;
}

// token_logprobs (the training path) of the same ids.
std::vector<float> reference_logprobs(const std::string& checkpoint, const std::vector<int64_t>& ids) {
  auto loaded = model::ChatModel::load(checkpoint, {});
  loaded.model->eval();
  torch::NoGradGuard no_grad;
  auto lp = model::token_logprobs(loaded.model, torch::tensor(ids, torch::kInt64).unsqueeze(0))[0];
  return std::vector<float>(lp.data_ptr<float>(), lp.data_ptr<float>() + lp.numel());
}

}  // namespace

TEST_CASE("cli: score --text prints exact ids, token strings, log-probs and top-k alternatives", "[cli]") {
  test::TempDir dir;
  const std::string m = make_checkpoint(dir);
  auto r = test::run_clinrl("score --checkpoint " + m + " --text 'hello world' --top-k 3");
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto rows = json_lines(r.output);
  REQUIRE(rows.size() == 1);
  const Json& j = rows[0];
  CHECK(j["index"] == 0);
  CHECK(j["ids"] == Json::array({test::kHello, test::kSpaceWorld}));
  CHECK(j["tokens"] == Json::array({"hello", "\xC4\xA0world"}));
  REQUIRE(j["logprobs"].size() == 2);
  CHECK(j["logprobs"][0].is_null());
  auto ref = reference_logprobs(m, {test::kHello, test::kSpaceWorld});
  CHECK(j["logprobs"][1].get<float>() == Approx(ref[1]).margin(1e-5));
  CHECK(j["total_logprob"].get<double>() == Approx(ref[1]).margin(1e-5));
  REQUIRE(j["top_logprobs"].size() == 2);
  CHECK(j["top_logprobs"][0].is_null());
  const Json& top = j["top_logprobs"][1];
  REQUIRE(top.size() == 3);
  for (size_t k = 0; k + 1 < 3; ++k) CHECK(top[k]["logprob"].get<float>() >= top[k + 1]["logprob"].get<float>());
  CHECK(top[0]["logprob"].get<float>() >= j["logprobs"][1].get<float>() - 1e-6f);
  CHECK(top[0]["token"].is_string());
  CHECK(top[0]["id"].is_number_integer());
}

TEST_CASE("cli: score --input-jsonl scores texts and conversations; a bad line is an error naming it", "[cli]") {
  test::TempDir dir;
  const std::string m = make_checkpoint(dir);
  test::write_text(dir / "in.jsonl", "{\"text\": \"hello world hello\"}\n\n"
                                     "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"},"
                                     " {\"role\": \"assistant\", \"content\": \"hello\"}]}\n");
  auto out = (dir / "scores.jsonl").string();
  auto r = test::run_clinrl("score --checkpoint " + m + " --input-jsonl " + (dir / "in.jsonl").string() + " --output " + out);
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto rows = json_lines(test::read_text(out));
  REQUIRE(rows.size() == 2);
  // "hello world hello": hello, Ġworld, then " hello" (no merge for "Ġh" in the fixture: Ġ, hello)
  std::vector<int64_t> ids = rows[0]["ids"].get<std::vector<int64_t>>();
  CHECK(ids == std::vector<int64_t>{test::kHello, test::kSpaceWorld, ' ', test::kHello});
  auto ref = reference_logprobs(m, ids);
  double total = 0;
  for (size_t t = 1; t < ids.size(); ++t) {
    CHECK(rows[0]["logprobs"][t].get<float>() == Approx(ref[t]).margin(1e-5));
    total += ref[t];
  }
  CHECK(rows[0]["total_logprob"].get<double>() == Approx(total).margin(1e-4));
  // The conversation is rendered with the chat template (ChatML).
  CHECK(rows[1]["index"] == 1);
  CHECK(rows[1]["ids"][0] == test::kImStart);
  CHECK(rows[1]["tokens"][0] == "<|im_start|>");
  CHECK(!rows[1].contains("top_logprobs"));

  test::write_text(dir / "bad.jsonl", "{\"text\": \"hello\"}\n{\"txt\": \"hello\"}\n");
  auto bad = test::run_clinrl("score --checkpoint " + m + " --input-jsonl " + (dir / "bad.jsonl").string());
  CHECK(bad.status == 2);
  CHECK_THAT(bad.output, Contains((dir / "bad.jsonl").string() + ":2:"));
  CHECK_THAT(bad.output, Contains("'text'"));
  test::write_text(dir / "broken.jsonl", "{\"text\": \"hello\"}\n\n{\"text\": \n");
  auto broken = test::run_clinrl("score --checkpoint " + m + " --input-jsonl " + (dir / "broken.jsonl").string());
  CHECK(broken.status == 2);
  CHECK_THAT(broken.output, Contains((dir / "broken.jsonl").string() + ":3:"));
  auto two = test::run_clinrl("score --checkpoint " + m + " --text a --input-jsonl " + (dir / "in.jsonl").string());
  CHECK(two.status == 2);
  CHECK_THAT(two.output, Contains("exactly one of --text, --messages and --input-jsonl"));
}

TEST_CASE("cli: generate --print-ids prints the generated ids and their log-probs", "[cli]") {
  test::TempDir dir;
  const std::string m = make_checkpoint(dir);
  auto r = test::run_clinrl("generate --checkpoint " + m + " --prompt hello --temperature 0 --max-new-tokens 4 --print-ids");
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto rows = json_lines(r.output.substr(r.output.rfind("\n{")));
  REQUIRE(rows.size() == 1);
  auto ids = rows[0]["ids"].get<std::vector<int64_t>>();
  auto lps = rows[0]["logprobs"].get<std::vector<float>>();
  CHECK(!ids.empty());
  CHECK(ids.size() <= 4);
  CHECK(lps.size() == ids.size());
  for (float lp : lps) CHECK(lp <= 0.0f);
}
