// BPE training: determinism, vocabulary size, round trips, reloading, and the CLI.
#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/core/rng.h"
#include "clinrl/model/bpe_trainer.h"
#include "support/test_support.h"

using clinrl::Rng;
using clinrl::model::BpeTrainOptions;
using clinrl::model::Tokenizer;
using clinrl::test::TempDir;
using Catch::Matchers::Contains;

namespace {

// A few hundred KB of clinical-dialogue-like text from a fixed stream.
std::vector<std::string> corpus() {
  static const std::vector<std::string> openers = {"Doctor: ", "Patient: "};
  static const std::vector<std::string> words = {
      "I", "have", "had", "chest", "pain", "for", "three", "days", "and", "it", "gets", "worse", "when", "I'm",
      "walking", "do", "you", "smoke", "no", "my", "father", "had", "diabetes", "the", "pain", "is", "sharp",
      "any", "fever", "or", "cough", "blood", "pressure", "was", "142/91", "mmHg", "temperature", "38.2", "C",
      "take", "metformin", "500", "mg", "twice", "daily", "shortness", "of", "breath", "nausea", "café", "naïve"};
  Rng rng = Rng::stream(5, "tokenizer-train-corpus", 0);
  std::vector<std::string> texts;
  for (int d = 0; d < 400; ++d) {
    std::string text;
    for (int turn = 0; turn < 8; ++turn) {
      text += openers[turn % 2];
      const int n = 4 + static_cast<int>(rng.below(12));
      for (int w = 0; w < n; ++w) text += (w ? " " : "") + words[rng.below(words.size())];
      text += rng.below(2) ? "?\n" : ".\n";
    }
    texts.push_back(text + "<|im_end|>");
  }
  return texts;
}

}  // namespace

TEST_CASE("training is deterministic and honours the vocabulary size", "[model][tokenizer]") {
  BpeTrainOptions options;
  options.vocab_size = 400;
  const auto texts = corpus();
  const Tokenizer a = clinrl::model::train_bpe(texts, options);
  const Tokenizer b = clinrl::model::train_bpe(texts, options);
  CHECK(a.to_json_text() == b.to_json_text());
  CHECK(a.vocab_size() == 400);
  CHECK(a.parts().model.merges().size() == 400 - 256 - 3);
  CHECK(a.token_to_id("<|endoftext|>") == 0);
  CHECK(a.token_to_id("<|im_start|>") == 1);
  CHECK(a.token_to_id("<|im_end|>") == 2);
  CHECK(a.eos_id() == 2);
  CHECK(a.is_special(2));
  // Frequent words became single tokens.
  CHECK(a.encode(" pain").size() == 1);
  CHECK(a.encode("Doctor").size() == 1);
  // Special-token text in the corpus was cut out, not learned.
  CHECK(a.encode("<|im_end|>") == std::vector<int32_t>{2});
}

TEST_CASE("a trained tokenizer round-trips and reloads identically", "[model][tokenizer]") {
  BpeTrainOptions options;
  options.vocab_size = 350;
  const Tokenizer tok = clinrl::model::train_bpe(corpus(), options);
  const std::vector<std::string> samples = {
      "Patient: my chest pain started 3 days ago.\n", "unseen words: zygote, \xE4\xB8\xAD\xE6\x96\x87, \xF0\x9F\x98\x80",
      "   spaced   out   ", "<|im_start|>user\nhi<|im_end|>\n"};
  for (const auto& s : samples) CHECK(tok.decode(tok.encode(s)) == s);
  TempDir dir;
  tok.save(dir / "tok.json");
  const Tokenizer back = Tokenizer::load(dir / "tok.json");
  CHECK(back.to_json_text() == tok.to_json_text());
  for (const auto& s : samples) CHECK(back.encode(s) == tok.encode(s));
  // Saving into a directory also writes tokenizer_config.json with the eos token.
  tok.save(dir.path());
  CHECK(Tokenizer::load(dir.path()).eos_id() == 2);
}

TEST_CASE("training options are validated", "[model][tokenizer]") {
  BpeTrainOptions options;
  options.vocab_size = 100;
  CHECK_THROWS_WITH(options.validate(), Contains("vocab_size"));
  options = BpeTrainOptions();
  options.split = "words";
  CHECK_THROWS_WITH(options.validate(), Contains("split"));
  options = BpeTrainOptions();
  options.special_tokens = {"<a>", "<a>"};
  options.eos_token = options.pad_token = "";
  CHECK_THROWS_WITH(options.validate(), Contains("twice"));
}

TEST_CASE("clinrl tokenizer train, encode and decode", "[model][tokenizer][cli]") {
  TempDir dir;
  std::vector<clinrl::core::Json> rows;
  for (const auto& text : corpus()) rows.push_back(clinrl::core::Json{{"messages", {{{"role", "user"}, {"content", text}}}}});
  clinrl::core::write_jsonl_atomic(dir / "corpus.jsonl", rows);
  auto r = clinrl::test::run_clinrl("tokenizer train --corpus " + (dir / "corpus.jsonl").string() +
                                    " --vocab-size 300 --out " + (dir / "tok.json").string());
  REQUIRE(r.status == 0);
  const Tokenizer tok = Tokenizer::load(dir / "tok.json");
  CHECK(tok.vocab_size() == 300);

  clinrl::test::write_text(dir / "in.jsonl", "{\"text\": \"chest pain\"}\n{\"text\": \"\"}\n{\"text\": \"<|im_end|>\"}\n");
  r = clinrl::test::run_clinrl("tokenizer encode --tokenizer " + (dir / "tok.json").string() + " --input-jsonl " +
                               (dir / "in.jsonl").string() + " --out " + (dir / "ids.jsonl").string());
  REQUIRE(r.status == 0);
  std::vector<std::vector<int32_t>> ids;
  clinrl::core::read_jsonl(dir / "ids.jsonl", [&](size_t, clinrl::core::Json&& v) { ids.push_back(v["ids"].get<std::vector<int32_t>>()); });
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == tok.encode("chest pain"));
  CHECK(ids[1].empty());
  CHECK(ids[2] == std::vector<int32_t>{2});

  r = clinrl::test::run_clinrl("tokenizer encode --tokenizer " + (dir / "tok.json").string() + " --text 'chest pain'");
  REQUIRE(r.status == 0);
  CHECK(clinrl::core::parse_json(r.output, "stdout")["ids"].get<std::vector<int32_t>>() == tok.encode("chest pain"));

  r = clinrl::test::run_clinrl("tokenizer decode --tokenizer " + (dir / "tok.json").string() + " --input-jsonl " +
                               (dir / "ids.jsonl").string());
  REQUIRE(r.status == 0);
  CHECK(r.output == "{\"text\":\"chest pain\"}\n{\"text\":\"\"}\n{\"text\":\"<|im_end|>\"}\n");

  r = clinrl::test::run_clinrl("tokenizer decode --skip-special-tokens --tokenizer " + (dir / "tok.json").string() + " --ids '2'");
  REQUIRE(r.status == 0);
  CHECK(r.output == "\n");

  r = clinrl::test::run_clinrl("tokenizer encode --tokenizer " + (dir / "missing.json").string() + " --text x");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Contains("missing.json"));
}
