#include "clinrl/llm/http_chat_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/parallel.h"
#include "clinrl/core/strings.h"

namespace clinrl::llm {

using core::format;
using core::Json;

void HttpClientOptions::validate() const {
  if (!core::starts_with(base_url, "http://") && !core::starts_with(base_url, "https://"))
    throw std::invalid_argument(format("base_url must start with http:// or https://, got '{}'", base_url));
  if (base_url.find_first_of(" \t\r\n?#") != std::string::npos)
    throw std::invalid_argument(format("base_url must not contain spaces, '?' or '#', got '{}'", base_url));
  for (char c : api_key_env)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw std::invalid_argument(format("api_key_env must be an environment variable name, got '{}'", api_key_env));
  core::check_range("connect_timeout_s", connect_timeout_s, 0.001, 3600);
  core::check_range("read_timeout_s", read_timeout_s, 0.001, 86400);
  core::check_range("max_retries", max_retries, 0, 100);
  core::check_range("backoff_initial_s", backoff_initial_s, 0, 3600);
  core::check_range("backoff_max_s", backoff_max_s, backoff_initial_s, 3600);
  core::check_range("max_concurrency", max_concurrency, 1, 256);
}

std::string chat_request_body(const CompletionRequest& r, const std::string& model) {
  Json j = Json::object();
  if (!model.empty()) j["model"] = model;
  Json messages = Json::array();
  for (const auto& m : r.messages) messages.push_back(Json{{"role", m.role}, {"content", m.content}});
  j["messages"] = std::move(messages);
  j["temperature"] = r.temperature;
  j["top_p"] = r.top_p;
  j["max_tokens"] = r.max_tokens;
  j["seed"] = r.seed;
  if (r.n != 1) j["n"] = r.n;
  if (!r.stop.empty()) j["stop"] = r.stop;
  return core::dump_json(j);
}

CompletionResult parse_chat_response(const std::string& body, const std::string& url) {
  auto fail = [&](const std::string& what) -> HttpChatError {
    std::string excerpt = body.size() > 200 ? body.substr(0, 200) + "..." : body;
    return HttpChatError(format("POST {}: unusable response ({}): {}", url, what, excerpt), 0, 1);
  };
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw fail("not JSON");
  if (!j.is_object()) throw fail("not a JSON object");
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) throw fail("no 'choices'");
  CompletionResult out;
  out.choices.resize(choices->size());
  for (size_t i = 0; i < choices->size(); ++i) {
    const Json& c = (*choices)[i];
    if (!c.is_object()) throw fail(format("choices[{}] is not an object", i));
    size_t index = i;
    if (auto it = c.find("index"); it != c.end() && it->is_number_unsigned() && it->get<size_t>() < choices->size())
      index = it->get<size_t>();
    auto message = c.find("message");
    if (message == c.end() || !message->is_object()) throw fail(format("choices[{}] has no 'message'", i));
    auto content = message->find("content");
    if (content == message->end() || !content->is_string())
      throw fail(format("choices[{}].message.content is not a string", i));
    auto& choice = out.choices[index];
    choice.text = content->get<std::string>();
    if (auto it = c.find("finish_reason"); it != c.end() && it->is_string()) choice.finish_reason = it->get<std::string>();
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    if (auto it = usage->find("prompt_tokens"); it != usage->end() && it->is_number_integer())
      out.prompt_tokens = it->get<int64_t>();
    if (auto it = usage->find("completion_tokens"); it != usage->end() && it->is_number_integer() &&
                                                   out.choices.size() == 1)
      out.choices[0].completion_tokens = it->get<int64_t>();
  }
  return out;
}

namespace {

// The server's own words for an error: OpenAI's {"error": {"message"}}, or the body.
std::string server_message(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    auto e = j.find("error");
    if (e != j.end() && e->is_object() && e->contains("message") && (*e)["message"].is_string())
      return (*e)["message"].get<std::string>();
    if (e != j.end() && e->is_string()) return e->get<std::string>();
  }
  std::string text = core::trim(body);
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "no connection (refused or unreachable)";
    case httplib::Error::ConnectionTimeout: return "connect timed out";
    case httplib::Error::Read: return "no complete response (read failed or timed out)";
    case httplib::Error::Write: return "sending the request failed";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    default: return "request failed (" + httplib::to_string(e) + ")";
  }
}

bool retryable(int status) { return status == 408 || status == 429 || status >= 500; }

void set_timeout(double seconds, const std::function<void(time_t, time_t)>& set) {
  auto whole = static_cast<time_t>(seconds);
  set(whole, static_cast<time_t>(std::lround((seconds - static_cast<double>(whole)) * 1e6)));
}

}  // namespace

struct HttpChatClient::Shared {
  std::string scheme_host_port;  // "http://host:port"
  std::string path;              // "/v1/chat/completions"
  std::string api_key;
  std::atomic<int64_t> attempts{0};
  std::mutex mutex;
  std::vector<std::unique_ptr<httplib::Client>> idle;  // kept-alive connections

