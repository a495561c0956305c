#pragma once
// An OpenAI-compatible chat client: POST {base_url}/chat/completions over
// cpp-httplib, behind core::LanguageModel (for the judge and the patient).
// Connection errors, timeouts, 429 and 5xx are retried with exponential
// backoff (a Retry-After header is honoured up to backoff_max_s); other 4xx
// and unusable answers throw HttpChatError naming the URL and the reason.
// chat_batch sends up to max_concurrency requests at once.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/llm/local_language_model.h"

namespace clinrl::llm {

struct HttpClientOptions {
  std::string base_url = "http://127.0.0.1:8080/v1";  // http:// or https://, the path before /chat/completions
  std::string model;        // the "model" field sent ("" = not sent; servers that need it say so)
  std::string api_key_env;  // environment variable holding the API key ("" = no Authorization header)
  double connect_timeout_s = 10;
  double read_timeout_s = 600;  // a long generation is not an error
  int max_retries = 4;          // retries after the first attempt
  double backoff_initial_s = 0.5;
  double backoff_max_s = 30;
  int max_concurrency = 8;      // parallel requests in chat_batch

  template <class V>
  void fields(V& v) {
    v("base_url", base_url);
    v("model", model);
    v("api_key_env", api_key_env);
    v("connect_timeout_s", connect_timeout_s);
    v("read_timeout_s", read_timeout_s);
    v("max_retries", max_retries);
    v("backoff_initial_s", backoff_initial_s);
    v("backoff_max_s", backoff_max_s);
    v("max_concurrency", max_concurrency);
  }
  void validate() const;
};

// A request that failed for good. status is the last HTTP status (0 when
// no response came: connection error, timeout, unusable body).
class HttpChatError : public std::runtime_error {
 public:
  HttpChatError(const std::string& message, int status, int attempts)
      : std::runtime_error(message), status_(status), attempts_(attempts) {}
  int status() const { return status_; }
  int attempts() const { return attempts_; }

 private:
  int status_;
  int attempts_;
};

class HttpChatClient : public core::LanguageModel {
 public:
  // UserError for invalid options or an API key variable that is not set.
  explicit HttpChatClient(HttpClientOptions options);
  ~HttpChatClient() override;

  // All n choices of one request.
  CompletionResult complete(const CompletionRequest& request);
  std::string chat(const core::Conversation& messages, const core::ChatOptions& options) override;
  // Up to max_concurrency requests in parallel; answers in request order.
  // When some fail, the others still finish, then the first failure is thrown.
  std::vector<std::string> chat_batch(const std::vector<core::Conversation>& requests,
                                      const core::ChatOptions& options) override;
  bool concurrent() const override { return true; }

  // Checks that the server answers at all (GET {base_url}/models, one try,
  // the connect timeout): any HTTP response counts. UserError naming the URL
  // and the reason when nothing answers, so a run fails before it starts.
  void probe() const;

  const HttpClientOptions& options() const { return options_; }
  // The URL requests go to ({base_url}/chat/completions).
  const std::string& url() const { return url_; }
  // HTTP attempts made so far (retries included), for logs and tests.
  int64_t attempts() const;

 private:
  struct Shared;
  HttpClientOptions options_;
  std::string url_;
  std::unique_ptr<Shared> shared_;
};

// The OpenAI request body for `request` ("model" only when not empty).
std::string chat_request_body(const CompletionRequest& request, const std::string& model);
// Reads an OpenAI chat.completion body; HttpChatError (status 0) naming what is missing.
CompletionResult parse_chat_response(const std::string& body, const std::string& url);

}  // namespace clinrl::llm
