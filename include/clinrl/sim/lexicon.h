#pragma once
// What the rule-based patient knows about language: topic phrasings, symptom
// synonyms, body systems, yes/no question forms, empathy and explanation cues,
// persona wording and measurement synonyms. Loaded once from data/sim/ and
// shared (read-only) by every simulator.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clinrl::sim {

// Lower-cased word tokens of a text with clause marks: "|" marks a sentence
// end (. ? ! ; or a new line) and "," a comma, so understanding reads clause
// by clause. Apostrophes are dropped ("what's" -> "whats"), other punctuation
// separates words; no stemming (the grader's rubric::stemmed_words stems and
// keeps no clause marks).
void clause_tokens(std::string_view text, std::vector<std::string>& out);
std::vector<std::string> clause_tokens(std::string_view text);
inline const char* kClauseEnd = "|";
inline const char* kPause = ",";

// What a matched phrase means.
enum class CueKind : uint8_t { kTopic, kSymptom, kSystem, kBroad, kAnythingElse, kEmpathy, kExplanation, kYesNo };
struct Cue {
  CueKind kind = CueKind::kTopic;
  int id = 0;  // topic index, symptom class or system index; 0 for the flag kinds
};

// Longest-match phrase lookup over word tokens.
class PhraseMatcher {
 public:
  void add(const std::vector<std::string>& tokens, Cue cue);
  // Length in tokens of the longest phrase starting at tokens[pos] (0 when none); sets `cue`.
  size_t match(const std::vector<std::string>& tokens, size_t pos, Cue& cue) const;
  size_t size() const { return phrases_.size(); }

 private:
  struct Phrase {
    std::vector<std::string> tokens;
    Cue cue;
  };
  std::vector<Phrase> phrases_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_first_;  // first token -> phrases, longest first
};

// Wording the patient adds around facts (data/sim/persona_phrases.json).
struct PersonaPhrases {
  std::map<std::string, std::vector<std::string>> greeting, opener, closer;  // by style
  std::vector<std::string> anxious, hedge, repeat, withheld, not_understood, nothing_more, unrecorded_negative,
      unrecorded_unknown, invalid, repetition, diagnosis, final_turn;
};

// Measurement names (data/sim/measurements.json).
struct MeasurementLexicon {
  std::unordered_map<std::string, std::string> test_canonical;  // any normalised name -> canonical
  std::vector<std::string> exam_words;                          // dropped from exam requests
  std::unordered_map<std::string, std::string> exam_system;     // any normalised name -> system
};

class Lexicon {
 public:
  // Loads lexicon.json, persona_phrases.json and measurements.json from `dir`;
  // a malformed file is a UserError naming the file and key.
  static Lexicon load(const std::filesystem::path& dir);
  // data/sim of the source tree (CLINRL_SOURCE_DIR); SimOptions::lexicon_dir overrides it.
  static std::filesystem::path default_dir();

  const PhraseMatcher& matcher() const { return matcher_; }
  const std::string& topic_key(int id) const { return topics_[static_cast<size_t>(id)]; }
  int topic_id(const std::string& key) const;  // -1 when unknown
  size_t topic_count() const { return topics_.size(); }
  bool is_attribute_topic(int id) const { return attribute_[static_cast<size_t>(id)]; }
  const std::vector<int>& suppressed_by(int id) const { return suppresses_[static_cast<size_t>(id)]; }

  // Symptom classes: a canonical name and its synonyms share one class id.
  const std::string& symptom_name(int cls) const { return symptoms_[static_cast<size_t>(cls)]; }
  size_t symptom_count() const { return symptoms_.size(); }
  int symptom_class(const std::string& normalised_name) const;  // -1 when not in the lexicon
  const std::vector<std::string>& symptom_phrases(int cls) const { return symptom_phrases_[static_cast<size_t>(cls)]; }
  const std::string& system_name(int id) const { return systems_[static_cast<size_t>(id)]; }
  int system_id(const std::string& name) const;  // -1 when unknown
  size_t system_count() const { return systems_.size(); }

  const std::vector<std::vector<std::string>>& yes_no_starts() const { return yes_no_; }
  const PersonaPhrases& phrases() const { return phrases_; }
  const MeasurementLexicon& measurements() const { return measurements_; }

 private:
  PhraseMatcher matcher_;
  std::vector<std::string> topics_;
  std::vector<bool> attribute_;
  std::vector<std::vector<int>> suppresses_;
  std::vector<std::string> symptoms_;
  std::vector<std::vector<std::string>> symptom_phrases_;
  std::unordered_map<std::string, int> symptom_by_phrase_;
  std::vector<std::string> systems_;
  std::vector<std::vector<std::string>> yes_no_;
  PersonaPhrases phrases_;
  MeasurementLexicon measurements_;
};

}  // namespace clinrl::sim
