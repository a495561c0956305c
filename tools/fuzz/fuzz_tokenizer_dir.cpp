// libFuzzer target for the vocab.json + merges.txt + tokenizer_config.json
// directory loader: the input holds the three files separated by "----"
// lines. The directory must load or throw UserError.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "clinrl/model/tokenizer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  auto parts = clinrl::fuzz::split_parts(data, size, 3);
  fs::path dir = clinrl::fuzz::scratch_dir() / "tokenizer";
  fs::create_directories(dir);
  const char* names[] = {"vocab.json", "merges.txt", "tokenizer_config.json"};
  for (size_t i = 0; i < 3; ++i) {
    if (i < parts.size())
      clinrl::fuzz::write_scratch(std::string("tokenizer/") + names[i], parts[i]);
    else
      fs::remove(dir / names[i]);
  }
  clinrl::fuzz::expect_clean([&] {
    auto tok = clinrl::model::Tokenizer::load(dir);
    auto ids = tok.encode(parts[0].substr(0, 128), true);
    for (int32_t id : ids) clinrl::fuzz::check(id >= 0 && id < tok.vocab_size());
    tok.decode(ids, true);
  });
  return 0;
}
