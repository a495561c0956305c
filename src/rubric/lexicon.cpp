#include "clinrl/rubric/lexicon.h"

#include <algorithm>
#include <cctype>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

std::string stem(std::string w) {
  size_t n = w.size();
  if (n > 4 && w.compare(n - 3, 3, "ies") == 0) return w.substr(0, n - 3) + "y";
  if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') w.pop_back();
  return w;
}

std::vector<std::string> stemmed_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && cur.back() == '\'') cur.pop_back();
    size_t start = 0;
    while (start < cur.size() && cur[start] == '\'') ++start;
    if (start < cur.size()) out.push_back(stem(cur.substr(start)));
    cur.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isalnum(c)) {
      cur += static_cast<char>(std::tolower(c));
    } else if (c == '\'') {
      cur += '\'';
    } else if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               static_cast<unsigned char>(text[i + 2]) == 0x99) {
      cur += '\'';  // right single quotation mark, as in "don’t"
      i += 2;
    } else if (c >= 0x80) {
      cur += static_cast<char>(c);  // other UTF-8 bytes stay inside words
    } else {
      flush();
    }
  }
  flush();
  return out;
}

namespace {

std::vector<std::string> string_list(const Json& j, const std::string& where) {
  if (!j.is_array()) throw UserError(format("{}: expected an array of strings", where));
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || stemmed_words(j[i].get<std::string>()).empty())
      throw UserError(format("{}[{}]: expected a non-empty phrase", where, i));
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

std::map<std::string, std::vector<std::string>> phrase_map(const Json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(format("{}: expected an object of phrase lists", where));
  std::map<std::string, std::vector<std::string>> out;
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = string_list(it.value(), where + "." + it.key());
  return out;
}

std::vector<Phrase> phrases(const std::vector<std::string>& list) {
  std::vector<Phrase> out;
  for (const auto& s : list) out.push_back(stemmed_words(s));
  return out;
}

std::string normalised(const std::string& phrase) { return core::join(stemmed_words(phrase), " "); }

}  // namespace

void Lexicon::index_groups() {
  group_of_.clear();
  group_tokens_.clear();
  for (const auto& g : synonym_groups) group_tokens_.push_back(phrases(g));
  concept_tokens_.clear();
  for (const auto& [name, list] : concepts) concept_tokens_[name] = phrases(list);
  for (size_t g = 0; g < synonym_groups.size(); ++g)
    for (const auto& p : synonym_groups[g]) {
      auto n = normalised(p);
      bool dup = false;  // the same group listed twice under one phrase
      for (auto r = group_of_.equal_range(n); r.first != r.second; ++r.first) dup = dup || r.first->second == g;
      if (!dup) group_of_.emplace(n, g);
    }
}

Lexicon Lexicon::load(const std::filesystem::path& dir) {
  Lexicon lex;
  {
    auto path = dir / "synonyms.json";
    Json j = core::read_json_file(path);
    if (!j.contains("groups") || !j["groups"].is_array())
      throw UserError(format("{}: expected {\"groups\": [[phrases], ...]}", path.string()));
    for (size_t i = 0; i < j["groups"].size(); ++i)
      lex.synonym_groups.push_back(string_list(j["groups"][i], format("{}: groups[{}]", path.string(), i)));
  }
  {
    auto path = dir / "negation.json";
    Json j = core::read_json_file(path);
    std::string w = path.string() + ": ";
    lex.negation_before = phrases(string_list(j.value("before", Json::array()), w + "before"));
    lex.negation_after = phrases(string_list(j.value("after", Json::array()), w + "after"));
    lex.negation_pseudo = phrases(string_list(j.value("pseudo", Json::array()), w + "pseudo"));
    for (const auto& t : string_list(j.value("terminators", Json::array()), w + "terminators"))
      lex.terminators.push_back(stem(core::to_lower(t)));
    if (j.contains("window")) {
      if (!j["window"].is_number_integer() || j["window"].get<int>() < 1)
        throw UserError(format("{}window: expected a positive integer", w));
      lex.negation_window = j["window"].get<int>();
    }
  }
  {
    auto path = dir / "phrases.json";
    Json j = core::read_json_file(path);
    std::string w = path.string() + ": ";
    lex.concepts = phrase_map(j.value("concepts", Json::object()), w + "concepts");
    lex.topics = phrase_map(j.value("topics", Json::object()), w + "topics");
  }
  // The records module's symptom and test tables ({"canonical": [spellings]})
  // are synonym groups too, when present next to this folder.
  for (const char* table : {"symptom_synonyms.json", "test_synonyms.json"}) {
    auto path = dir.parent_path() / "kb" / table;
    if (!std::filesystem::exists(path)) continue;
    Json j = core::read_json_file(path);
    if (!j.is_object()) throw UserError(format("{}: expected an object of synonym lists", path.string()));
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key().empty() || it.key()[0] == '_') continue;
      std::vector<std::string> group{it.key()};
      for (const auto& s : string_list(it.value(), path.string() + ": " + it.key())) group.push_back(s);
      lex.synonym_groups.push_back(std::move(group));
    }
  }
  lex.index_groups();
  return lex;
}

std::filesystem::path Lexicon::default_dir() { return records::default_data_dir() / "rubric"; }

const Lexicon& Lexicon::builtin() {
  static const Lexicon lex = load(default_dir());
  return lex;
}

std::vector<std::string> Lexicon::expand(const std::string& phrase) const {
  // A phrase in several groups takes the union, so tables can extend each other.
  if (!phrase.empty() && phrase[0] == '@') {
    auto it = concepts.find(phrase.substr(1));
    if (it == concepts.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : concepts) names.push_back(k);
      std::string hint = core::closest_match(phrase.substr(1), names);
      throw UserError(format("unknown phrase concept '{}'{}", phrase,
                             hint.empty() ? std::string() : format(" (did you mean '@{}'?)", hint)));
    }
    return it->second;
  }
  std::vector<std::string> out{phrase};
  std::vector<std::string> seen{normalised(phrase)};
  auto range = group_of_.equal_range(seen[0]);
  for (auto g = range.first; g != range.second; ++g)
    for (const auto& s : synonym_groups[g->second]) {
      std::string n = normalised(s);
      if (std::find(seen.begin(), seen.end(), n) != seen.end()) continue;
      seen.push_back(n);
      out.push_back(s);
    }
  return out;
}

std::vector<Phrase> Lexicon::expand_tokens(const std::string& phrase) const {
  if (!phrase.empty() && phrase[0] == '@') {
    auto it = concept_tokens_.find(phrase.substr(1));
    if (it == concept_tokens_.end()) expand(phrase);  // throws with a suggestion
    return it->second;
  }
  std::vector<Phrase> out{stemmed_words(phrase)};
  auto range = group_of_.equal_range(core::join(out[0], " "));
  for (auto g = range.first; g != range.second; ++g)
    for (const auto& p : group_tokens_[g->second])
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  return out;
}

std::vector<std::string> Lexicon::topic_phrases(const std::string& topic) const {
  auto it = topics.find(topic);
  if (it != topics.end()) return it->second;
  // symptom:<name>, test:<name>, vital:<name>, exam:<system>, ros:<system>, ...:
  // the subject and its synonyms.
  auto colon = topic.find(':');
  return expand(colon == std::string::npos ? topic : topic.substr(colon + 1));
}

}  // namespace clinrl::rubric
