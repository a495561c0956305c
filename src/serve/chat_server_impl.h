#pragma once
// ChatServer's state, shared by its lifecycle (chat_server.cpp) and its HTTP
// routes (chat_routes.cpp). Private to the serve module.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "batch_queue.h"
#include "clinrl/serve/chat_server.h"
#include "clinrl/serve/openai_protocol.h"

namespace clinrl::serve {

inline int64_t unix_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct ChatServer::Impl {
  llm::LocalLanguageModel& model;
  ServerOptions options;
  BatchQueue queue;
  std::string name;
  std::string token;  // bearer token ("" = none)
  int64_t started_at = unix_time();
  httplib::Server http;
  std::thread listener, worker;
  int bound_port = 0;

  std::mutex state_mutex;
  std::condition_variable state_changed;
  bool running = false, stop_requested = false, stopped = false;

  std::atomic<int64_t> requests{0}, completions{0}, errors{0};
  std::atomic<uint64_t> next_id{0};

  Impl(llm::LocalLanguageModel& m, ServerOptions o)
      : model(m), options(std::move(o)), queue(m, options.max_batch, options.batch_wait_ms) {}

  // chat_routes.cpp
  void routes();
  void chat_completions(const httplib::Request& req, httplib::Response& res);
  void stream_reply(httplib::Response& res, std::shared_ptr<Exchange> ex, const std::string& id, int64_t created,
                    bool include_usage);
  // chat_server.cpp: the Authorization header against the token.
  bool authorized(const httplib::Request& req) const;
};

}  // namespace clinrl::serve
