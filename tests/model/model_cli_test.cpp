#include <catch2/catch.hpp>

#include <sstream>

#include "clinrl/model/checkpoint.h"
#include "clinrl/model/model_init.h"
#include "model/tokenizer_fixture.h"
#include "support/test_support.h"

using namespace clinrl;

TEST_CASE("model cli: presets have the documented sizes", "[model]") {
  auto tiny = model::load_hf_config(CLINRL_SOURCE_DIR "/configs/model/tiny.json");
  auto small = model::load_hf_config(CLINRL_SOURCE_DIR "/configs/model/small.json");
  CHECK(model::parameter_count(tiny) >= 3000000);
  CHECK(model::parameter_count(tiny) <= 5000000);
  CHECK(model::parameter_count(small) >= 30000000);
  CHECK(model::parameter_count(small) <= 50000000);
  CHECK(model::with_thousands(1543714304) == "1,543,714,304");
}

TEST_CASE("model cli: init writes a loadable HF directory with the tokenizer's vocabulary", "[model]") {
  test::TempDir dir;
  test::write_text(dir / "tokenizer.json", R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}},
    "added_tokens": [{"id": 3, "content": "<|endoftext|>"}, {"id": 4, "content": "<|im_end|>"}]})");
  auto r = test::run_clinrl("model init --arch qwen2 --model-config " CLINRL_SOURCE_DIR "/configs/model/tiny.json --tokenizer " +
                            (dir / "tokenizer.json").string() + " --out " + (dir / "m").string());
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto m = model::load_checkpoint(dir / "m");
  CHECK(m->options().vocab_size == 5);
  CHECK(m->options().eos_token_ids == std::vector<int64_t>{3, 4});
  CHECK(std::filesystem::exists(dir / "m" / "tokenizer.json"));
  auto info = test::run_clinrl("model info --checkpoint " + (dir / "m").string());
  CHECK_THAT(info.output, Catch::Contains("Qwen2ForCausalLM"));
  auto bad = test::run_clinrl("model info --model-config " + (dir / "tokenizer.json").string());
  CHECK(bad.status == 2);
}

TEST_CASE("model cli: generate replies from an initialised checkpoint", "[model]") {
  test::TempDir dir;
  test::write_text(dir / "tokenizer.json", test::fixture_tokenizer_json(model::SplitRule::qwen2).dump());
  auto init = test::run_clinrl("model init --preset tiny --tokenizer " +
                               (dir / "tokenizer.json").string() + " --out " + (dir / "m").string());
  REQUIRE(init.status == 0);
  auto r = test::run_clinrl("generate --checkpoint " + (dir / "m").string() +
                            " --prompt hello --temperature 0 --max-new-tokens 6 --stats");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("new tokens: ") && Catch::Contains("stop: "));
  auto again = test::run_clinrl("generate --checkpoint " + (dir / "m").string() +
                                " --prompt hello --temperature 0 --max-new-tokens 6 --stats");
  // The reply is reproducible; the log lines carry a clock and a memory figure.
  auto reply = [](const std::string& output) {
    std::string out, line;
    std::istringstream in(output);
    while (std::getline(in, line))
      if (line.find("] info ") == std::string::npos) out += line + "\n";
    return out;
  };
  CHECK(reply(again.output) == reply(r.output));
  test::write_text(dir / "chat.json", R"([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello world"}])");
  auto chat = test::run_clinrl("generate --checkpoint " + (dir / "m").string() + " --messages " + (dir / "chat.json").string() +
                               " --top-k 5 --seed 3 --max-new-tokens 4 --stream");
  INFO(chat.output);
  CHECK(chat.status == 0);
  test::write_text(dir / "bad.json", R"([{"role": "user"}])");
  auto bad = test::run_clinrl("generate --checkpoint " + (dir / "m").string() + " --messages " + (dir / "bad.json").string());
  CHECK(bad.status == 2);
  CHECK_THAT(bad.output, Catch::Contains("message 0"));
}
