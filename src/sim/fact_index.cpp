#include "fact_index.h"

#include <algorithm>

#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"
#include "clinrl/records/topics.h"
#include "clinrl/sim/measurement.h"

namespace clinrl::sim::detail {

namespace {

void add_unique(std::vector<uint16_t>& v, uint16_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// "symptom:Shortness of breath" -> "shortness of breath" (the tokeniser's form).
std::string token_form(std::string_view text) {
  std::vector<std::string> words;
  for (auto& t : clause_tokens(text))
    if (t != kClauseEnd && t != kPause) words.push_back(std::move(t));
  return core::join(words, " ");
}

// Facts under keys that contain `name` at word boundaries, or that it contains, sorted
// ("ct chest" ~ "ct chest with contrast" matches; "chest ct" ~ "ct chest" does not).
std::vector<uint16_t> contained_matches(const std::unordered_map<std::string, std::vector<uint16_t>>& facts_by_key,
                                        const std::string& name) {
  std::vector<uint16_t> out;
  std::string padded = " " + name + " ";
  for (const auto& [key, facts] : facts_by_key) {
    std::string k = " " + key + " ";
    if (name.size() >= 3 && (k.find(padded) != std::string::npos || padded.find(k) != std::string::npos))
      for (auto f : facts) add_unique(out, f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

FactIndex::FactIndex(const records::Record& record, const Lexicon& lexicon) : lexicon_(&lexicon) {
  for (size_t i = 0; i < record.facts.size(); ++i) {
    const auto& f = record.facts[i];
    if (records::is_measurement_category(f.category)) index_measurement(f, static_cast<uint16_t>(i));
    else index_history(f, static_cast<uint16_t>(i));
  }
  mark_mentioned_symptoms(record);
}

int FactIndex::symptom_class_of(const std::string& name) {
  const Lexicon& lex = *lexicon_;
  std::string form = token_form(name);
  int cls = lex.symptom_class(form);
  if (cls >= 0) return cls;
  auto it = std::find(local_symptoms_.begin(), local_symptoms_.end(), form);
  if (it != local_symptoms_.end()) return static_cast<int>(lex.symptom_count() + static_cast<size_t>(it - local_symptoms_.begin()));
  local_symptoms_.push_back(form);
  cls = static_cast<int>(lex.symptom_count() + local_symptoms_.size() - 1);
  record_matcher_.add(clause_tokens(form), {CueKind::kSymptom, cls});
  return cls;
}

void FactIndex::index_measurement(const records::Fact& f, uint16_t index) {
  for (const auto& topic : f.topics) {
    auto colon = topic.find(':');
    std::string kind = topic.substr(0, colon == std::string::npos ? 0 : colon);
    std::string name = colon == std::string::npos ? topic : topic.substr(colon + 1);
    if (kind == "exam") add_unique(exam_facts_[canonical_exam(name)], index);
    else add_unique(test_facts_[canonical_test(name)], index);
  }
  if (!f.subject.empty()) {
    if (f.category == "exam") add_unique(exam_facts_[canonical_exam(f.subject)], index);
    else add_unique(test_facts_[canonical_test(f.subject)], index);
  }
  if (f.category == "exam") all_exam_facts_.push_back(index);
  if (f.category == "vital_sign") vital_facts_.push_back(index);
}

void FactIndex::index_history(const records::Fact& f, uint16_t index) {
  const Lexicon& lex = *lexicon_;
  for (const auto& topic : f.topics) {
    add_unique(topic_facts_[topic], index);
    if (core::starts_with(topic, "symptom:")) add_unique(symptom_facts_[symptom_class_of(topic.substr(8))], index);
    if (core::starts_with(topic, "ros:")) {
      // The record's own system name is understood even when the lexicon lacks it.
      std::string system = token_form(topic.substr(4));
      if (lex.system_id(system) < 0 && std::find(local_systems_.begin(), local_systems_.end(), system) == local_systems_.end()) {
        local_systems_.push_back(system);
        int id = static_cast<int>(lex.system_count() + local_systems_.size() - 1);
        record_matcher_.add(clause_tokens(system), {CueKind::kSystem, id});
      }
    }
  }
  if (f.category == "chief_complaint") chief_facts_.push_back(index);
  bool ordinary = f.sensitivity == records::kOrdinary && !f.negative;
  if (ordinary && (f.category == "hpi" || f.category == "associated_symptom")) broad_candidates_.push_back(index);
}

void FactIndex::mark_mentioned_symptoms(const records::Record& record) {
  // Symptoms any record text mentions: never denied, even when no fact is keyed to them.
  const Lexicon& lex = *lexicon_;
  mentioned_.assign(lex.symptom_count() + local_symptoms_.size(), false);
  std::vector<std::string> tokens;
  auto scan = [&](const std::string& text) {
    clause_tokens(text, tokens);
    for (size_t pos = 0; pos < tokens.size();) {
      Cue cue;
      size_t n = lex.matcher().match(tokens, pos, cue);
      if (n > 0 && cue.kind == CueKind::kSymptom) mentioned_[static_cast<size_t>(cue.id)] = true;
      pos += n > 0 ? n : 1;
    }
  };
  scan(record.chief_complaint);
  for (const auto& f : record.facts) {
    scan(f.lay);
    scan(f.clinical);
    scan(f.subject);
  }
  for (auto& [cls, facts] : symptom_facts_) mentioned_[static_cast<size_t>(cls)] = true;
}

const std::vector<uint16_t>* FactIndex::facts_for_topic(const std::string& key) const {
  auto it = topic_facts_.find(key);
  return it == topic_facts_.end() ? nullptr : &it->second;
}

const std::vector<uint16_t>* FactIndex::facts_for_symptom(int symptom_class) const {
  auto it = symptom_facts_.find(symptom_class);
  return it == symptom_facts_.end() ? nullptr : &it->second;
}

const std::string& FactIndex::symptom_name(int symptom_class) const {
  auto n = static_cast<size_t>(symptom_class);
  return n < lexicon_->symptom_count() ? lexicon_->symptom_name(symptom_class)
                                       : local_symptoms_[n - lexicon_->symptom_count()];
}

const std::string& FactIndex::system_name(int system) const {
  auto n = static_cast<size_t>(system);
  return n < lexicon_->system_count() ? lexicon_->system_name(system) : local_systems_[n - lexicon_->system_count()];
}

bool FactIndex::symptom_mentioned(int symptom_class) const {
  auto n = static_cast<size_t>(symptom_class);
  return n < mentioned_.size() && mentioned_[n];
}

std::string FactIndex::canonical_test(const std::string& name) const {
  // The records module's table first (record keys use its canonical names), then the simulator's,
  // which adds request spellings and the vital signs (data/sim/measurements.json says so).
  std::string n = normalise_measurement_name(records::normalise_test_name(name));
  const auto& synonyms = lexicon_->measurements().test_canonical;
  auto it = synonyms.find(n);
  return it == synonyms.end() ? n : it->second;
}

std::string FactIndex::canonical_exam(const std::string& name) const {
  std::string n = normalise_measurement_name(name);
  const auto& m = lexicon_->measurements();
  if (auto it = m.exam_system.find(n); it != m.exam_system.end()) return it->second;
  // "cardiovascular examination" -> "cardiovascular"
  std::vector<std::string> kept;
  for (const auto& w : core::split(n, ' '))
    if (std::find(m.exam_words.begin(), m.exam_words.end(), w) == m.exam_words.end()) kept.push_back(w);
  std::string stripped = core::join(kept, " ");
  if (auto it = m.exam_system.find(stripped); it != m.exam_system.end()) return it->second;
  // "physical examination" -> "" (everything); otherwise keep what was asked.
  return stripped;
}

std::vector<uint16_t> FactIndex::find_test(const std::string& name) const {
  std::string c = canonical_test(name);
  if (c.empty()) return {};
  if (auto it = test_facts_.find(c); it != test_facts_.end()) return it->second;
  if (c == "vital signs" || c == "vitals" || c == "observations") return vital_facts_;
  return contained_matches(test_facts_, c);
}

std::vector<uint16_t> FactIndex::find_exam(const std::string& name) const {
  std::string c = canonical_exam(name);
  if (c.empty() || c == "general" || c == "full" || c == "complete") {
    if (auto it = exam_facts_.find("general"); it != exam_facts_.end() && c == "general") return it->second;
    return all_exam_facts_;
  }
  if (c == "vital signs") return vital_facts_;
  if (auto it = exam_facts_.find(c); it != exam_facts_.end()) return it->second;
  return contained_matches(exam_facts_, c);
}

}  // namespace clinrl::sim::detail
