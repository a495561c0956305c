#pragma once
// Pieces of the tokenizer file readers shared by tokenizer.json
// (tokenizer_json_reader.cpp), the slow vocab/merges layout
// (tokenizer_slow_format.cpp) and Tokenizer::load (tokenizer_io.cpp).
// Private to the model module.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "clinrl/model/tokenizer.h"

namespace clinrl::model::tokenizer_files {

// Plain (sorted) JSON for reading: ordered_json looks keys up linearly, far
// too slow for a 150k-entry vocab. Writing uses ordered JSON to keep HF's order.
using Json = nlohmann::json;

// UserError "SOURCE: WHERE: WHAT".
[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what);
bool flag(const Json& j, const char* key, bool fallback = false);
std::unordered_map<std::string, int32_t> read_vocab(const Json& vocab, const std::string& source, const std::string& where);
// "A B" of merges.txt or a string merge of tokenizer.json.
std::pair<std::string, std::string> split_merge_line(const std::string& line, const std::string& source,
                                                     const std::string& where);
AddedToken read_added_token(const Json& j, const std::string& source, const std::string& where);
Json parse_big_json(const std::string& text, const std::string& source);
Json read_big_json(const std::filesystem::path& path);
// bos/eos/pad/unk in tokenizer_config.json: a string or {"content": ...}.
std::optional<std::string> config_token(const Json& config, const char* key);
void read_config_names(const Json& config, TokenizerParts& parts);
// A parsed tokenizer.json (with its tokenizer_config.json when given).
Tokenizer parse_tokenizer_json(const Json& j, const std::string& source, const Json* config);
// vocab.json + merges.txt + tokenizer_config.json, as transformers' slow
// GPT2Tokenizer / Qwen2Tokenizer read them.
Tokenizer load_slow_directory(const std::filesystem::path& dir);

}  // namespace clinrl::model::tokenizer_files
