// libFuzzer target for the server's chat-completions body parser
// (serve/openai_protocol.h): any body parses or throws serve::ApiError with
// status 400; a body that parses must satisfy the limits it was checked against.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "clinrl/serve/openai_protocol.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinrl::serve;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  ChatRequestLimits limits;
  try {
    auto parsed = parse_chat_request(body, limits);
    const auto& r = parsed.request;
    clinrl::fuzz::check(!r.messages.empty());
    clinrl::fuzz::check(r.n >= 1 && r.n <= limits.max_n);
    clinrl::fuzz::check(static_cast<int64_t>(r.stop.size()) <= limits.max_stop);
  } catch (const ApiError& e) {
    clinrl::fuzz::check(e.status() == 400);
  }
  json_nesting_depth(body, limits.max_depth);
  return 0;
}
