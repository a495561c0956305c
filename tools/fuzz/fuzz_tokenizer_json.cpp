// libFuzzer target for tokenizer.json: the input is the file's text. It must
// load or throw UserError; a tokenizer that loads must then encode, decode
// and re-save without crashing (its own text is the sample to encode).
#include <cstddef>
#include <cstdint>
#include <string>

#include "clinrl/model/tokenizer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  clinrl::fuzz::expect_clean([&] {
    auto tok = clinrl::model::Tokenizer::from_json_text(text, "fuzz");
    auto sample = text.substr(0, 256);
    auto ids = tok.encode(sample, true);
    for (int32_t id : ids) clinrl::fuzz::check(id >= 0 && id < tok.vocab_size());
    tok.decode(ids);
    tok.decode_bytes(ids, true);
    auto again = clinrl::model::Tokenizer::from_json_text(tok.to_json_text(), "fuzz (re-saved)");
    clinrl::fuzz::check(again.vocab_size() == tok.vocab_size());
  });
  return 0;
}
