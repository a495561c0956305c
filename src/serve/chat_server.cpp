#include "clinrl/serve/chat_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"
#include "clinrl/serve/openai_protocol.h"

namespace clinrl::serve {

using core::format;
using core::Json;

void ServerOptions::validate() const {
  if (host.empty()) throw std::invalid_argument("host must not be empty");
  core::check_range("port", port, 0, 65535);
  for (char c : api_key_env)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw std::invalid_argument(format("api_key_env must be an environment variable name, got '{}'", api_key_env));
  core::check_range("max_request_bytes", static_cast<double>(max_request_bytes), 256, 1 << 30);
  core::check_range("max_batch", static_cast<double>(max_batch), 1, 4096);
  core::check_range("batch_wait_ms", static_cast<double>(batch_wait_ms), 0, 60000);
  core::check_range("threads", threads, 1, 1024);
}

namespace {

// One request between its HTTP thread and the worker.
struct Exchange {
  CompletionRequest request;
  bool stream = false;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<int64_t, std::string>> pieces;  // streamed (choice, text) not yet sent
  bool done = false;
  CompletionResult result;
  int error_status = 0;  // 0: result is valid
  std::string error_message;

  void finish(CompletionResult r) {
    std::lock_guard<std::mutex> lock(mutex);
    result = std::move(r);
    done = true;
    changed.notify_all();
  }
  void fail(int status, std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    error_status = status;
    error_message = std::move(message);
    done = true;
    changed.notify_all();
  }
};

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(core::dump_json(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, const std::string& param = "",
                const std::string& type = "invalid_request_error") {
  send_json(res, status, error_body(message, type, param));
}

std::string sse(const Json& j) { return "data: " + core::dump_json(j) + "\n\n"; }

int64_t unix_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct ChatServer::Impl {
  LocalLanguageModel& model;
  ServerOptions options;
  std::string name;
  std::string token;  // bearer token ("" = none)
  int64_t started_at = unix_time();
  httplib::Server http;
  std::thread listener, worker;
  int bound_port = 0;

  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<std::shared_ptr<Exchange>> queue;
  bool stopping = false;

  std::mutex state_mutex;
  std::condition_variable state_changed;
  bool running = false, stop_requested = false, stopped = false;

  std::atomic<int64_t> requests{0}, completions{0}, errors{0}, batches{0}, batched_requests{0};
  std::atomic<uint64_t> next_id{0};

  Impl(LocalLanguageModel& m, ServerOptions o) : model(m), options(std::move(o)) {}

  void routes();
  void chat_completions(const httplib::Request& req, httplib::Response& res);
  void stream_reply(httplib::Response& res, std::shared_ptr<Exchange> ex, const std::string& id, int64_t created);
  std::shared_ptr<Exchange> enqueue(ParsedChatRequest parsed);
  void work();
  void run_batch(std::vector<std::shared_ptr<Exchange>>& batch);
  bool authorized(const httplib::Request& req) const {
    return token.empty() || req.get_header_value("Authorization") == "Bearer " + token;
  }
};

void ChatServer::Impl::routes() {
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      chat_completions(req, res);
    } catch (const ApiError& e) {
      send_error(res, e.status(), e.what(), e.param(), e.type());
    } catch (const std::exception& e) {
      send_error(res, 500, format("internal error: {}", e.what()), "", "server_error");
    } catch (...) {
      send_error(res, 500, "internal error", "", "server_error");
    }
  });
  http.Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req)) return send_error(res, 401, "missing or wrong bearer token (Authorization: Bearer ...)");
    Json model = Json{{"id", name}, {"object", "model"}, {"created", started_at}, {"owned_by", "clinrl"}};
    send_json(res, 200, Json{{"object", "list"}, {"data", Json::array({model})}});
  });
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    size_t queued;
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queued = queue.size();
    }
    send_json(res, 200, Json{{"status", "ok"}, {"model", name}, {"queued", queued}});
  });
  auto not_allowed = [](const char* allow) {
    return [allow](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allow);
      send_error(res, 405, format("{} is not allowed on {}; use {}", req.method, req.path, allow));
    };
  };
  for (const char* path : {"/v1/chat/completions"}) {
    http.Get(path, not_allowed("POST"));
    http.Put(path, not_allowed("POST"));
    http.Patch(path, not_allowed("POST"));
    http.Delete(path, not_allowed("POST"));
  }
  for (const char* path : {"/v1/models", "/health"}) {
    http.Post(path, not_allowed("GET"));
    http.Put(path, not_allowed("GET"));
    http.Patch(path, not_allowed("GET"));
    http.Delete(path, not_allowed("GET"));
  }
  // Errors httplib produces itself (unknown route, oversized or unreadable
  // request) get the same JSON shape; responses with a body are ours already.
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
    errors++;
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404)
      send_error(res, 404, format("no route {} {}", req.method, req.path));
    else if (res.status == 413)
      send_error(res, 413, format("the request body exceeds {} bytes", options.max_request_bytes));
    else
      send_error(res, res.status, format("bad request (HTTP {})", res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, "internal error", "", "server_error");
  });
}

