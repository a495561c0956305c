#pragma once
// A served or local language model named in a run config (the judge, the
// LLM patient): the same spec strings `clinrl eval --judge` takes, plus what
// an HTTP backend needs. Plain data, so that any module's config can hold
// one; llm/language_model_factory.h opens it.
#include <string>

namespace clinrl::core {

struct BackendOptions {
  std::string backend;      // http(s)://HOST:PORT/v1, local:DIR, a checkpoint directory or a .json config
  std::string model;        // the "model" field sent to an http backend ("" = not sent)
  std::string api_key_env;  // environment variable holding the API key of an http backend
  int concurrency = 16;     // requests in flight at once
  double timeout_s = 120;   // per request (an http backend's read timeout)
  int max_retries = 2;      // transport-level retries (connection errors, 429, 5xx) per request

  template <class V>
  void fields(V& v) {
    v("backend", backend);
    v("model", model);
    v("api_key_env", api_key_env);
    v("concurrency", concurrency);
    v("timeout_s", timeout_s);
    v("max_retries", max_retries);
  }
  void validate() const;
};

}  // namespace clinrl::core
