// Reading tokenizer.json: every section HuggingFace tokenizers writes for a
// byte-level BPE model, each checked with an error naming the file and key.
#include "tokenizer_files.h"

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_depth.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/byte_level.h"

namespace clinrl::model::tokenizer_files {
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what) {
  throw UserError(core::format("{}: {}: {}", source, where, what));
}

bool flag(const Json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? fallback : it->get<bool>();
}

namespace {

std::string type_of(const Json& j, const std::string& source, const std::string& where) {
  if (!j.is_object()) fail(source, where, "expected an object");
  auto it = j.find("type");
  if (it == j.end() || !it->is_string()) fail(source, where, "missing string key 'type'");
  return it->get<std::string>();
}

std::string spelled_bytes(const std::string& token, const std::string& source, const std::string& where) {
  auto bytes = token_text_to_bytes(token);
  if (!bytes) fail(source, where, "token '" + token + "' is not in the byte-level alphabet (only byte-level BPE is supported)");
  return *bytes;
}

std::vector<std::pair<std::string, std::string>> read_merges(const Json& merges, const std::string& source) {
  if (!merges.is_array()) fail(source, "model.merges", "expected an array");
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const Json& m = merges[i];
    const std::string where = core::format("model.merges[{}]", i);
    if (m.is_string()) {
      out.push_back(split_merge_line(m.get<std::string>(), source, where));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      out.emplace_back(spelled_bytes(m[0].get<std::string>(), source, where), spelled_bytes(m[1].get<std::string>(), source, where));
    } else {
      fail(source, where, "expected \"a b\" or [\"a\", \"b\"]");
    }
  }
  return out;
}

void read_model(const Json& model, const std::string& source, TokenizerParts& parts) {
  if (!model.is_object()) fail(source, "model", "expected an object");
  if (auto it = model.find("type"); it != model.end() && *it != "BPE")
    fail(source, "model.type", "model type '" + it->get<std::string>() + "' is not supported (only BPE)");
  if (auto it = model.find("dropout"); it != model.end() && !it->is_null() && it->get<double>() != 0.0)
    fail(source, "model.dropout", "BPE dropout is not supported");
  if (flag(model, "byte_fallback")) fail(source, "model.byte_fallback", "byte fallback is not supported (only byte-level BPE)");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (auto it = model.find(key); it != model.end() && !it->is_null() && !it->get<std::string>().empty())
      fail(source, std::string("model.") + key, "a non-empty subword prefix/suffix is not supported");
  }
  if (model.find("vocab") == model.end()) fail(source, "model", "missing key 'vocab'");
  if (model.find("merges") == model.end()) fail(source, "model", "missing key 'merges'");
  auto vocab = read_vocab(model["vocab"], source, "model.vocab");
  auto merges = read_merges(model["merges"], source);
  try {
    parts.model = BpeModel(std::move(vocab), merges, flag(model, "ignore_merges"));
  } catch (const std::invalid_argument& e) {
    fail(source, "model", e.what());
  }
}

Normalization read_normalizer(const Json& j, const std::string& source, const std::string& where) {
  if (j.is_null()) return Normalization::none;
  const std::string type = type_of(j, source, where);
  if (type == "NFC") return Normalization::nfc;
  if (type == "Sequence") {
    Normalization result = Normalization::none;
    const Json& list = j.value("normalizers", Json::array());
    for (size_t i = 0; i < list.size(); ++i) {
      if (read_normalizer(list[i], source, core::format("{}.normalizers[{}]", where, i)) == Normalization::nfc) {
        result = Normalization::nfc;
      }
    }
    return result;
  }
  fail(source, where, "normalizer '" + type + "' is not supported (none or NFC)");
}

void check_byte_level_pre(const Json& j, const std::string& source, const std::string& where, bool use_regex_expected) {
  if (flag(j, "use_regex", true) != use_regex_expected)
    fail(source, where, use_regex_expected ? "a ByteLevel pre-tokenizer alone must have use_regex=true"
                                           : "ByteLevel after Split must have use_regex=false");
}