void ChatServer::Impl::chat_completions(const httplib::Request& req, httplib::Response& res) {
  requests++;
  if (!authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    throw ApiError(401, "missing or wrong bearer token (Authorization: Bearer ...)");
  }
  if (static_cast<int64_t>(req.body.size()) > options.max_request_bytes)
    throw ApiError(413, format("the request body exceeds {} bytes", options.max_request_bytes));
  ChatRequestLimits limits;
  limits.max_n = options.max_batch;
  limits.default_max_tokens = model.context_length();
  ParsedChatRequest parsed = parse_chat_request(req.body, limits);
  try {
    model.check(parsed.request);
  } catch (const std::invalid_argument& e) {
    std::string message = e.what();
    throw ApiError(400, message, message.substr(0, message.find(':')));
  }
  const uint64_t number = next_id++;
  if (!parsed.seeded) parsed.request.seed = Rng::stream(0, "unseeded request", number).next_u64();
  const std::string id = format("chatcmpl-{}-{}", started_at, number);
  const int64_t created = unix_time();
  auto ex = enqueue(std::move(parsed));
  if (ex->stream) return stream_reply(res, ex, id, created);
  std::unique_lock<std::mutex> lock(ex->mutex);
  ex->changed.wait(lock, [&] { return ex->done; });
  if (ex->error_status) throw ApiError(ex->error_status, ex->error_message, "", "server_error");
  completions++;
  send_json(res, 200, completion_body(id, created, name, ex->result));
}

void ChatServer::Impl::stream_reply(httplib::Response& res, std::shared_ptr<Exchange> ex, const std::string& id,
                                    int64_t created) {
  const int64_t n = ex->request.n;
  auto started = std::make_shared<bool>(false);
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [this, ex, id, created, n, started](size_t, httplib::DataSink& sink) {
    std::deque<std::pair<int64_t, std::string>> pieces;
    bool done;
    {
      std::unique_lock<std::mutex> lock(ex->mutex);
      ex->changed.wait(lock, [&] { return ex->done || !ex->pieces.empty(); });
      pieces.swap(ex->pieces);
      done = ex->done;
    }
    std::string out;
    if (!*started) {
      for (int64_t k = 0; k < n; ++k)
        out += sse(chunk_body(id, created, name, k, Json{{"role", "assistant"}, {"content", ""}}, ""));
      *started = true;
    }
    for (auto& [k, text] : pieces) out += sse(chunk_body(id, created, name, k, Json{{"content", text}}, ""));
    if (done) {
      if (ex->error_status) {
        errors++;
        out += sse(error_body(ex->error_message, "server_error", ""));
      } else {
        completions++;
        for (int64_t k = 0; k < n; ++k)
          out += sse(chunk_body(id, created, name, k, Json::object(),
                                ex->result.choices[static_cast<size_t>(k)].finish_reason));
      }
      out += "data: [DONE]\n\n";
    }
    if (!out.empty() && !sink.write(out.data(), out.size())) return false;  // the client went away
    if (done) sink.done();
    return true;
  });
}

std::shared_ptr<Exchange> ChatServer::Impl::enqueue(ParsedChatRequest parsed) {
  auto ex = std::make_shared<Exchange>();
  ex->request = std::move(parsed.request);
  ex->stream = parsed.stream;
  {
    std::lock_guard<std::mutex> lock(queue_mutex);
    if (stopping) throw ApiError(503, "the server is shutting down", "", "server_error");
    queue.push_back(ex);
  }
  queue_changed.notify_all();
  return ex;
}

void ChatServer::Impl::work() {
  auto choices = [&] {
    int64_t total = 0;
    for (const auto& ex : queue) total += ex->request.n;
    return total;
  };
  while (true) {
    std::vector<std::shared_ptr<Exchange>> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mutex);
      queue_changed.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) break;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.batch_wait_ms);
      while (!stopping && choices() < options.max_batch)
        if (queue_changed.wait_until(lock, deadline) == std::cv_status::timeout) break;
      int64_t taken = 0;
      while (!queue.empty() && (batch.empty() || taken + queue.front()->request.n <= options.max_batch)) {
        taken += queue.front()->request.n;
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    run_batch(batch);
  }
  std::deque<std::shared_ptr<Exchange>> left;
  {
    std::lock_guard<std::mutex> lock(queue_mutex);
    left.swap(queue);
  }
  for (auto& ex : left) ex->fail(503, "the server is shutting down");
}

