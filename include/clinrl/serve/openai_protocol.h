#pragma once
// The OpenAI chat-completions wire format as the server speaks it: request
// bodies in (checked field by field), chat.completion / chat.completion.chunk
// and error bodies out.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/llm/local_language_model.h"

namespace clinrl::serve {

// An error answer: HTTP status, OpenAI error type, the offending field and
// OpenAI's machine-readable code ("invalid_api_key", "context_length_exceeded", ...).
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string param = "", std::string type = "invalid_request_error",
           std::string code = "")
      : std::runtime_error(std::move(message)),
        status_(status),
        type_(std::move(type)),
        param_(std::move(param)),
        code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string type_, param_, code_;
};

// {"error": {"message", "type", "param", "code"}}; param and code are null when empty.
core::Json error_body(const std::string& message, const std::string& type, const std::string& param,
                      const std::string& code = "");

struct ChatRequestLimits {
  int64_t max_n = 32;
  int64_t max_stop = 16;
  int max_depth = 32;  // nesting of the JSON body
  int64_t default_max_tokens = 4096;  // when the body gives none (the server uses the model's context)
  int64_t max_top_logprobs = 20;      // as OpenAI's API
};

struct ParsedChatRequest {
  llm::CompletionRequest request;
  bool stream = false;
  bool seeded = false;         // the body gave a seed
  bool include_usage = false;  // stream_options.include_usage: a last chunk carries the usage
};

// Parses a request body; ApiError 400 naming the field (param) for anything
// malformed: not JSON, nested deeper than max_depth, a wrong type or value.
// Unknown fields are ignored, but a field of OpenAI's API that this server
// does not implement (penalties, logit_bias, response_format other than text,
// tools and functions) is refused unless it holds its no-op value, so a
// client never gets a 200 that silently ignored what it asked for. Absent
// temperature is 1 as in OpenAI's API; top_p 0 keeps only the most likely
// token (greedy); content may be a string or a list of {"type": "text",
// "text"} parts; top_logprobs (0..max_top_logprobs) needs logprobs: true;
// stream_options ({"include_usage": bool}) needs stream: true.
ParsedChatRequest parse_chat_request(std::string_view body, const ChatRequestLimits& limits);

// Deepest nesting of arrays/objects in `text` (strings skipped); stops
// counting past `cap` (scanning only, no parsing).
int json_nesting_depth(std::string_view text, int cap);

// A choice's "logprobs": {"content": [{"token", "logprob", "bytes",
// "top_logprobs": [{"token", "logprob", "bytes"}, ...]}, ...], "refusal": null}.
core::Json logprobs_body(const std::vector<llm::TokenLogprob>& tokens);
// The chat.completion object of a finished request; each choice's
// "logprobs" is null unless the request asked for them.
core::Json completion_body(const std::string& id, int64_t created, const std::string& model,
                           const llm::CompletionResult& result, bool logprobs = false);
// {"prompt_tokens", "completion_tokens", "total_tokens"} of a finished request.
core::Json usage_body(const llm::CompletionResult& result);
// One chat.completion.chunk: `delta` for choice `index`, finish_reason null when empty.
core::Json chunk_body(const std::string& id, int64_t created, const std::string& model, int64_t index,
                      const core::Json& delta, const std::string& finish_reason,
                      const core::Json& logprobs = nullptr);
// The last chunk of a stream with stream_options.include_usage: no choices, the usage.
core::Json usage_chunk_body(const std::string& id, int64_t created, const std::string& model,
                            const llm::CompletionResult& result);

}  // namespace clinrl::serve
