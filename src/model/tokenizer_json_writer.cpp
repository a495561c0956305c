// Writing tokenizer.json (and tokenizer_config.json for a directory) in the
// key order HuggingFace tokenizers writes.
#include "clinrl/core/atomic_file.h"
#include "clinrl/core/json_io.h"
#include "clinrl/model/byte_level.h"
#include "clinrl/model/tokenizer.h"

namespace clinrl::model {
namespace fs = std::filesystem;
using OJson = core::Json;

namespace {

OJson added_token_json(const AddedToken& t) {
  OJson j = OJson::object();
  j["id"] = t.id;
  j["content"] = t.content;
  j["single_word"] = false;
  j["lstrip"] = t.lstrip;
  j["rstrip"] = t.rstrip;
  j["normalized"] = t.normalized;
  j["special"] = t.special;
  return j;
}

OJson byte_level_json(bool add_prefix_space, bool trim_offsets, bool use_regex) {
  return OJson{{"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space}, {"trim_offsets", trim_offsets}, {"use_regex", use_regex}};
}

}  // namespace

std::string Tokenizer::to_json_text() const {
  OJson j = OJson::object();
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  OJson added = OJson::array();
  for (const auto& t : parts_.added_tokens) added.push_back(added_token_json(t));
  j["added_tokens"] = added;
  j["normalizer"] = parts_.normalization == Normalization::nfc ? OJson{{"type", "NFC"}} : OJson();
  if (parts_.split == SplitRule::gpt2 || parts_.split == SplitRule::none) {
    j["pre_tokenizer"] = byte_level_json(parts_.add_prefix_space, true, parts_.split == SplitRule::gpt2);
  } else {
    OJson split = OJson::object();
    split["type"] = "Split";
    split["pattern"] = OJson{{"Regex", split_rule_regex(parts_.split)}};
    split["behavior"] = "Isolated";
    split["invert"] = false;
    j["pre_tokenizer"] = OJson{{"type", "Sequence"}, {"pretokenizers", OJson::array({split, byte_level_json(false, false, false)})}};
  }
  if (parts_.prefix_ids.empty() && parts_.suffix_ids.empty()) {
    j["post_processor"] = byte_level_json(true, false, true);
  } else {
    OJson single = OJson::array(), pair = OJson::array(), specials = OJson::object();
    const auto add = [&](int32_t id) {
      const std::string name = *id_to_token(id);
      single.push_back(OJson{{"SpecialToken", OJson{{"id", name}, {"type_id", 0}}}});
      pair.push_back(OJson{{"SpecialToken", OJson{{"id", name}, {"type_id", 0}}}});
      specials[name] = OJson{{"id", name}, {"ids", OJson::array({id})}, {"tokens", OJson::array({name})}};
    };
    for (int32_t id : parts_.prefix_ids) add(id);
    single.push_back(OJson{{"Sequence", OJson{{"id", "A"}, {"type_id", 0}}}});
    pair.push_back(OJson{{"Sequence", OJson{{"id", "A"}, {"type_id", 0}}}});
    for (int32_t id : parts_.suffix_ids) add(id);
    pair.push_back(OJson{{"Sequence", OJson{{"id", "B"}, {"type_id", 1}}}});
    j["post_processor"] = OJson{{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", specials}};
  }
  j["decoder"] = byte_level_json(true, true, true);
  OJson model = OJson::object();
  model["type"] = "BPE";
  model["dropout"] = nullptr;
  model["unk_token"] = nullptr;
  model["continuing_subword_prefix"] = nullptr;
  model["end_of_word_suffix"] = nullptr;
  model["fuse_unk"] = false;
  model["byte_fallback"] = false;
  if (parts_.model.ignore_merges()) model["ignore_merges"] = true;
  std::vector<std::pair<int32_t, const std::string*>> by_id;
  for (const auto& [bytes, id] : parts_.model.vocab()) by_id.emplace_back(id, &bytes);
  std::sort(by_id.begin(), by_id.end());
  // Appended through the underlying vector: ordered_json's operator[] searches
  // linearly, and the ids are unique anyway.
  OJson vocab = OJson::object();
  auto& entries = static_cast<std::vector<std::pair<const std::string, OJson>>&>(vocab.get_ref<OJson::object_t&>());
  entries.reserve(by_id.size());
  std::unordered_map<int32_t, std::string> spelling;
  for (const auto& [id, bytes] : by_id) {
    spelling[id] = bytes_to_token_text(*bytes);
    entries.emplace_back(spelling[id], OJson(id));
  }
  model["vocab"] = std::move(vocab);
  OJson merges = OJson::array();
  for (const auto& [a, b] : parts_.model.merges()) merges.push_back(spelling[a] + " " + spelling[b]);
  model["merges"] = std::move(merges);
  j["model"] = std::move(model);
  return j.dump(2, ' ', false, OJson::error_handler_t::replace);
}

void Tokenizer::save(const fs::path& path) const {
  if (fs::is_directory(path)) {
    core::write_file_atomic(path / "tokenizer.json", to_json_text() + "\n");
    OJson config = OJson::object();
    config["tokenizer_class"] = "PreTrainedTokenizerFast";
    config["bos_token"] = parts_.bos_token ? OJson(*parts_.bos_token) : OJson();
    config["eos_token"] = parts_.eos_token ? OJson(*parts_.eos_token) : OJson();
    config["pad_token"] = parts_.pad_token ? OJson(*parts_.pad_token) : OJson();
    core::write_json_file_atomic(path / "tokenizer_config.json", config);
    return;
  }
  core::write_file_atomic(path, to_json_text() + "\n");
}

}  // namespace clinrl::model