void ChatServer::Impl::run_batch(std::vector<std::shared_ptr<Exchange>>& batch) {
  std::vector<CompletionRequest> requests;
  bool any_stream = false;
  for (const auto& ex : batch) {
    requests.push_back(ex->request);
    any_stream = any_stream || ex->stream;
  }
  CompletionTextCallback on_text;
  if (any_stream)
    on_text = [&](size_t i, int64_t choice, const std::string& piece) {
      auto& ex = *batch[i];
      if (!ex.stream) return;
      std::lock_guard<std::mutex> lock(ex.mutex);
      ex.pieces.emplace_back(choice, piece);
      ex.changed.notify_all();
    };
  batches++;
  batched_requests += static_cast<int64_t>(batch.size());
  try {
    auto results = model.complete(requests, on_text);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->finish(std::move(results[i]));
  } catch (const std::exception& e) {
    log::error("serve: generation failed for a batch of {}: {}", batch.size(), e.what());
    for (auto& ex : batch) ex->fail(500, format("generation failed: {}", e.what()));
  } catch (...) {
    for (auto& ex : batch) ex->fail(500, "generation failed");
  }
}

ChatServer::ChatServer(LocalLanguageModel& model, ServerOptions options)
    : impl_(std::make_unique<Impl>(model, std::move(options))) {
  auto& s = *impl_;
  try {
    s.options.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(format("serve: {}", e.what()));
  }
  if (!s.options.api_key_env.empty()) {
    const char* key = std::getenv(s.options.api_key_env.c_str());
    if (!key || !*key)
      throw UserError(format("serve: the environment variable {} (api_key_env) is not set", s.options.api_key_env));
    s.token = key;
  }
  s.name = s.options.model_name.empty() ? model.model_name() : s.options.model_name;
  const int threads = s.options.threads;
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.http.set_payload_max_length(static_cast<size_t>(s.options.max_request_bytes));
  s.http.set_keep_alive_timeout(2);
  s.routes();
}

ChatServer::~ChatServer() { stop(); }

int ChatServer::start() {
  auto& s = *impl_;
  std::lock_guard<std::mutex> lock(s.state_mutex);  // a concurrent stop() waits until the threads run
  if (s.running || s.stop_requested) throw std::logic_error("ChatServer::start: already started or stopped");
  int port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                                 : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  if (port < 0) throw UserError(format("serve: cannot listen on {}:{} (in use, or not an address of this machine)",
                                       s.options.host, s.options.port));
  s.bound_port = port;
  s.worker = std::thread([&s] { s.work(); });
  s.listener = std::thread([&s] { s.http.listen_after_bind(); });
  s.running = true;
  // httplib's stop() only works once the accept loop runs: wait for it.
  for (int i = 0; i < 10000 && !s.http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void ChatServer::wait() {
  auto& s = *impl_;
  std::unique_lock<std::mutex> lock(s.state_mutex);
  s.state_changed.wait(lock, [&] { return s.stopped; });
}

void ChatServer::stop() {
  auto& s = *impl_;
  {
    std::unique_lock<std::mutex> lock(s.state_mutex);
    if (s.stop_requested) {  // another thread is stopping it: wait for that
      s.state_changed.wait(lock, [&] { return s.stopped; });
      return;
    }
    s.stop_requested = true;
    if (!s.running) {
      s.stopped = true;
      s.state_changed.notify_all();
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(s.queue_mutex);
    s.stopping = true;
  }
  s.queue_changed.notify_all();
  if (s.worker.joinable()) s.worker.join();  // finishes its batch, fails what is queued
  s.http.stop();
  if (s.listener.joinable()) s.listener.join();
  std::lock_guard<std::mutex> lock(s.state_mutex);
  s.running = false;
  s.stopped = true;
  s.state_changed.notify_all();
}

int ChatServer::port() const { return impl_->bound_port; }

std::string ChatServer::base_url() const {
  const std::string& host = impl_->options.host;
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return format("http://{}:{}/v1", shown, impl_->bound_port);
}

ServerStats ChatServer::stats() const {
  const auto& s = *impl_;
  return {s.requests.load(), s.completions.load(), s.errors.load(), s.batches.load(), s.batched_requests.load()};
}

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

}  // namespace clinrl::serve
