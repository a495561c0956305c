#pragma once
// An OpenAI-compatible HTTP server for one llm::LocalLanguageModel:
//   POST /v1/chat/completions  (non-streaming, or stream: true as server-sent events)
//   GET  /v1/models, GET /health
// HTTP threads parse and check requests and queue them; one worker thread
// takes up to max_batch queued requests (waiting at most batch_wait_ms for
// more) and generates them in one llm::LocalLanguageModel::complete() call.
// Every request is caught whole: bad input gets an OpenAI-style error body,
// never a crash or a hang. Binds 127.0.0.1 unless told otherwise.
#include <cstdint>
#include <memory>
#include <string>

#include "clinrl/llm/local_language_model.h"

namespace clinrl::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                      // 0 = any free port (see ChatServer::port())
  std::string api_key_env;              // env var holding a bearer token clients must send ("" = none)
  int64_t max_request_bytes = 1 << 20;  // larger bodies get 413
  int64_t max_batch = 32;               // choices (sum of n) per complete() call
  int64_t batch_wait_ms = 5;            // how long a new batch waits for more requests
  int threads = 16;                     // HTTP connection threads (a streaming reply holds one)
  std::string model_name;               // reported in responses; "" = the checkpoint's name

  template <class V>
  void fields(V& v) {
    v("host", host);
    v("port", port);
    v("api_key_env", api_key_env);
    v("max_request_bytes", max_request_bytes);
    v("max_batch", max_batch);
    v("batch_wait_ms", batch_wait_ms);
    v("threads", threads);
    v("model_name", model_name);
  }
  void validate() const;
};

// Counters since start (for logs, tests and benchmarks).
struct ServerStats {
  int64_t requests = 0;     // POST /v1/chat/completions received (valid or not)
  int64_t completions = 0;  // requests answered with a completion
  int64_t errors = 0;       // error responses of any route
  int64_t batches = 0;      // complete() calls
  int64_t batched_requests = 0;  // requests over all those calls
};

class ChatServer {
 public:
  // The model must outlive the server. UserError for bad options or an
  // api_key_env that is not set.
  ChatServer(llm::LocalLanguageModel& model, ServerOptions options);
  ~ChatServer();  // stop()
  ChatServer(const ChatServer&) = delete;
  ChatServer& operator=(const ChatServer&) = delete;

  // Binds (UserError when the address is taken or invalid) and starts serving
  // in background threads; returns the bound port.
  int start();
  // Blocks until stop() has been called and the server has shut down.
  void wait();
  // Stops accepting, answers queued requests with 503, joins the threads.
  // Safe from any thread, idempotent.
  void stop();

  int port() const;
  std::string base_url() const;  // "http://HOST:PORT/v1"
  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinrl::serve
