#include "clinrl/serve/openai_protocol.h"

#include <cmath>
#include <limits>

#include "clinrl/core/json_depth.h"
#include "clinrl/core/strings.h"

namespace clinrl::serve {

using core::format;
using core::Json;

Json error_body(const std::string& message, const std::string& type, const std::string& param) {
  return Json{{"error", Json{{"message", message},
                             {"type", type},
                             {"param", param.empty() ? Json(nullptr) : Json(param)},
                             {"code", nullptr}}}};
}

int json_nesting_depth(std::string_view text, int cap) { return core::json_nesting_depth(text, cap); }

namespace {

[[noreturn]] void bad(const std::string& param, const std::string& message) { throw ApiError(400, message, param); }

std::string type_name(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  return "an object";
}

// A present, non-null field.
const Json* field(const Json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

double number(const Json& j, const char* name, double lo, double hi, bool lo_open) {
  if (!j.is_number()) bad(name, format("'{}' must be a number, got {}", name, type_name(j)));
  double v = j.get<double>();
  if (!std::isfinite(v) || v > hi || (lo_open ? v <= lo : v < lo))
    bad(name, format("'{}' must be in {}{}, {}], got {}", name, lo_open ? "(" : "[", lo, hi, v));
  return v;
}

int64_t integer(const Json& j, const char* name, int64_t lo, int64_t hi) {
  if (!j.is_number_integer()) bad(name, format("'{}' must be an integer, got {}", name, type_name(j)));
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    bad(name, format("'{}' must be in [{}, {}]", name, lo, hi));
  int64_t v = j.get<int64_t>();
  if (v < lo || v > hi) bad(name, format("'{}' must be in [{}, {}], got {}", name, lo, hi, v));
  return v;
}

std::string content_text(const Json& content, const std::string& param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) bad(param, format("'{}' must be a string or an array of text parts, got {}", param, type_name(content)));
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    std::string where = format("{}[{}]", param, i);
    if (!part.is_object() || !part.contains("type") || part["type"] != "text")
      bad(where, format("'{}' must be a {\"type\": \"text\", \"text\": ...} part (only text is supported)", where));
    if (!part.contains("text") || !part["text"].is_string()) bad(where + ".text", format("'{}.text' must be a string", where));
    text += part["text"].get<std::string>();
  }
  return text;
}

}  // namespace

