#include "clinrl/model/text_generation.h"

#include <algorithm>
#include <memory>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/chat_model.h"

namespace clinrl::model {

std::vector<ChatMessage> read_messages_file(const std::filesystem::path& path) {
  auto j = core::read_json_file(path);
  const core::Json* list = &j;
  if (j.is_object() && j.contains("messages")) list = &j["messages"];
  if (!list->is_array())
    throw UserError(core::format("{}: expected a JSON array of {\"role\", \"content\"} messages", path.string()));
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& m = (*list)[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string())
      throw UserError(core::format("{}: message {} needs string 'role' and 'content'", path.string(), i));
    out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  if (out.empty()) throw UserError(core::format("{}: no messages", path.string()));
  return out;
}

TextGenerationResult generate_text(const TextGenerationRequest& r, const std::function<void(const std::string&)>& on_text) {
  if (r.prompt.has_value() == r.messages_file.has_value())
    throw UserError("give exactly one of a prompt and a messages file");
  ChatModel loaded = ChatModel::load(r.checkpoint, r.load);
  auto& model = loaded.model;
  const auto& tokenizer = loaded.tokenizer;
  model->eval();

  std::vector<int32_t> ids;
  StopOptions stop = r.stop;
  for (auto id : model->options().eos_token_ids) stop.eos_ids.push_back(id);
  if (r.raw) {
    if (!r.prompt) throw UserError("--raw needs --prompt");
    ids = tokenizer->encode(*r.prompt);
  } else {
    std::vector<ChatMessage> messages = r.prompt ? std::vector<ChatMessage>{{"user", *r.prompt}}
                                                 : read_messages_file(*r.messages_file);
    ids = loaded.chat->render(messages, /*add_generation_prompt=*/true).ids;
    for (auto id : loaded.chat->stop_ids()) stop.eos_ids.push_back(id);
  }
  if (ids.empty()) throw UserError("the prompt encodes to no tokens");

  GenerationSession session(model);
  auto seq = session.add();
  session.append(seq, std::vector<int64_t>(ids.begin(), ids.end()));
  // Ids past the tokenizer's (a model's padded vocabulary) decode to nothing.
  auto to32 = [&](const std::vector<int64_t>& v) {
    std::vector<int32_t> out;
    for (auto id : v)
      if (tokenizer->id_to_token(static_cast<int32_t>(id))) out.push_back(static_cast<int32_t>(id));
    return out;
  };
  DecodeFn decode = [&](const std::vector<int64_t>& t) { return tokenizer->decode(to32(t)); };
  TokenCallback stream;
  if (on_text)
    stream = [&](int64_t, int64_t token, float, const std::vector<SampledToken>&) { on_text(tokenizer->decode_bytes(to32({token}), true)); };
  TextGenerationResult out;
  out.prompt_tokens = static_cast<int64_t>(ids.size());
  out.generation = session.generate({seq}, r.sampler, stop, stop.stop_strings.empty() ? DecodeFn{} : decode, stream)[0];
  out.text = tokenizer->decode(to32(out.generation.tokens), /*skip_special=*/true);
  return out;
}

}  // namespace clinrl::model
