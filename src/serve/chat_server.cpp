#include "clinrl/serve/chat_server.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "chat_server_impl.h"
#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::serve {

using core::format;

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

ChatServer::ChatServer(llm::LocalLanguageModel& model, ServerOptions options)
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

bool ChatServer::Impl::authorized(const httplib::Request& req) const {
  if (token.empty()) return true;
  // "Bearer" in any case (RFC 7235 schemes are case-insensitive), then the token.
  const std::string header = req.get_header_value("Authorization");
  const std::string scheme = "bearer ";
  if (header.size() < scheme.size()) return false;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
  // Constant time in the token's content: every byte is compared, whatever matches.
  const std::string_view given = std::string_view(header).substr(scheme.size());
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

int ChatServer::start() {
  auto& s = *impl_;
  std::lock_guard<std::mutex> lock(s.state_mutex);  // a concurrent stop() waits until the threads run
  if (s.running || s.stop_requested) throw std::logic_error("ChatServer::start: already started or stopped");
  int port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                                 : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  if (port < 0) throw UserError(format("serve: cannot listen on {}:{} (in use, or not an address of this machine)",
                                       s.options.host, s.options.port));
  s.bound_port = port;
  s.worker = std::thread([&s] { s.queue.run(); });
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
  s.queue.stop();
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
  return {s.requests.load(), s.completions.load(), s.errors.load(), s.queue.batches(), s.queue.batched_requests()};
}

}  // namespace clinrl::serve
