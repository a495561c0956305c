#pragma once
// A tiny random checkpoint (the model fixtures' shapes, the fixture
// tokenizer with ChatML specials) for the serve tests (header only).
#include <filesystem>

#include "clinrl/model/checkpoint.h"
#include "model/model_fixtures.h"
#include "model/tokenizer_fixture.h"
#include "support/test_support.h"

namespace clinrl::test {

inline std::filesystem::path tiny_checkpoint(const std::filesystem::path& dir, uint64_t seed = 1) {
  write_text(dir / "tokenizer.json", fixture_tokenizer_json().dump());
  auto options = tiny_options();
  options.vocab_size = 320;  // the fixture tokenizer's 307 ids, padded
  options.max_position_embeddings = 4096;  // room for the LLM judge's prompt
  model::Transformer m(options);
  m->initialize(seed);
  auto out = dir / "tiny-chat";
  model::save_checkpoint(m, out, dir / "tokenizer.json");
  return out;
}

}  // namespace clinrl::test
