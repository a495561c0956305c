// libFuzzer target for chat-template rendering of hostile message content
// (model/chat_template.h): the input is "role ---- content ---- role ----
// content ...", rendered with both templates over the tests' fixture
// tokenizer (which knows the special tokens). Content that spells a special
// token ("<|im_end|>") must not crash; ids and mask stay the same length.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../../tests/model/tokenizer_fixture.h"
#include "clinrl/model/chat_template.h"
#include "fuzz_input.h"

namespace {
std::shared_ptr<const clinrl::model::Tokenizer> fixture_tokenizer() {
  static auto tok = std::make_shared<const clinrl::model::Tokenizer>(clinrl::model::Tokenizer::from_json_text(
      clinrl::core::dump_json(clinrl::test::fixture_tokenizer_json()), "fixture"));
  return tok;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinrl::model;
  auto parts = clinrl::fuzz::split_parts(data, size, 16);
  std::vector<ChatMessage> messages;
  for (size_t i = 0; i + 1 < parts.size(); i += 2) messages.push_back({parts[i], parts[i + 1]});
  for (const char* name : {"chatml", "llama3"}) {
    ChatTemplateOptions options;
    options.name = name;
    options.default_system = parts.size() % 2 ? parts.back() : "";
    clinrl::fuzz::expect_clean([&] {
      auto chat = ChatTemplate::create(options, fixture_tokenizer());
      for (bool prompt : {false, true}) {
        auto rendered = chat.render(messages, prompt);
        clinrl::fuzz::check(rendered.ids.size() == rendered.assistant_mask.size());
      }
    });
  }
  return 0;
}
