#include "clinrl/sim/lexicon.h"

#include <algorithm>
#include <cctype>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"
#include "clinrl/sim/measurement.h"

namespace clinrl::sim {

void clause_tokens(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (char raw : text) {
    unsigned char c = static_cast<unsigned char>(raw);
    if (std::isalnum(c) || c >= 0x80) {
      word.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
    } else if (c == '\'') {
      // "what's" -> "whats"
    } else {
      flush();
      if (c == '.' || c == '?' || c == '!' || c == ';' || c == '\n') {
        if (!out.empty() && out.back() == kPause) out.pop_back();
        if (!out.empty() && out.back() != kClauseEnd) out.emplace_back(kClauseEnd);
      } else if (c == ',') {
        if (!out.empty() && out.back() != kClauseEnd && out.back() != kPause) out.emplace_back(kPause);
      }
    }
  }
  flush();
}

std::vector<std::string> clause_tokens(std::string_view text) {
  std::vector<std::string> out;
  clause_tokens(text, out);
  return out;
}

void PhraseMatcher::add(const std::vector<std::string>& tokens, Cue cue) {
  if (tokens.empty()) return;
  auto index = static_cast<uint32_t>(phrases_.size());
  phrases_.push_back({tokens, cue});
  auto& list = by_first_[tokens[0]];
  list.push_back(index);
  // Longest first, then earliest added, so the first hit is the answer.
  std::stable_sort(list.begin(), list.end(),
                   [&](uint32_t a, uint32_t b) { return phrases_[a].tokens.size() > phrases_[b].tokens.size(); });
}

size_t PhraseMatcher::match(const std::vector<std::string>& tokens, size_t pos, Cue& cue) const {
  auto it = by_first_.find(tokens[pos]);
  if (it == by_first_.end()) return 0;
  for (uint32_t index : it->second) {
    const auto& p = phrases_[index].tokens;
    if (pos + p.size() > tokens.size()) continue;
    bool ok = true;
    for (size_t k = 1; k < p.size() && ok; ++k) ok = tokens[pos + k] == p[k];
    if (ok) {
      cue = phrases_[index].cue;
      return p.size();
    }
  }
  return 0;
}

namespace {

struct Reader {
  core::Json json;
  std::string source;

  const core::Json& object(const core::Json& parent, const char* key, const std::string& where) const {
    if (!parent.contains(key) || !parent[key].is_object())
      throw UserError(core::format("{}: '{}{}' must be an object", source, where, key));
    return parent[key];
  }
  std::vector<std::string> strings(const core::Json& value, const std::string& where) const {
    if (!value.is_array()) throw UserError(core::format("{}: '{}' must be an array of strings", source, where));
    std::vector<std::string> out;
    for (const auto& s : value) {
      if (!s.is_string()) throw UserError(core::format("{}: '{}' must hold only strings", source, where));
      out.push_back(s.get<std::string>());
    }
    return out;
  }
  std::vector<std::string> strings(const char* key) const {
    if (!json.contains(key)) throw UserError(core::format("{}: missing key '{}'", source, key));
    return strings(json[key], key);
  }
  std::map<std::string, std::vector<std::string>> by_key(const core::Json& parent, const char* key) const {
    std::map<std::string, std::vector<std::string>> out;
    const auto& o = object(parent, key, "");
    for (auto it = o.begin(); it != o.end(); ++it) out[it.key()] = strings(it.value(), std::string(key) + "." + it.key());
    return out;
  }
};

// A lexicon phrase as words, punctuation marks dropped.
std::vector<std::string> phrase_words(std::string_view text) {
  std::vector<std::string> out;
  for (auto& t : clause_tokens(text))
    if (t != kClauseEnd && t != kPause) out.push_back(std::move(t));
  return out;
}

Reader read(const std::filesystem::path& path) { return Reader{core::read_json_file(path), path.string()}; }

std::vector<std::pair<std::string, std::vector<std::string>>> ordered(const Reader& r, const char* key) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  const auto& o = r.object(r.json, key, "");
  for (auto it = o.begin(); it != o.end(); ++it)
    out.emplace_back(it.key(), r.strings(it.value(), std::string(key) + "." + it.key()));
  return out;
}

}  // namespace

std::filesystem::path Lexicon::default_dir() { return records::default_data_dir() / "sim"; }

int Lexicon::topic_id(const std::string& key) const {
  auto it = std::find(topics_.begin(), topics_.end(), key);
  return it == topics_.end() ? -1 : static_cast<int>(it - topics_.begin());
}

int Lexicon::symptom_class(const std::string& normalised_name) const {
  auto it = symptom_by_phrase_.find(normalised_name);
  return it == symptom_by_phrase_.end() ? -1 : it->second;
}

int Lexicon::system_id(const std::string& name) const {
  auto it = std::find(systems_.begin(), systems_.end(), name);
  return it == systems_.end() ? -1 : static_cast<int>(it - systems_.begin());
}

