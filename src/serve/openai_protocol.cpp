#include "clinrl/serve/openai_protocol.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "clinrl/core/json_depth.h"
#include "clinrl/core/strings.h"

namespace clinrl::serve {

using core::format;
using core::Json;

Json error_body(const std::string& message, const std::string& type, const std::string& param,
                const std::string& code) {
  return Json{{"error", Json{{"message", message},
                             {"type", type},
                             {"param", param.empty() ? Json(nullptr) : Json(param)},
                             {"code", code.empty() ? Json(nullptr) : Json(code)}}}};
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

// Agent frameworks replay histories with function calls: they enter the
// prompt in Qwen2.5's own wording (its chat template's <tool_call> and
// <tool_response> blocks), a tool's result as a user turn.
std::string tool_calls_text(const Json& calls, const std::string& param) {
  if (!calls.is_array()) bad(param, format("'{}' must be an array, got {}", param, type_name(calls)));
  std::string text;
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string where = format("{}[{}]", param, i);
    const Json* function = calls[i].is_object() ? field(calls[i], "function") : nullptr;
    const Json* name = function && function->is_object() ? field(*function, "name") : nullptr;
    const Json* arguments = function && function->is_object() ? field(*function, "arguments") : nullptr;
    if (!name || !name->is_string() || !arguments || !arguments->is_string())
      bad(where, "'" + where + "' must be {\"type\": \"function\", \"function\": {\"name\": a string, \"arguments\": a string}}");
    text += format("\n<tool_call>\n{\"name\": {}, \"arguments\": {}}\n</tool_call>", name->dump(),
                   arguments->get<std::string>());
  }
  return text;
}

std::string tool_response_text(const std::string& content) {
  return "<tool_response>\n" + content + "\n</tool_response>";
}

// OpenAI fields this server does not serve: their no-op values pass,
// anything else is a 400 naming the field.
void refuse_fields_not_served(const Json& j) {
  for (const char* name : {"presence_penalty", "frequency_penalty"})
    if (const Json* v = field(j, name); v && number(*v, name, -2, 2, false) != 0)
      bad(name, format("'{}' is not supported by this server (only 0)", name));
  if (const Json* v = field(j, "logit_bias")) {
    if (!v->is_object()) bad("logit_bias", format("'logit_bias' must be an object, got {}", type_name(*v)));
    if (!v->empty()) bad("logit_bias", "'logit_bias' is not supported by this server (only {})");
  }
  if (const Json* v = field(j, "response_format")) {
    const Json* type = v->is_object() ? field(*v, "type") : nullptr;
    if (!type || *type != "text")
      bad("response_format", "'response_format' supports only {\"type\": \"text\"} here (no JSON mode or schema)");
  }
  for (const char* name : {"tools", "functions"})
    if (const Json* v = field(j, name)) {
      if (!v->is_array()) bad(name, format("'{}' must be an array, got {}", name, type_name(*v)));
      if (!v->empty()) bad(name, format("'{}' (function calling) is not supported by this server", name));
    }
  for (const char* name : {"tool_choice", "function_call"})
    if (const Json* v = field(j, name); v && !(*v == "none" || *v == "auto"))
      bad(name, format("'{}' may only be \"none\" or \"auto\" here (no function calling)", name));
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
    if (role_name != "system" && role_name != "user" && role_name != "assistant" && role_name != "tool")
      bad(where + ".role", format("'{}.role' must be system, user, assistant or tool, got '{}'", where, role_name));
    const Json* content = field(m, "content");
    const Json* tool_calls = role_name == "assistant" ? field(m, "tool_calls") : nullptr;
    if (!content && !tool_calls) bad(where + ".content", format("'{}.content' is required", where));
    std::string text = content ? content_text(*content, where + ".content") : "";
    if (role_name == "tool") {
      const Json* call_id = field(m, "tool_call_id");
      if (!call_id || !call_id->is_string())
        bad(where + ".tool_call_id", format("'{}.tool_call_id' must be a string", where));
      r.messages.push_back({"user", tool_response_text(text)});
    } else {
      if (tool_calls) {
        const std::string calls = tool_calls_text(*tool_calls, where + ".tool_calls");
        text += text.empty() ? calls.substr(std::min<size_t>(1, calls.size())) : calls;  // no blank first line
      }
      r.messages.push_back({role_name, text});
    }
  }
  if (const Json* model = field(j, "model"); model && !model->is_string())
    bad("model", format("'model' must be a string, got {}", type_name(*model)));
  const Json* temperature = field(j, "temperature");
  r.temperature = temperature ? number(*temperature, "temperature", 0, 2, false) : 1.0;
  if (const Json* top_p = field(j, "top_p")) {
    r.top_p = number(*top_p, "top_p", 0, 1, false);
    if (r.top_p == 0) {  // the nucleus is the single most likely token: greedy
      r.top_p = 1;
      r.temperature = 0;
    }
  }
  refuse_fields_not_served(j);
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
  if (const Json* options = field(j, "stream_options")) {
    if (!out.stream) bad("stream_options", "'stream_options' is only allowed with 'stream': true");
    if (!options->is_object())
      bad("stream_options", format("'stream_options' must be an object, got {}", type_name(*options)));
    if (const Json* usage = field(*options, "include_usage")) {
      if (!usage->is_boolean())
        bad("stream_options.include_usage",
            format("'stream_options.include_usage' must be a boolean, got {}", type_name(*usage)));
      out.include_usage = usage->get<bool>();
    }
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

Json usage_body(const llm::CompletionResult& result) {
  int64_t completion_tokens = 0;
  for (const auto& c : result.choices) completion_tokens += c.completion_tokens;
  return Json{{"prompt_tokens", result.prompt_tokens},
              {"completion_tokens", completion_tokens},
              {"total_tokens", result.prompt_tokens + completion_tokens}};
}

Json completion_body(const std::string& id, int64_t created, const std::string& model, const llm::CompletionResult& result,
                     bool logprobs) {
  Json choices = Json::array();
  for (size_t k = 0; k < result.choices.size(); ++k) {
    const auto& c = result.choices[k];
    choices.push_back(Json{{"index", k},
                           {"message", Json{{"role", "assistant"}, {"content", c.text}, {"refusal", nullptr}}},
                           {"logprobs", logprobs ? logprobs_body(c.logprobs) : Json(nullptr)},
                           {"finish_reason", c.finish_reason}});
  }
  return Json{{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", model},
              {"choices", std::move(choices)},
              {"usage", usage_body(result)}};
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

Json usage_chunk_body(const std::string& id, int64_t created, const std::string& model,
                      const llm::CompletionResult& result) {
  return Json{{"id", id},
              {"object", "chat.completion.chunk"},
              {"created", created},
              {"model", model},
              {"choices", Json::array()},
              {"usage", usage_body(result)}};
}

}  // namespace clinrl::serve