void read_pre_tokenizer(const Json& j, const std::string& source, TokenizerParts& parts) {
  const std::string where = "pre_tokenizer";
  if (j.is_null()) fail(source, where, "a null pre-tokenizer is not supported (ByteLevel is required)");
  const std::string type = type_of(j, source, where);
  if (type == "ByteLevel") {
    parts.add_prefix_space = flag(j, "add_prefix_space");
    parts.split = flag(j, "use_regex", true) ? SplitRule::gpt2 : SplitRule::none;
    return;
  }
  if (type != "Sequence") fail(source, where, "pre-tokenizer '" + type + "' is not supported (ByteLevel or Sequence[Split, ByteLevel])");
  const Json& list = j.value("pretokenizers", Json::array());
  if (list.size() != 2) fail(source, where + ".pretokenizers", "expected exactly [Split, ByteLevel]");
  const std::string w0 = where + ".pretokenizers[0]", w1 = where + ".pretokenizers[1]";
  if (type_of(list[0], source, w0) != "Split") fail(source, w0, "expected a Split pre-tokenizer");
  if (type_of(list[1], source, w1) != "ByteLevel") fail(source, w1, "expected a ByteLevel pre-tokenizer");
  check_byte_level_pre(list[1], source, w1, false);
  if (flag(list[1], "add_prefix_space")) fail(source, w1, "add_prefix_space=true after Split is not supported");
  const Json& split = list[0];
  if (split.value("behavior", std::string()) != "Isolated")
    fail(source, w0 + ".behavior", "only behavior 'Isolated' is supported");
  if (flag(split, "invert")) fail(source, w0 + ".invert", "invert=true is not supported");
  const Json& pattern = split.value("pattern", Json::object());
  auto regex = pattern.find("Regex");
  if (regex == pattern.end() || !regex->is_string()) fail(source, w0 + ".pattern", "expected {\"Regex\": ...}");
  auto rule = split_rule_from_regex(regex->get<std::string>());
  if (!rule)
    fail(source, w0 + ".pattern.Regex",
         "unsupported split regex '" + regex->get<std::string>() + "' (supported: the GPT-2, Qwen2 and Llama-3/cl100k regexes)");
  parts.split = *rule;
}

void read_decoder(const Json& j, const std::string& source) {
  if (j.is_null()) fail(source, "decoder", "a null decoder is not supported (ByteLevel is required)");
  const std::string type = type_of(j, source, "decoder");
  if (type != "ByteLevel") fail(source, "decoder", "decoder '" + type + "' is not supported (only ByteLevel)");
}

// Reads the ids of TemplateProcessing's "single" template around $A.
void read_template(const Json& j, const std::string& source, const std::string& where, TokenizerParts& parts) {
  const Json& single = j.value("single", Json::array());
  const Json& specials = j.value("special_tokens", Json::object());
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const Json& item = single[i];
    const std::string w = core::format("{}.single[{}]", where, i);
    if (item.contains("Sequence")) {
      if (seen_sequence) fail(source, w, "more than one sequence in the template");
      seen_sequence = true;
      continue;
    }
    if (!item.contains("SpecialToken")) fail(source, w, "expected SpecialToken or Sequence");
    const std::string name = item["SpecialToken"].value("id", std::string());
    auto it = specials.find(name);
    if (it == specials.end() || !it->contains("ids")) fail(source, w, "special token '" + name + "' is not in special_tokens");
    for (const Json& id : (*it)["ids"]) (seen_sequence ? parts.suffix_ids : parts.prefix_ids).push_back(id.get<int32_t>());
  }
}

void read_post_processor(const Json& j, const std::string& source, const std::string& where, TokenizerParts& parts) {
  if (j.is_null()) return;
  const std::string type = type_of(j, source, where);
  if (type == "ByteLevel") return;  // only adjusts offsets
  if (type == "TemplateProcessing") return read_template(j, source, where, parts);
  if (type == "Sequence") {
    const Json& list = j.value("processors", Json::array());
    for (size_t i = 0; i < list.size(); ++i) read_post_processor(list[i], source, core::format("{}.processors[{}]", where, i), parts);
    return;
  }
  fail(source, where, "post-processor '" + type + "' is not supported (ByteLevel, TemplateProcessing, Sequence)");
}

}  // namespace