Lexicon Lexicon::load(const std::filesystem::path& dir) {
  Lexicon lex;
  // ---- question understanding ----
  Reader r = read(dir / "lexicon.json");
  for (auto& [key, phrases] : ordered(r, "topics")) {
    int id = static_cast<int>(lex.topics_.size());
    lex.topics_.push_back(key);
    for (const auto& p : phrases) lex.matcher_.add(phrase_words(p), {CueKind::kTopic, id});
  }
  lex.attribute_.assign(lex.topics_.size(), false);
  for (const auto& key : r.strings("attribute_topics")) {
    int id = lex.topic_id(key);
    if (id < 0) throw UserError(core::format("{}: attribute_topics: '{}' is not a key of 'topics'", r.source, key));
    lex.attribute_[static_cast<size_t>(id)] = true;
  }
  lex.suppresses_.assign(lex.topics_.size(), {});
  for (auto& [key, others] : ordered(r, "suppresses")) {
    int id = lex.topic_id(key);
    if (id < 0) throw UserError(core::format("{}: suppresses: '{}' is not a key of 'topics'", r.source, key));
    for (const auto& o : others) {
      int other = lex.topic_id(o);
      if (other < 0) throw UserError(core::format("{}: suppresses.{}: '{}' is not a key of 'topics'", r.source, key, o));
      lex.suppresses_[static_cast<size_t>(other)].push_back(id);  // `other` is dropped when `id` is asked
    }
  }
  for (auto& [name, synonyms] : ordered(r, "symptoms")) {
    int cls = static_cast<int>(lex.symptoms_.size());
    lex.symptoms_.push_back(name);
    std::vector<std::string> phrases{name};
    phrases.insert(phrases.end(), synonyms.begin(), synonyms.end());
    lex.symptom_phrases_.push_back({});
    for (const auto& p : phrases) {
      auto tokens = phrase_words(p);
      std::string joined = core::join(tokens, " ");
      lex.symptom_phrases_.back().push_back(joined);
      lex.symptom_by_phrase_.emplace(joined, cls);
      lex.matcher_.add(tokens, {CueKind::kSymptom, cls});
    }
  }
  // The records module's symptom table (data/kb/symptom_synonyms.json) names
  // the symptoms records use: its spellings join the lexicon's classes.
  auto kb = dir / ".." / "kb" / "symptom_synonyms.json";
  if (std::filesystem::exists(kb)) {
    core::Json table = core::read_json_file(kb);
    for (auto it = table.begin(); it != table.end(); ++it) {
      if (!it.value().is_array()) continue;  // "_comment"
      std::vector<std::string> spellings{it.key()};
      for (const auto& s : it.value())
        if (s.is_string()) spellings.push_back(s.get<std::string>());
      int cls = -1;
      for (const auto& s : spellings)
        if (cls < 0) cls = lex.symptom_class(core::join(phrase_words(s), " "));
      if (cls < 0) {
        cls = static_cast<int>(lex.symptoms_.size());
        lex.symptoms_.push_back(core::join(phrase_words(it.key()), " "));
        lex.symptom_phrases_.push_back({});
      }
      for (const auto& s : spellings) {
        auto tokens = phrase_words(s);
        std::string joined = core::join(tokens, " ");
        if (tokens.empty() || lex.symptom_by_phrase_.count(joined)) continue;  // the lexicon's own meaning wins
        lex.symptom_phrases_[static_cast<size_t>(cls)].push_back(joined);
        lex.symptom_by_phrase_.emplace(joined, cls);
        lex.matcher_.add(tokens, {CueKind::kSymptom, cls});
      }
    }
  }
  for (auto& [name, phrases] : ordered(r, "systems")) {
    int id = static_cast<int>(lex.systems_.size());
    lex.systems_.push_back(name);
    lex.matcher_.add(phrase_words(name), {CueKind::kSystem, id});
    for (const auto& p : phrases) lex.matcher_.add(phrase_words(p), {CueKind::kSystem, id});
  }
  for (const auto& p : r.strings("yes_no_starts")) {
    lex.yes_no_.push_back(phrase_words(p));
    lex.matcher_.add(lex.yes_no_.back(), {CueKind::kYesNo, 0});
  }
  for (const auto& p : r.strings("broad")) lex.matcher_.add(phrase_words(p), {CueKind::kBroad, 0});
  for (const auto& p : r.strings("anything_else")) lex.matcher_.add(phrase_words(p), {CueKind::kAnythingElse, 0});
  for (const auto& p : r.strings("empathy")) lex.matcher_.add(phrase_words(p), {CueKind::kEmpathy, 0});
  for (const auto& p : r.strings("explanation")) lex.matcher_.add(phrase_words(p), {CueKind::kExplanation, 0});

  // ---- persona wording ----
  Reader p = read(dir / "persona_phrases.json");
  lex.phrases_.greeting = p.by_key(p.json, "greeting");
  lex.phrases_.opener = p.by_key(p.json, "opener");
  lex.phrases_.closer = p.by_key(p.json, "closer");
  auto list = [&](const char* key) {
    auto v = p.strings(key);
    if (v.empty()) throw UserError(core::format("{}: '{}' needs at least one phrase", p.source, key));
    return v;
  };
  auto& ph = lex.phrases_;
  ph.anxious = list("anxious");
  ph.hedge = list("hedge");
  ph.repeat = list("repeat");
  ph.withheld = list("withheld");
  ph.not_understood = list("not_understood");
  ph.nothing_more = list("nothing_more");
  ph.unrecorded_negative = list("unrecorded_negative");
  ph.unrecorded_unknown = list("unrecorded_unknown");
  ph.invalid = list("invalid");
  ph.repetition = list("repetition");
  ph.diagnosis = list("diagnosis");
  ph.final_turn = list("final_turn");

  // ---- measurement names ----
  Reader m = read(dir / "measurements.json");
  for (auto& [canonical, synonyms] : ordered(m, "tests")) {
    std::string c = normalise_measurement_name(canonical);
    lex.measurements_.test_canonical[c] = c;
    for (const auto& s : synonyms) lex.measurements_.test_canonical[normalise_measurement_name(s)] = c;
  }
  lex.measurements_.exam_words = m.strings("exam_words");
  for (auto& [system, synonyms] : ordered(m, "exam_systems")) {
    std::string c = normalise_measurement_name(system);
    lex.measurements_.exam_system[c] = c;
    for (const auto& s : synonyms) lex.measurements_.exam_system[normalise_measurement_name(s)] = c;
  }
  return lex;
}

}  // namespace clinrl::sim
