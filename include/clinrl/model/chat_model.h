#pragma once
// A chat model: a transformer with its tokenizer and chat template, loaded
// from and saved to a HuggingFace-layout checkpoint directory. What the
// trainer updates, eval replays and the local LLM backend serves.
#include <filesystem>
#include <memory>
#include <vector>

#include "clinrl/model/chat_model_options.h"
#include "clinrl/model/chat_template.h"
#include "clinrl/model/tokenizer.h"
#include "clinrl/model/transformer.h"

namespace clinrl::model {

struct ChatModel {
  Transformer model{nullptr};
  std::shared_ptr<const Tokenizer> tokenizer;
  std::shared_ptr<const ChatTemplate> chat;
  std::filesystem::path tokenizer_file;  // copied into every checkpoint

  // A directory with config.json, model.safetensors and tokenizer.json; a
  // UserError naming the directory (or the bad option) otherwise.
  static ChatModel load(const std::filesystem::path& checkpoint_dir, const ChatModelOptions& options);
  // Writes the directory atomically in HF layout.
  void save(const std::filesystem::path& dir);
  // Ids that end an assistant turn.
  std::vector<int64_t> stop_ids() const;
};

}  // namespace clinrl::model
