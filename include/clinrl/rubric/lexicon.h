#pragma once
// The word lists the rule grader and the rubric generator share, read from
// data files (data/rubric/ by default) so they can be extended without code:
//   synonyms.json  {"groups": [["fever", "temperature", "febrile"], ...]}
//   negation.json  {"before": [...], "after": [...], "pseudo": [...], "terminators": [...], "window": 5}
//   phrases.json   {"concepts": {"empathy": [...], ...}, "topics": {"onset": [...], ...}}
// plus the records module's ../kb/symptom_synonyms.json and test_synonyms.json
// ({"canonical": [spellings]}) as further synonym groups when present.
// A phrase in a match block is a literal ("chest pain", expanded through its
// synonym group) or "@concept" (the concept's phrase list).
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace clinrl::rubric {

// Lower case, split into word tokens, light stemming (plural "s"/"ies");
// apostrophes stay inside words ("don't") and punctuation is dropped. The
// same function serves text and phrases, so both sides agree. (The
// simulator's sim::clause_tokens keeps clause marks and does not stem.)
std::vector<std::string> stemmed_words(std::string_view text);
std::string stem(std::string word);

using Phrase = std::vector<std::string>;  // stemmed tokens

struct Lexicon {
  std::vector<Phrase> negation_before;  // "no", "denies", "do not", ...
  std::vector<Phrase> negation_after;   // "ruled out", "absent", ...
  std::vector<Phrase> negation_pseudo;  // look like cues, are not: "don't hesitate", "cannot rule out"
  std::vector<std::string> terminators; // words that end a negation's reach: "but", ...
  int negation_window = 5;              // tokens a "before" cue reaches
  std::map<std::string, std::vector<std::string>> concepts;  // name -> phrases
  std::map<std::string, std::vector<std::string>> topics;    // topic key -> phrases
  std::vector<std::vector<std::string>> synonym_groups;

  // Reads the three files in `dir`; UserError naming the file and key.
  static Lexicon load(const std::filesystem::path& dir);
  // <data dir>/rubric: $CLINRL_DATA/rubric when set, else the source tree's data/rubric.
  static std::filesystem::path default_dir();
  static const Lexicon& builtin();  // load(default_dir()), read once

  // A literal phrase and its synonyms (the phrase first), or a concept's
  // phrases for "@name" (UserError for an unknown concept).
  std::vector<std::string> expand(const std::string& phrase) const;
  // expand() tokenised, from tables prepared at load time (what the rule
  // grader compiles match blocks with).
  std::vector<Phrase> expand_tokens(const std::string& phrase) const;
  // Phrases that ask about / mention a topic key ("onset", "symptom:fever", ...).
  std::vector<std::string> topic_phrases(const std::string& topic) const;

 private:
  std::multimap<std::string, size_t> group_of_;  // normalised phrase -> synonym group
  std::vector<std::vector<Phrase>> group_tokens_;  // synonym_groups, tokenised
  std::map<std::string, std::vector<Phrase>> concept_tokens_;
  void index_groups();
};

}  // namespace clinrl::rubric
