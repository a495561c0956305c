#pragma once
// One place that turns a user's choice of LLM into a core::LanguageModel:
// a config section (embeddable in other configs) and a one-string spec for
// command lines.
#include <memory>
#include <string>

#include "clinrl/core/backend_options.h"
#include "clinrl/core/language_model.h"
#include "clinrl/llm/http_chat_client.h"
#include "clinrl/llm/local_language_model.h"

namespace clinrl::llm {

struct LanguageModelOptions {
  std::string backend = "http";  // http | local
  HttpClientOptions http;        // used when backend is http
  LocalModelOptions local;       // used when backend is local

  template <class V>
  void fields(V& v) {
    v("backend", backend);
    v("http", http);
    v("local", local);
  }
  // Checks the backend name and the chosen backend's section only.
  void validate() const;
};

// "http://..." / "https://..."  -> http with that base_url;
// "local:DIR" or an existing directory -> the local checkpoint DIR;
// a path ending in .json -> a LanguageModelOptions config file (core::load_config).
// UserError naming the spec otherwise.
LanguageModelOptions parse_language_model_spec(const std::string& spec);

// The backend the options describe (loads a local checkpoint; UserError when it cannot).
std::unique_ptr<core::LanguageModel> open_language_model(const LanguageModelOptions& options);

// A config's backend section as LanguageModelOptions: the spec, with model,
// api_key_env, concurrency, timeout and retries applied to an http backend.
// `key` names the section in errors ("judge", "sim.llm_patient").
LanguageModelOptions resolve_backend(const core::BackendOptions& backend, const std::string& key);
// Opens it; an http backend is probed first (HttpChatClient::probe), so an
// unreachable server is an error naming `key` and the URL before any work.
std::unique_ptr<core::LanguageModel> open_backend(const core::BackendOptions& backend, const std::string& key);

}  // namespace clinrl::llm