std::unordered_map<std::string, int32_t> read_vocab(const Json& vocab, const std::string& source, const std::string& where) {
  if (!vocab.is_object()) fail(source, where, "expected an object of token -> id");
  std::unordered_map<std::string, int32_t> out;
  out.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) fail(source, where + "." + token, "expected an integer id");
    out[spelled_bytes(token, source, where)] = id.get<int32_t>();
  }
  return out;
}

std::pair<std::string, std::string> split_merge_line(const std::string& line, const std::string& source,
                                                     const std::string& where) {
  const auto parts = core::split(line, ' ');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty())
    fail(source, where, "merge '" + line + "' is not two tokens separated by one space");
  return {spelled_bytes(parts[0], source, where), spelled_bytes(parts[1], source, where)};
}

AddedToken read_added_token(const Json& j, const std::string& source, const std::string& where) {
  if (!j.is_object() || !j.contains("content") || !j["content"].is_string()) fail(source, where, "expected an object with 'content'");
  if (flag(j, "single_word")) fail(source, where, "single_word added tokens are not supported");
  AddedToken t;
  t.id = j.contains("id") ? j["id"].get<int32_t>() : -1;
  t.content = j["content"].get<std::string>();
  t.special = flag(j, "special");
  t.lstrip = flag(j, "lstrip");
  t.rstrip = flag(j, "rstrip");
  t.normalized = flag(j, "normalized");
  return t;
}

Json parse_big_json(const std::string& text, const std::string& source) {
  if (core::json_nesting_depth(text) > core::kMaxJsonDepth)
    throw UserError(core::format("{}: JSON nested deeper than {} levels", source, core::kMaxJsonDepth));
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw UserError(core::format("{}: invalid JSON at byte {}: {}", source, e.byte, e.what()));
  } catch (const Json::out_of_range& e) {  // a number beyond double's range ("1e420")
    throw UserError(core::format("{}: invalid JSON: {}", source, e.what()));
  }
}

Json read_big_json(const fs::path& path) { return parse_big_json(core::read_file(path), path.string()); }

std::optional<std::string> config_token(const Json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content")) return (*it)["content"].get<std::string>();
  return std::nullopt;
}

void read_config_names(const Json& config, TokenizerParts& parts) {
  parts.bos_token = config_token(config, "bos_token");
  parts.eos_token = config_token(config, "eos_token");
  parts.pad_token = config_token(config, "pad_token");
}

Tokenizer parse_tokenizer_json(const Json& j, const std::string& source, const Json* config) {
  try {
    if (!j.is_object()) fail(source, "(top level)", "expected an object");
    TokenizerParts parts;
    if (!j.contains("model")) fail(source, "(top level)", "missing key 'model'");
    read_model(j["model"], source, parts);
    parts.normalization = read_normalizer(j.value("normalizer", Json()), source, "normalizer");
    read_pre_tokenizer(j.value("pre_tokenizer", Json()), source, parts);
    read_decoder(j.value("decoder", Json()), source);
    read_post_processor(j.value("post_processor", Json()), source, "post_processor", parts);
    const Json& added = j.value("added_tokens", Json::array());
    for (size_t i = 0; i < added.size(); ++i) {
      AddedToken t = read_added_token(added[i], source, core::format("added_tokens[{}]", i));
      if (t.id < 0) fail(source, core::format("added_tokens[{}]", i), "missing 'id'");
      parts.added_tokens.push_back(std::move(t));
    }
    if (config) read_config_names(*config, parts);
    return Tokenizer(std::move(parts));
  } catch (const nlohmann::json::exception& e) {
    throw UserError(core::format("{}: unexpected value type: {}", source, e.what()));
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("{}: {}", source, e.what()));
  }
}

}  // namespace clinrl::model::tokenizer_files
