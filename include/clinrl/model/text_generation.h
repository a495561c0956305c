#pragma once
// Text in, text out over a checkpoint directory: what `clinrl generate` runs.
// Loads the model and its tokenizer.json, renders a prompt or a conversation
// with a chat template, generates with a GenerationSession and decodes.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/model/chat_model_options.h"
#include "clinrl/model/generation.h"

namespace clinrl::model {

struct TextGenerationRequest {
  std::filesystem::path checkpoint;       // config.json, model.safetensors, tokenizer.json
  std::optional<std::string> prompt;      // one user message
  std::optional<std::filesystem::path> messages_file;  // JSON [{"role", "content"}, ...] or {"messages": [...]}
  bool raw = false;                       // encode the prompt as plain text, no chat template
  ChatModelOptions load;                  // dtype, device, chat template
  SamplerOptions sampler;
  StopOptions stop;                       // the template's end-of-turn ids and config EOS ids are added
};

struct TextGenerationResult {
  std::string text;        // special tokens skipped
  Generation generation;
  int64_t prompt_tokens = 0;
};

// Reads a conversation file; UserError naming the file and entry otherwise.
std::vector<ChatMessage> read_messages_file(const std::filesystem::path& path);

// on_text receives the decoded bytes of each new token as they are sampled.
TextGenerationResult generate_text(const TextGenerationRequest& request,
                                   const std::function<void(const std::string&)>& on_text = {});

}  // namespace clinrl::model
