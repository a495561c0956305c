#include "clinrl/model/text_scoring.h"

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/token_logprobs.h"

namespace clinrl::model {

using core::format;
using core::Json;

ScoreInput parse_score_input(const Json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(format("{}: expected an object {\"text\": ...} or {\"messages\": [...]}", where));
  const bool has_text = j.contains("text"), has_messages = j.contains("messages");
  if (has_text == has_messages) throw UserError(format("{}: give exactly one of 'text' and 'messages'", where));
  ScoreInput in;
  if (has_text) {
    if (!j["text"].is_string()) throw UserError(format("{}: 'text' must be a string", where));
    in.text = j["text"].get<std::string>();
    return in;
  }
  const auto& list = j["messages"];
  if (!list.is_array() || list.empty())
    throw UserError(format("{}: 'messages' must be a non-empty array of {\"role\", \"content\"}", where));
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& m = list[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string())
      throw UserError(format("{}: messages[{}] needs string 'role' and 'content'", where, i));
    in.messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  return in;
}

std::vector<ScoreInput> read_score_inputs(const std::filesystem::path& jsonl) {
  std::vector<ScoreInput> out;
  core::read_jsonl(jsonl, [&](size_t line, Json&& value) {
    out.push_back(parse_score_input(value, format("{}:{}", jsonl.string(), line)));
  });
  if (out.empty()) throw UserError(format("{}: no inputs", jsonl.string()));
  return out;
}

double ScoredText::total_logprob() const {
  double total = 0;
  for (size_t t = 1; t < logprobs.size(); ++t) total += logprobs[t];
  return total;
}

TextScorer::TextScorer(const std::filesystem::path& checkpoint, const ChatModelOptions& options)
    : model_(ChatModel::load(checkpoint, options)) {
  model_.model->eval();
}

std::vector<int64_t> TextScorer::encode(const ScoreInput& input) const {
  std::vector<int32_t> ids = input.text ? model_.tokenizer->encode(*input.text, /*add_special_tokens=*/true)
                                        : model_.chat->render(input.messages, /*add_generation_prompt=*/false).ids;
  return {ids.begin(), ids.end()};
}

ScoredText TextScorer::score(const ScoreInput& input, int64_t top_n) const {
  ScoredText out;
  out.ids = encode(input);
  if (out.ids.empty()) throw UserError("the input encodes to no tokens");
  const int64_t context = model_.model->options().max_position_embeddings;
  if (static_cast<int64_t>(out.ids.size()) > context)
    throw UserError(format("the input has {} tokens but the model's context holds {}", out.ids.size(), context));
  const int64_t vocab = model_.model->options().vocab_size;
  if (top_n < 0 || top_n > vocab) throw UserError(format("--top-k must be in [0, {}], got {}", vocab, top_n));
  auto ids = torch::tensor(out.ids, torch::kInt64).to(model_.model->device());
  auto scored = score_sequence(model_.model, ids, top_n);
  auto lp = scored.logprobs.to(torch::kCPU).contiguous();
  out.logprobs.assign(lp.data_ptr<float>(), lp.data_ptr<float>() + lp.numel());
  auto spell = [&](int64_t id) { return model_.tokenizer->id_to_token(static_cast<int32_t>(id)).value_or(""); };
  for (auto id : out.ids) out.tokens.push_back(spell(id));
  if (top_n > 0) {
    out.top.emplace_back();
    for (const auto& row : scored.top.to_host()) {
      out.top.emplace_back();
      for (const auto& a : row) out.top.back().push_back({a.token, spell(a.token), a.logprob});
    }
  }
  return out;
}

Json to_json(const ScoredText& s, bool with_top) {
  Json lps = Json::array();
  for (size_t t = 0; t < s.logprobs.size(); ++t) lps.push_back(t == 0 ? Json(nullptr) : Json(s.logprobs[t]));
  Json j = Json{{"ids", s.ids}, {"tokens", s.tokens}, {"logprobs", lps}, {"total_logprob", s.total_logprob()}};
  if (with_top) {
    Json top = Json::array();
    for (size_t t = 0; t < s.top.size(); ++t) {
      if (t == 0) {
        top.push_back(nullptr);
        continue;
      }
      Json alts = Json::array();
      for (const auto& a : s.top[t])
        alts.push_back(Json{{"id", a.id}, {"token", a.token}, {"logprob", a.logprob}});
      top.push_back(std::move(alts));
    }
    j["top_logprobs"] = std::move(top);
  }
  return j;
}

}  // namespace clinrl::model
