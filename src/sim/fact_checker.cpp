#include "clinrl/sim/fact_checker.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "clinrl/core/strings.h"

namespace clinrl::sim {
namespace {

// Numbers as written ("38.5", "150"), and small number words as digits, so
// "two hours" and "2 hours" agree.
std::set<std::string> numbers_in(std::string_view text) {
  static const char* kWords[] = {"zero", "one", "two",    "three",    "four",     "five",    "six",
                                 "seven", "eight", "nine", "ten",     "eleven",   "twelve",  "thirteen",
                                 "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
  std::set<std::string> out;
  for (size_t i = 0; i < text.size();) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j + 1 < text.size() && text[j] == '.' && std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
        ++j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      }
      out.emplace(text.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  for (const auto& word : clause_tokens(text))
    for (size_t n = 0; n < std::size(kWords); ++n)
      if (word == kWords[n]) out.insert(std::to_string(n));
  return out;
}

bool is_negation(const std::string& token) {
  static const std::set<std::string> kCues = {"no",     "not",     "never",  "dont",   "doesnt", "didnt",
                                              "havent", "hasnt",   "hadnt",  "isnt",   "arent",  "wasnt",
                                              "werent", "without", "denies", "deny",   "nor",    "none",
                                              "cant",   "cannot",  "wont",   "neither"};
  return kCues.count(token) > 0;
}

bool contains_phrase(const std::vector<std::string>& tokens, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > tokens.size()) return false;
  return std::search(tokens.begin(), tokens.end(), phrase.begin(), phrase.end()) != tokens.end();
}

struct SymptomMention {
  int symptom = 0;
  bool negated = false;  // a negation cue in the same clause
  std::string phrase;
};

std::vector<SymptomMention> symptom_mentions(const std::vector<std::string>& tokens, const Lexicon& lexicon) {
  std::vector<SymptomMention> out;
  size_t clause_start = 0;
  auto clause_negated = [&](size_t begin) {
    size_t end = begin;
    while (end < tokens.size() && tokens[end] != kClauseEnd) ++end;
    return std::any_of(tokens.begin() + static_cast<std::ptrdiff_t>(begin), tokens.begin() + static_cast<std::ptrdiff_t>(end),
                       is_negation);
  };
  for (size_t pos = 0; pos < tokens.size();) {
    if (tokens[pos] == kClauseEnd) {
      clause_start = ++pos;
      continue;
    }
    Cue cue;
    size_t n = lexicon.matcher().match(tokens, pos, cue);
    if (n == 0) {
      ++pos;
      continue;
    }
    if (cue.kind == CueKind::kSymptom) {
      std::vector<std::string> words(tokens.begin() + static_cast<std::ptrdiff_t>(pos),
                                     tokens.begin() + static_cast<std::ptrdiff_t>(pos + n));
      out.push_back({cue.id, clause_negated(clause_start), core::join(words, " ")});
    }
    pos += n;
  }
  return out;
}

bool is_denial(const Statement& s, const records::Record& record) {
  if (s.kind == ContentKind::kUnrecordedNegative) return true;
  return s.kind == ContentKind::kFact && s.fact >= 0 && record.facts[static_cast<size_t>(s.fact)].negative;
}

}  // namespace

FactChecker::FactChecker(std::shared_ptr<const Lexicon> lexicon) : lexicon_(std::move(lexicon)) {
  if (!lexicon_) throw std::invalid_argument("FactChecker: no lexicon");
}

FactCheck FactChecker::check(const records::Record& record, const std::vector<Statement>& allowed,
                             std::string_view reply, const std::vector<uint8_t>* revealed) const {
  // Everything this turn may say: the rule wording plus the facts' own fields.
  std::string allowed_text = record.chief_complaint + " . ";
  std::set<int> allowed_facts, denied, affirmed;
  auto allow_fact = [&](size_t index) {
    const auto& f = record.facts[index];
    allowed_facts.insert(static_cast<int>(index));
    allowed_text += f.lay + " . " + f.clinical + " . " + f.subject + " . " + f.value + " . ";
    // The polarity each allowed symptom must keep.
    for (const auto& m : symptom_mentions(clause_tokens(f.lay + " . " + f.clinical + " . " + f.subject), *lexicon_))
      (f.negative ? denied : affirmed).insert(m.symptom);
  };
  for (const auto& m : symptom_mentions(clause_tokens(record.chief_complaint), *lexicon_)) affirmed.insert(m.symptom);
  for (const auto& s : allowed) {
    allowed_text += s.text + " . " + s.subject + " . ";
    const bool has_fact = s.fact >= 0 && static_cast<size_t>(s.fact) < record.facts.size();
    if (has_fact && s.kind != ContentKind::kWithheld) allow_fact(static_cast<size_t>(s.fact));
    for (const auto& m : symptom_mentions(clause_tokens(s.text + " . " + s.subject), *lexicon_))
      (is_denial(s, record) ? denied : affirmed).insert(m.symptom);
  }
  if (revealed)
    for (size_t i = 0; i < record.facts.size() && i < revealed->size(); ++i)
      if ((*revealed)[i] && !allowed_facts.count(static_cast<int>(i))) allow_fact(i);
  const auto allowed_tokens = clause_tokens(allowed_text);
  const auto reply_tokens = clause_tokens(reply);
  FactCheck out;

  const auto allowed_numbers = numbers_in(allowed_text);
  const auto reply_numbers = numbers_in(reply);
  for (const auto& n : reply_numbers)
    if (!allowed_numbers.count(n)) out.violations.push_back(core::format("states the number {}, which this turn's facts do not contain", n));

  std::set<int> said;  // the symptoms the reply names
  for (const auto& m : symptom_mentions(reply_tokens, *lexicon_)) {
    if (!said.insert(m.symptom).second) continue;
    const bool is_denied = denied.count(m.symptom) > 0, is_affirmed = affirmed.count(m.symptom) > 0;
    if (!is_denied && !is_affirmed)
      out.violations.push_back(core::format("mentions '{}', which this turn does not reveal", m.phrase));
    else if (is_denied && !is_affirmed && !m.negated)
      out.violations.push_back(core::format("affirms '{}', which the patient denies", m.phrase));
    else if (is_affirmed && !is_denied && m.negated)
      out.violations.push_back(core::format("denies '{}', which the record affirms", m.phrase));
  }

  for (size_t i = 0; i < record.facts.size(); ++i) {
    const auto& f = record.facts[i];
    if (allowed_facts.count(static_cast<int>(i)) || f.subject.empty()) continue;
    const auto subject = clause_tokens(f.subject);
    if (contains_phrase(reply_tokens, subject) && !contains_phrase(allowed_tokens, subject))
      out.violations.push_back(
          core::format("mentions '{}' (fact {}), which the rules did not select for this turn", f.subject, f.id));
  }

  // The turn's own facts must come across: their symptoms, and a result's value.
  // A symptom comes across by a lexicon phrase or by all its words ("pain in my chest").
  const std::set<std::string> reply_words(reply_tokens.begin(), reply_tokens.end());
  auto words_said = [&](const std::string& phrase) {
    const auto words = clause_tokens(phrase);
    return std::all_of(words.begin(), words.end(), [&](const std::string& w) { return reply_words.count(w) > 0; });
  };
  for (const auto& s : allowed) {
    if ((s.kind != ContentKind::kFact && s.kind != ContentKind::kResult) || s.fact < 0) continue;
    const auto& f = record.facts[static_cast<size_t>(s.fact)];
    std::set<int> missing_reported;
    // The symptoms of the wording this persona would use (not the clinical note's).
    for (const auto& m : symptom_mentions(clause_tokens(s.text + " . " + f.subject), *lexicon_))
      if (!said.count(m.symptom) && !words_said(m.phrase) && missing_reported.insert(m.symptom).second)
        out.violations.push_back(core::format("leaves out '{}' (fact {}), which this turn must convey", m.phrase, f.id));
    if (s.kind == ContentKind::kResult)
      for (const auto& n : numbers_in(f.value))
        if (!reply_numbers.count(n))
          out.violations.push_back(core::format("leaves out the value {} (fact {}), which this turn must convey", n, f.id));
  }

  std::vector<std::string> diagnoses{record.diagnosis.name};
  diagnoses.insert(diagnoses.end(), record.diagnosis.synonyms.begin(), record.diagnosis.synonyms.end());
  diagnoses.insert(diagnoses.end(), record.differential.begin(), record.differential.end());
  for (const auto& name : diagnoses) {
    const auto words = clause_tokens(name);
    if (contains_phrase(reply_tokens, words) && !contains_phrase(allowed_tokens, words))
      out.violations.push_back(core::format("names the diagnosis '{}', which the patient does not know", name));
  }
  return out;
}

}  // namespace clinrl::sim
