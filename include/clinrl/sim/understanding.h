#pragma once
// Question understanding: which topics, symptoms and body systems a doctor
// utterance asks about, and whether it shows empathy or explains itself.
#include <string>
#include <vector>

#include "clinrl/sim/lexicon.h"

namespace clinrl::sim {

struct Understanding {
  std::vector<int> topics;    // lexicon topic ids, distinct, in order of mention
  std::vector<int> symptoms;  // symptom classes asked about as yes/no questions
  std::vector<int> systems;   // body systems (review of systems)
  bool broad = false;         // "tell me more", "anything else?"
  bool empathy = false;
  bool explanation = false;

  bool asks_something() const { return broad || !topics.empty() || !symptoms.empty() || !systems.empty(); }
  void clear();
};

// Reads `tokens` (from clause_tokens) clause by clause with the lexicon's matcher
// and, when given, a record's own matcher (longest match wins; the record's on
// ties). A symptom named in a clause that asks an attribute ("when did the
// cough start?") is the attribute's subject, not a yes/no question.
void understand(const std::vector<std::string>& tokens, const Lexicon& lexicon, const PhraseMatcher* record_matcher,
                Understanding& out);

}  // namespace clinrl::sim
