// The HTTP routes of ChatServer: chat completions (plain and streamed),
// models, health, and OpenAI-style errors for everything else.
#include <deque>
#include <stdexcept>

#include "chat_server_impl.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"

namespace clinrl::serve {

using core::format;
using core::Json;

namespace {

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(core::dump_json(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, const std::string& param = "",
                const std::string& type = "invalid_request_error", const std::string& code = "") {
  send_json(res, status, error_body(message, type, param, code));
}

constexpr const char* kUnauthorized = "missing or wrong bearer token (Authorization: Bearer ...)";

void send_unauthorized(httplib::Response& res) {
  send_error(res, 401, kUnauthorized, "", "invalid_request_error", "invalid_api_key");
}

std::string sse(const Json& j) { return "data: " + core::dump_json(j) + "\n\n"; }

}  // namespace

void ChatServer::Impl::routes() {
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      chat_completions(req, res);
    } catch (const ApiError& e) {
      send_error(res, e.status(), e.what(), e.param(), e.type(), e.code());
    } catch (const std::exception& e) {
      send_error(res, 500, format("internal error: {}", e.what()), "", "server_error");
    } catch (...) {
      send_error(res, 500, "internal error", "", "server_error");
    }
  });
  auto model_object = [this] {
    return Json{{"id", name}, {"object", "model"}, {"created", started_at}, {"owned_by", "clinrl"}};
  };
  http.Get("/v1/models", [this, model_object](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req)) return send_unauthorized(res);
    send_json(res, 200, Json{{"object", "list"}, {"data", Json::array({model_object()})}});
  });
  http.Get(R"(/v1/models/(.+))", [this, model_object](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req)) return send_unauthorized(res);
    const std::string id = req.matches[1];
    if (id != name)
      return send_error(res, 404, format("the model '{}' does not exist here; this server serves '{}'", id, name),
                        "model", "invalid_request_error", "model_not_found");
    send_json(res, 200, model_object());
  });
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, Json{{"status", "ok"}, {"model", name}, {"queued", queue.size()}});
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
  for (const char* path : {"/v1/models", R"(/v1/models/(.+))", "/health"}) {
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
    throw ApiError(401, kUnauthorized, "", "invalid_request_error", "invalid_api_key");
  }
  if (static_cast<int64_t>(req.body.size()) > options.max_request_bytes)
    throw ApiError(413, format("the request body exceeds {} bytes", options.max_request_bytes));
  ChatRequestLimits limits;
  limits.max_n = options.max_batch;
  limits.default_max_tokens = model.context_length();
  ParsedChatRequest parsed = parse_chat_request(req.body, limits);
  try {
    model.check(parsed.request);
  } catch (const llm::ContextLengthExceeded& e) {
    throw ApiError(400, e.what(), "messages", "invalid_request_error", "context_length_exceeded");
  } catch (const std::invalid_argument& e) {
    std::string message = e.what();
    throw ApiError(400, message, message.substr(0, message.find(':')));
  }
  const uint64_t number = next_id++;
  if (!parsed.seeded) parsed.request.seed = Rng::stream(0, "unseeded request", number).next_u64();
  const std::string id = format("chatcmpl-{}-{}", started_at, number);
  const int64_t created = unix_time();
  auto ex = queue.enqueue(std::move(parsed.request), parsed.stream);
  if (ex->stream) return stream_reply(res, ex, id, created, parsed.include_usage);
  std::unique_lock<std::mutex> lock(ex->mutex);
  ex->changed.wait(lock, [&] { return ex->done; });
  if (ex->error_status) throw ApiError(ex->error_status, ex->error_message, "", "server_error");
  completions++;
  send_json(res, 200, completion_body(id, created, name, ex->result, ex->request.logprobs));
}

void ChatServer::Impl::stream_reply(httplib::Response& res, std::shared_ptr<Exchange> ex, const std::string& id,
                                    int64_t created, bool include_usage) {
  const int64_t n = ex->request.n;
  auto started = std::make_shared<bool>(false);
  // With include_usage every chunk carries "usage": null, as OpenAI's do, and a last one the usage.
  auto event = [include_usage](Json chunk) {
    if (include_usage) chunk["usage"] = nullptr;
    return sse(chunk);
  };
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [this, ex, id, created, n, started, include_usage,
                                                         event](size_t, httplib::DataSink& sink) {
    std::deque<StreamPiece> pieces;
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
        out += event(chunk_body(id, created, name, k, Json{{"role", "assistant"}, {"content", ""}}, ""));
      *started = true;
    }
    const bool logprobs = ex->request.logprobs;
    for (auto& p : pieces)
      out += event(chunk_body(id, created, name, p.choice, Json{{"content", p.text}}, "",
                              logprobs ? logprobs_body(p.logprobs) : Json(nullptr)));
    if (done) {
      if (ex->error_status) {
        errors++;
        out += sse(error_body(ex->error_message, "server_error", ""));
      } else {
        completions++;
        for (int64_t k = 0; k < n; ++k)
          out += event(chunk_body(id, created, name, k, Json::object(),
                                  ex->result.choices[static_cast<size_t>(k)].finish_reason));
        if (include_usage) out += sse(usage_chunk_body(id, created, name, ex->result));
      }
      out += "data: [DONE]\n\n";
    }
    if (!out.empty() && !sink.write(out.data(), out.size())) return false;  // the client went away
    if (done) sink.done();
    return true;
  });
}

}  // namespace clinrl::serve