ParsedChatRequest parse_chat_request(std::string_view body, const ChatRequestLimits& limits) {
  if (json_nesting_depth(body, limits.max_depth) > limits.max_depth)
    throw ApiError(400, format("the request body nests deeper than {} levels", limits.max_depth));
  Json j;
  try {
    j = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    throw ApiError(400, format("the request body is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) throw ApiError(400, format("the request body must be a JSON object, got {}", type_name(j)));

  ParsedChatRequest out;
  auto& r = out.request;
  const Json* messages = field(j, "messages");
  if (!messages) bad("messages", "'messages' is required");
  if (!messages->is_array()) bad("messages", format("'messages' must be an array, got {}", type_name(*messages)));
  if (messages->empty()) bad("messages", "'messages' must contain at least one message");
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    std::string where = format("messages[{}]", i);
    if (!m.is_object()) bad(where, format("'{}' must be an object, got {}", where, type_name(m)));
    const Json* role = field(m, "role");
    if (!role || !role->is_string())
      bad(where + ".role", format("'{}.role' must be a string, got {}", where, role ? type_name(*role) : "nothing"));
    std::string role_name = role->get<std::string>();
    if (role_name == "developer") role_name = "system";
    if (role_name != "system" && role_name != "user" && role_name != "assistant")
      bad(where + ".role", format("'{}.role' must be system, user or assistant, got '{}'", where, role_name));
    const Json* content = field(m, "content");
    if (!content) bad(where + ".content", format("'{}.content' is required", where));
    r.messages.push_back({role_name, content_text(*content, where + ".content")});
  }
  if (const Json* model = field(j, "model"); model && !model->is_string())
    bad("model", format("'model' must be a string, got {}", type_name(*model)));
  const Json* temperature = field(j, "temperature");
  r.temperature = temperature ? number(*temperature, "temperature", 0, 2, false) : 1.0;
  if (const Json* top_p = field(j, "top_p")) r.top_p = number(*top_p, "top_p", 0, 1, true);
  r.max_tokens = limits.default_max_tokens;
  if (const Json* v = field(j, "max_completion_tokens"))
    r.max_tokens = integer(*v, "max_completion_tokens", 1, std::numeric_limits<int32_t>::max());
  if (const Json* v = field(j, "max_tokens")) r.max_tokens = integer(*v, "max_tokens", 1, std::numeric_limits<int32_t>::max());
  if (const Json* stop = field(j, "stop")) {
    if (stop->is_string()) {
      r.stop.push_back(stop->get<std::string>());
    } else if (stop->is_array()) {
      if (static_cast<int64_t>(stop->size()) > limits.max_stop)
        bad("stop", format("'stop' may hold at most {} strings, got {}", limits.max_stop, stop->size()));
      for (const auto& s : *stop) {
        if (!s.is_string()) bad("stop", format("'stop' entries must be strings, got {}", type_name(s)));
        r.stop.push_back(s.get<std::string>());
      }
    } else {
      bad("stop", format("'stop' must be a string or an array of strings, got {}", type_name(*stop)));
    }
    for (const auto& s : r.stop)
      if (s.empty()) bad("stop", "'stop' strings must not be empty");
  }
  if (const Json* seed = field(j, "seed")) {
    if (!seed->is_number_integer()) bad("seed", format("'seed' must be an integer, got {}", type_name(*seed)));
    r.seed = seed->is_number_unsigned() ? seed->get<uint64_t>() : static_cast<uint64_t>(seed->get<int64_t>());
    out.seeded = true;
  }
  if (const Json* n = field(j, "n")) r.n = integer(*n, "n", 1, limits.max_n);
  if (const Json* logprobs = field(j, "logprobs")) {
    if (!logprobs->is_boolean()) bad("logprobs", format("'logprobs' must be a boolean, got {}", type_name(*logprobs)));
    r.logprobs = logprobs->get<bool>();
  }
  if (const Json* top = field(j, "top_logprobs")) {
    r.top_logprobs = integer(*top, "top_logprobs", 0, limits.max_top_logprobs);
    if (r.top_logprobs > 0 && !r.logprobs) bad("top_logprobs", "'top_logprobs' needs 'logprobs': true");
  }
  if (const Json* stream = field(j, "stream")) {
    if (!stream->is_boolean()) bad("stream", format("'stream' must be a boolean, got {}", type_name(*stream)));
    out.stream = stream->get<bool>();
  }
  return out;
}

namespace {
Json byte_list(const std::string& bytes) {
  Json out = Json::array();
  for (unsigned char c : bytes) out.push_back(static_cast<int>(c));
  return out;
}
}  // namespace

Json logprobs_body(const std::vector<llm::TokenLogprob>& tokens) {
  Json content = Json::array();
  for (const auto& t : tokens) {
    Json top = Json::array();
    for (const auto& a : t.top) top.push_back(Json{{"token", a.bytes}, {"logprob", a.logprob}, {"bytes", byte_list(a.bytes)}});
    content.push_back(
        Json{{"token", t.bytes}, {"logprob", t.logprob}, {"bytes", byte_list(t.bytes)}, {"top_logprobs", std::move(top)}});
  }
  return Json{{"content", std::move(content)}, {"refusal", nullptr}};
}

Json completion_body(const std::string& id, int64_t created, const std::string& model, const llm::CompletionResult& result,
                     bool logprobs) {
  Json choices = Json::array();
  int64_t completion_tokens = 0;
  for (size_t k = 0; k < result.choices.size(); ++k) {
    const auto& c = result.choices[k];
    completion_tokens += c.completion_tokens;
    choices.push_back(Json{{"index", k},
                           {"message", Json{{"role", "assistant"}, {"content", c.text}}},
                           {"logprobs", logprobs ? logprobs_body(c.logprobs) : Json(nullptr)},
                           {"finish_reason", c.finish_reason}});
  }
  return Json{{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", model},
              {"choices", std::move(choices)},
              {"usage", Json{{"prompt_tokens", result.prompt_tokens},
                             {"completion_tokens", completion_tokens},
                             {"total_tokens", result.prompt_tokens + completion_tokens}}}};
}

Json chunk_body(const std::string& id, int64_t created, const std::string& model, int64_t index, const Json& delta,
                const std::string& finish_reason, const Json& logprobs) {
  Json choice = Json{{"index", index},
                     {"delta", delta},
                     {"logprobs", logprobs},
                     {"finish_reason", finish_reason.empty() ? Json(nullptr) : Json(finish_reason)}};
  return Json{{"id", id},
              {"object", "chat.completion.chunk"},
              {"created", created},
              {"model", model},
              {"choices", Json::array({std::move(choice)})}};
}

}  // namespace clinrl::serve