  // A kept-alive connection when one is idle (`reused` says so), else a new one.
  std::unique_ptr<httplib::Client> acquire(const HttpClientOptions& o, bool* reused = nullptr) {
    if (reused) *reused = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        if (reused) *reused = true;
        return c;
      }
    }
    return acquire_new(o);
  }
  std::unique_ptr<httplib::Client> acquire_new(const HttpClientOptions& o) {
    auto c = std::make_unique<httplib::Client>(scheme_host_port);
    set_timeout(o.connect_timeout_s, [&](time_t s, time_t us) { c->set_connection_timeout(s, us); });
    set_timeout(o.read_timeout_s, [&](time_t s, time_t us) { c->set_read_timeout(s, us); });
    set_timeout(o.read_timeout_s, [&](time_t s, time_t us) { c->set_write_timeout(s, us); });
    c->set_keep_alive(true);
    if (!api_key.empty()) c->set_bearer_token_auth(api_key);
    return c;
  }
  void release(std::unique_ptr<httplib::Client> c) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(std::move(c));
  }
};

HttpChatClient::HttpChatClient(HttpClientOptions options) : options_(std::move(options)), shared_(new Shared) {
  try {
    options_.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(format("http client: {}", e.what()));
  }
  std::string base = options_.base_url;
  while (core::ends_with(base, "/")) base.pop_back();
  size_t host_begin = base.find("://") + 3;
  size_t slash = base.find('/', host_begin);
  shared_->scheme_host_port = base.substr(0, slash);
  shared_->path = (slash == std::string::npos ? std::string() : base.substr(slash)) + "/chat/completions";
  if (slash == host_begin || host_begin == base.size())
    throw UserError(format("http client: base_url '{}' has no host", options_.base_url));
  url_ = base + "/chat/completions";
  if (!options_.api_key_env.empty()) {
    const char* key = std::getenv(options_.api_key_env.c_str());
    if (!key || !*key)
      throw UserError(format("http client: the environment variable {} (api_key_env) is not set", options_.api_key_env));
    shared_->api_key = key;
  }
  if (!httplib::Client(shared_->scheme_host_port).is_valid())
    throw UserError(format("http client: cannot use base_url '{}'", options_.base_url));
}

HttpChatClient::~HttpChatClient() = default;

int64_t HttpChatClient::attempts() const { return shared_->attempts.load(); }

void HttpChatClient::probe() const {
  httplib::Client client(shared_->scheme_host_port);
  set_timeout(options_.connect_timeout_s, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  set_timeout(options_.connect_timeout_s, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  if (!shared_->api_key.empty()) client.set_bearer_token_auth(shared_->api_key);
  std::string base = options_.base_url;
  while (core::ends_with(base, "/")) base.pop_back();
  const std::string models_path = shared_->path.substr(0, shared_->path.size() - std::string("/chat/completions").size()) + "/models";
  auto res = client.Get(models_path);
  if (!res) throw UserError(format("backend {} is unreachable: GET {}/models: {}", base, base, describe(res.error())));
  if (res->status == 401 || res->status == 403)
    throw UserError(format("backend {} refuses the credentials: GET {}/models: HTTP {}", base, base, res->status));
}

CompletionResult HttpChatClient::complete(const CompletionRequest& request) {
  const std::string body = chat_request_body(request, options_.model);
  std::string last_error;
  int last_status = 0;
  const int tries = options_.max_retries + 1;
  for (int attempt = 1; attempt <= tries; ++attempt) {
    bool reused = false;
    auto client = shared_->acquire(options_, &reused);
    shared_->attempts.fetch_add(1);
    auto res = client->Post(shared_->path, body, "application/json");
    if (!res && reused) {
      // The server may have closed an idle kept-alive connection (servers cap
      // requests per connection): that is no failure, so try a fresh one at once.
      client = shared_->acquire_new(options_);
      shared_->attempts.fetch_add(1);
      res = client->Post(shared_->path, body, "application/json");
    }
    double retry_after = -1;
    if (!res) {
      last_status = 0;
      last_error = describe(res.error());
      client.reset();  // a broken connection is not reused
    } else {
      last_status = res->status;
      if (res->status == 200) {
        shared_->release(std::move(client));
        try {
          return parse_chat_response(res->body, url_);
        } catch (const HttpChatError& e) {
          throw HttpChatError(e.what(), 200, attempt);
        }
      }
      last_error = format("HTTP {}: {}", res->status, server_message(res->body));
      if (!retryable(res->status))
        throw HttpChatError(format("POST {}: {}", url_, last_error), res->status, attempt);
      if (res->has_header("Retry-After")) {
        char* end = nullptr;
        std::string v = res->get_header_value("Retry-After");
        double s = std::strtod(v.c_str(), &end);
        if (end != v.c_str() && s >= 0) retry_after = s;
      }
      shared_->release(std::move(client));
    }
    if (attempt == tries) break;
    double wait = retry_after >= 0 ? retry_after
                                   : options_.backoff_initial_s * std::pow(2.0, static_cast<double>(attempt - 1));
    wait = std::min(wait, options_.backoff_max_s);
    log::warn("POST {}: {}; retry {} of {} in {} s", url_, last_error, attempt, options_.max_retries,
              std::round(wait * 1000) / 1000);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  throw HttpChatError(format("POST {}: gave up after {} attempt(s): {}", url_, tries, last_error), last_status, tries);
}

std::string HttpChatClient::chat(const core::Conversation& messages, const core::ChatOptions& options) {
  return complete(to_completion_request(messages, options)).choices.at(0).text;
}

std::vector<std::string> HttpChatClient::chat_batch(const std::vector<core::Conversation>& requests,
                                                    const core::ChatOptions& options) {
  std::vector<std::string> out(requests.size());
  core::parallel_for(requests.size(), options_.max_concurrency, [&](size_t i) { out[i] = chat(requests[i], options); });
  return out;
}

}  // namespace clinrl::llm
