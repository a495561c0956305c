#pragma once
// The one interface for anything that needs free text from a language model
// (LLM judge, LLM patient). Implementations: the local libtorch model and an
// OpenAI-compatible HTTP client (later modules); tests use scripted backends.
// Kept in core and free of libtorch so the grader and simulator can use it.
#include <cstdint>
#include <string>
#include <vector>

namespace clinrl::core {

// One turn of a chat: role is "system", "user" or "assistant".
struct ChatMessage {
  std::string role;
  std::string content;

  template <class V>
  void fields(V& v) {
    v.required("role", role);
    v.required("content", content);
  }
  bool operator==(const ChatMessage& o) const { return role == o.role && content == o.content; }
};

using Conversation = std::vector<ChatMessage>;

struct ChatOptions {
  double temperature = 0.0;
  int max_tokens = 1024;
  uint64_t seed = 0;

  template <class V>
  void fields(V& v) {
    v("temperature", temperature);
    v("max_tokens", max_tokens);
    v("seed", seed);
  }
};

class LanguageModel {
 public:
  virtual ~LanguageModel() = default;
  // The assistant's reply to `messages`.
  virtual std::string chat(const Conversation& messages, const ChatOptions& options) = 0;
  // Several independent requests at once; backends that can batch override
  // this (the answers come back in request order).
  virtual std::vector<std::string> chat_batch(const std::vector<Conversation>& requests, const ChatOptions& options) {
    std::vector<std::string> out;
    out.reserve(requests.size());
    for (const auto& r : requests) out.push_back(chat(r, options));
    return out;
  }
  // True when chat() may be called from several threads at once (an HTTP
  // client); callers then run their own bounded worker pool, which also
  // times and fails each request on its own.
  virtual bool concurrent() const { return false; }
};

}  // namespace clinrl::core
