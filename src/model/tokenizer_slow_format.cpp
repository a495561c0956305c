// The slow tokenizer layout: vocab.json + merges.txt + tokenizer_config.json.
#include <fstream>
#include <sstream>

#include "tokenizer_files.h"

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/byte_level.h"

namespace clinrl::model::tokenizer_files {
namespace fs = std::filesystem;

Tokenizer load_slow_directory(const fs::path& dir) {
  const fs::path config_path = dir / "tokenizer_config.json";
  const std::string config_source = config_path.string();
  const Json config = read_big_json(config_path);
  try {
    TokenizerParts parts;
    const std::string cls = config.value("tokenizer_class", std::string());
    if (cls == "GPT2Tokenizer" || cls == "GPT2TokenizerFast") {
      parts.split = SplitRule::gpt2;
      parts.add_prefix_space = config.value("add_prefix_space", false);
    } else if (cls == "Qwen2Tokenizer" || cls == "Qwen2TokenizerFast") {
      parts.split = SplitRule::qwen2;
      parts.normalization = Normalization::nfc;
    } else {
      fail(config_source, "tokenizer_class",
           "'" + cls + "' is not supported without tokenizer.json (GPT2Tokenizer or Qwen2Tokenizer)");
    }
    const fs::path vocab_path = dir / "vocab.json";
    auto vocab = read_vocab(read_big_json(vocab_path), vocab_path.string(), "(top level)");

    const fs::path merges_path = dir / "merges.txt";
    std::istringstream merges_text(core::read_file(merges_path));
    std::vector<std::pair<std::string, std::string>> merges;
    std::string line;
    size_t line_no = 0;
    while (std::getline(merges_text, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || core::starts_with(line, "#version")) continue;
      merges.push_back(split_merge_line(line, merges_path.string(), core::format("line {}", line_no)));
    }
    try {
      parts.model = BpeModel(vocab, merges);
    } catch (const std::invalid_argument& e) {
      fail(merges_path.string(), "merges", e.what());
    }

    read_config_names(config, parts);
    if (auto it = config.find("added_tokens_decoder"); it != config.end()) {
      for (const auto& [id, value] : it->items()) {
        AddedToken t = read_added_token(value, config_source, "added_tokens_decoder." + id);
        t.id = std::stoi(id);
        parts.added_tokens.push_back(std::move(t));
      }
    } else if (fs::exists(dir / "added_tokens.json")) {
      const Json added = read_big_json(dir / "added_tokens.json");
      for (const auto& [content, id] : added.items()) {
        parts.added_tokens.push_back(AddedToken{id.get<int32_t>(), content, true});
      }
    }
    // Slow tokenizers treat the named special tokens as added tokens too.
    for (const char* key : {"bos_token", "eos_token", "unk_token", "pad_token"}) {
      auto name = config_token(config, key);
      if (!name) continue;
      bool known = false;
      for (const auto& t : parts.added_tokens) known = known || t.content == *name;
      auto bytes = token_text_to_bytes(*name);
      auto vit = bytes ? vocab.find(*bytes) : vocab.end();
      if (!known && vit != vocab.end()) parts.added_tokens.push_back(AddedToken{vit->second, *name, true});
    }
    if (config.value("add_bos_token", false) && parts.bos_token) {
      for (const auto& t : parts.added_tokens) {
        if (t.content == *parts.bos_token) parts.prefix_ids.push_back(t.id);
      }
    }
    return Tokenizer(std::move(parts));
  } catch (const nlohmann::json::exception& e) {
    throw UserError(core::format("{}: unexpected value type: {}", dir.string(), e.what()));
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("{}: {}", dir.string(), e.what()));
  }
}

}  // namespace clinrl::model::tokenizer_files
