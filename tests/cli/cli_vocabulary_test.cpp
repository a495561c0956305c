// One vocabulary across commands: --checkpoint, --device, --dtype,
// --chat-template, --max-new-tokens, --records, --out, --config/--set per
// config kind; old spellings still work with one deprecation line; bad
// device and dtype values are user errors (exit 2) naming the flag.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "clinrl/records/record_io.h"
#include "model/tokenizer_fixture.h"
#include "sim/sim_fixtures.h"
#include "support/test_support.h"

using namespace clinrl;
using Catch::Contains;

namespace {

// A tiny initialised checkpoint in dir/m.
std::string make_checkpoint(const test::TempDir& dir) {
  test::write_text(dir / "tokenizer.json", test::fixture_tokenizer_json(model::SplitRule::qwen2).dump());
  auto init = test::run_clinrl("model init --preset tiny --tokenizer " + (dir / "tokenizer.json").string() + " --out " +
                               (dir / "m").string());
  INFO(init.output);
  REQUIRE(init.status == 0);
  return (dir / "m").string();
}

bool deprecated(const test::RunResult& r, const std::string& old_spelling, const std::string& replacement) {
  return r.output.find("clinrl: " + old_spelling + " is deprecated, use " + replacement + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("cli: generate takes --checkpoint and --chat-template; --model and --template still work", "[cli]") {
  test::TempDir dir;
  const std::string m = make_checkpoint(dir);
  auto now = test::run_clinrl("generate --checkpoint " + m + " --chat-template chatml --device cpu --dtype float32" +
                              " --prompt hello --temperature 0 --max-new-tokens 3");
  INFO(now.output);
  CHECK(now.status == 0);
  CHECK(now.output.find("deprecated") == std::string::npos);
  auto old = test::run_clinrl("generate --model " + m + " --template chatml --prompt hello --temperature 0 --max-new-tokens 3");
  INFO(old.output);
  CHECK(old.status == 0);
  CHECK(deprecated(old, "--model", "--checkpoint"));
  CHECK(deprecated(old, "--template", "--chat-template"));
  auto none = test::run_clinrl("generate --prompt hello");
  CHECK(none.status == 2);
  CHECK_THAT(none.output, Contains("--checkpoint"));
  auto bad_template = test::run_clinrl("generate --checkpoint " + m + " --chat-template mistral --prompt hello");
  CHECK(bad_template.status == 2);
  CHECK_THAT(bad_template.output, Contains("--chat-template"));
  if (!torch::cuda::is_available()) {  // a well-formed device this build or machine lacks: a user error too
    auto cuda = test::run_clinrl("generate --checkpoint " + m + " --device cuda --prompt hello --max-new-tokens 1");
    CHECK(cuda.status == 2);
    CHECK_THAT(cuda.output, Contains("cannot load on cuda"));
    CHECK(cuda.output.find("internal error") == std::string::npos);
  }
}

TEST_CASE("cli: a bad --device or --dtype is a user error naming the flag", "[cli]") {
  for (const std::string command : {"generate --checkpoint nowhere --prompt x", "train --config configs/quickstart.json",
                                    "sft --config configs/quickstart.json", "eval --suite s.jsonl",
                                    "serve --checkpoint nowhere"}) {
    INFO(command);
    auto device = test::run_clinrl(command + " --device gpu");
    INFO(device.output);
    CHECK(device.status == 2);
    CHECK_THAT(device.output, Contains("--device") && Contains("'gpu'") && Contains("cuda:N"));
    CHECK(device.output.find("internal error") == std::string::npos);
    auto dtype = test::run_clinrl(command + " --dtype half");
    INFO(dtype.output);
    CHECK(dtype.status == 2);
    CHECK_THAT(dtype.output, Contains("--dtype") && Contains("'half'") && Contains("float16"));
  }
  // Training refuses float16 with its reason; configs use the same checks under their keys.
  auto fp16 = test::run_clinrl("train --config configs/quickstart.json --dtype float16");
  CHECK(fp16.status == 2);
  CHECK_THAT(fp16.output, Contains("float16") && Contains("no loss scaling"));
  test::TempDir dir;
  test::write_text(dir / "eval.json", "{\"model\": {\"dtype\": \"bfloat16\"}}");
  auto ok = test::run_clinrl("config validate --kind eval --config " + (dir / "eval.json").string());
  CHECK(ok.status == 0);
  auto key = test::run_clinrl("config validate --kind eval --config " + (dir / "eval.json").string() +
                              " --set model.device=cuda:x");
  CHECK(key.status == 2);
  CHECK_THAT(key.output, Contains("'model'") && Contains("device: 'cuda:x'"));
  auto train_key = test::run_clinrl("config show --set policy.device=tpu");
  CHECK(train_key.status == 2);
  CHECK_THAT(train_key.output, Contains("'policy'") && Contains("device: 'tpu'"));
}

TEST_CASE("cli: config show and validate read every config kind", "[cli]") {
  auto eval = test::run_clinrl("config show --kind eval --set generation.max_tokens=9");
  INFO(eval.output);
  REQUIRE(eval.status == 0);
  CHECK_THAT(eval.output, Contains("\"grader\": \"rules\"") && Contains("\"max_tokens\": 9") && Contains("\"dialogue\""));
  auto sim = test::run_clinrl("config show --kind sim --set max_turns=5");
  INFO(sim.output);
  REQUIRE(sim.status == 0);
  CHECK_THAT(sim.output, Contains("\"max_turns\": 5"));
  auto train = test::run_clinrl("config show --set sim.max_turns=7");
  REQUIRE(train.status == 0);
  CHECK_THAT(train.output, Contains("\"max_turns\": 7") && Contains("\"policy\""));
  // Keys are rooted at the config the kind names.
  auto wrong_root = test::run_clinrl("config show --kind sim --set sim.max_turns=5");
  CHECK(wrong_root.status == 2);
  auto kind = test::run_clinrl("config show --kind serve");
  CHECK(kind.status == 2);
  // eval --max-tokens is the old --max-new-tokens; --print-config the old config show --kind eval.
  auto flags = test::run_clinrl("eval --max-new-tokens 11 --print-config");
  CHECK_THAT(flags.output, Contains("\"max_tokens\": 11"));
  auto old = test::run_clinrl("eval --max-tokens 7 --print-config");
  INFO(old.output);
  REQUIRE(old.status == 0);
  CHECK_THAT(old.output, Contains("\"max_tokens\": 7"));
  CHECK(deprecated(old, "--max-tokens", "--max-new-tokens"));
  CHECK(deprecated(old, "--print-config", "clinrl config show --kind eval"));
}

TEST_CASE("cli: record files are --records F...; old positional files and --sim-config still work", "[cli]") {
  test::TempDir dir;
  const auto records = (dir / "r.jsonl").string();
  records::save_records(records, {sim::test::chest_pain_record()});
  auto two = test::run_clinrl("data check --records " + records + " " + records);
  INFO(two.output);
  CHECK(two.status == 0);
  CHECK(two.output.find("deprecated") == std::string::npos);
  auto positional = test::run_clinrl("data check " + records);
  CHECK(positional.status == 0);
  CHECK(deprecated(positional, "a positional FILE", "--records FILE"));

  auto rubrics = test::run_clinrl("rubrics generate --records " + records + " " + records + " --out " +
                                  (dir / "rubrics.jsonl").string());
  INFO(rubrics.output);
  CHECK(rubrics.status == 0);
  CHECK_THAT(rubrics.output, Contains("wrote 2 rubrics"));

  test::write_text(dir / "sim.json", "{\"max_turns\": 3}");
  auto sim = test::run_clinrl("simulate --records " + records + " --config " + (dir / "sim.json").string() +
                              " --set max_turns=4 < /dev/null");
  INFO(sim.output);
  CHECK(sim.status == 0);
  auto old_sim = test::run_clinrl("simulate --records " + records + " --sim-config " + (dir / "sim.json").string() +
                                  " < /dev/null");
  INFO(old_sim.output);
  CHECK(old_sim.status == 0);
  CHECK(deprecated(old_sim, "--sim-config", "--config"));
  auto audit = test::run_clinrl("sim audit --records " + records + " --rows 1 --json " + (dir / "audit.json").string());
  INFO(audit.output);
  CHECK(audit.status == 0);
  CHECK(deprecated(audit, "--json", "--out"));
  CHECK(std::filesystem::exists(dir / "audit.json"));
}

TEST_CASE("cli: old spellings of model, tokenizer, grade and import options still work", "[cli]") {
  test::TempDir dir;
  const std::string m = make_checkpoint(dir);
  auto info = test::run_clinrl("model info --config " + m);
  CHECK(info.status == 0);
  CHECK_THAT(info.output, Contains("Qwen2ForCausalLM"));
  CHECK(deprecated(info, "--config", "--model-config (or --checkpoint DIR)"));
  auto init = test::run_clinrl("model init --config " CLINRL_SOURCE_DIR "/configs/model/tiny.json --out " +
                               (dir / "m2").string());
  CHECK(init.status == 0);
  CHECK(deprecated(init, "--config", "--model-config (or --preset NAME)"));
  auto both = test::run_clinrl("model init --preset tiny --model-config x.json --out " + (dir / "m3").string());
  CHECK(both.status == 2);
  auto unknown = test::run_clinrl("model init --preset huge --out " + (dir / "m3").string());
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.output, Contains("--preset huge"));

  auto encode = test::run_clinrl("tokenizer encode --tokenizer " + m + " --text hello --output " + (dir / "ids.jsonl").string());
  CHECK(encode.status == 0);
  CHECK(deprecated(encode, "--output", "--out"));
  CHECK(std::filesystem::exists(dir / "ids.jsonl"));

  test::write_text(dir / "a.jsonl", "{\"prompt_id\": \"x\", \"criteria_met\": [true]}\n");
  auto agree = test::run_clinrl("grade agree --a " + (dir / "a.jsonl").string() + " --b " + (dir / "a.jsonl").string());
  INFO(agree.output);
  CHECK(agree.status == 0);
  CHECK(deprecated(agree, "--a", "a positional A"));
  CHECK(deprecated(agree, "--b", "a positional B"));
  auto one = test::run_clinrl("grade agree " + (dir / "a.jsonl").string());
  CHECK(one.status == 2);
  CHECK_THAT(one.output, Contains("A B"));
}

TEST_CASE("cli: data import takes --records; a positional input still works", "[cli]") {
  CLINRL_REQUIRE_SHARED(path, "agentclinic/agentclinic_medqa.jsonl");
  test::TempDir dir;
  auto old = test::run_clinrl("data import --quiet " + path.string() + " --out " + (dir / "ac.jsonl").string());
  INFO(old.output);
  CHECK(old.status == 0);
  CHECK_THAT(old.output, Contains("imported 107"));
  CHECK(deprecated(old, "a positional INPUT", "--records FILE"));
}

TEST_CASE("cli: every command's help names the shared flags", "[cli]") {
  for (const std::string command : {"generate", "serve", "train", "eval"}) {
    auto help = test::run_clinrl(command + " --help");
    INFO(help.output);
    CHECK(help.status == 0);
    CHECK_THAT(help.output, Contains("--checkpoint") && Contains("--device") && Contains("--dtype") &&
                                Contains("--chat-template"));
    CHECK(help.output.find("--model ") == std::string::npos);  // deprecated spellings are hidden
  }
}
