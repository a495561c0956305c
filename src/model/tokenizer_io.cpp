// Tokenizer::load: a tokenizer.json file, or a directory holding tokenizer.json
// or the slow vocab.json + merges.txt + tokenizer_config.json layout.
#include "tokenizer_files.h"

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::model {
namespace fs = std::filesystem;
using namespace tokenizer_files;

Tokenizer Tokenizer::from_json_text(std::string_view text, const std::string& source) {
  return parse_tokenizer_json(parse_big_json(std::string(text), source), source, nullptr);
}

Tokenizer Tokenizer::load(const fs::path& path) {
  if (fs::is_directory(path)) {
    const fs::path json_path = path / "tokenizer.json";
    if (fs::exists(json_path)) {
      Json config;
      const bool has_config = fs::exists(path / "tokenizer_config.json");
      if (has_config) config = read_big_json(path / "tokenizer_config.json");
      return parse_tokenizer_json(read_big_json(json_path), json_path.string(), has_config ? &config : nullptr);
    }
    if (fs::exists(path / "vocab.json") && fs::exists(path / "merges.txt") && fs::exists(path / "tokenizer_config.json"))
      return load_slow_directory(path);
    throw UserError(core::format("{}: no tokenizer.json, nor vocab.json + merges.txt + tokenizer_config.json", path.string()));
  }
  if (!fs::exists(path)) throw UserError(core::format("{}: no such tokenizer file or directory", path.string()));
  return parse_tokenizer_json(read_big_json(path), path.string(), nullptr);
}

}  // namespace clinrl::model
