// One consultation: understanding, fact gating and the measurement channel,
// ended by the termination gate (sim/termination_gate.h). See docs/simulator.md for the rules.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "clinrl/core/strings.h"
#include "clinrl/sim/simulator.h"
#include "fact_index.h"

namespace clinrl::sim {

namespace {

constexpr uint8_t kEmpathyCue = 1, kExplanationCue = 2;

int popcount(uint8_t x) { return (x & 1) + ((x >> 1) & 1); }

template <class T>
void push_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// Finds "KEYWORD:" case-insensitively; returns npos or the position after the colon.
size_t find_marker(std::string_view text, std::string_view keyword) {
  std::string lower = core::to_lower(text);
  size_t at = lower.find(keyword);
  return at == std::string::npos ? at : at + keyword.size();
}

}  // namespace

EpisodeState::EpisodeState(std::shared_ptr<const PatientSimulator> simulator) : sim_(std::move(simulator)) {
  if (!sim_) throw std::invalid_argument("EpisodeState: no simulator");
}

PatientTurn EpisodeState::reset(uint64_t seed) {
  const auto& po = sim_->options().persona;
  Persona persona = po.fixed;
  if (po.mode == "sample") {
    Rng persona_rng = Rng::stream(seed, "sim.persona");
    persona = sample_persona(po.weights, persona_rng);
  }
  return reset(seed, persona);
}

PatientTurn EpisodeState::reset(uint64_t seed, const Persona& persona) {
  persona.validate();
  begin(seed, persona);
  PatientTurn turn;
  std::vector<Content> content;
  content.push_back({ContentKind::kGreeting, -1, false, ""});
  const auto& chief = sim_->index().chief_complaint_facts();
  if (chief.empty()) {
    content.push_back({ContentKind::kChiefComplaint, -1, false, sim_->record().chief_complaint});
  } else {
    // The first chief-complaint fact opens; the rest wait for questions.
    std::vector<uint16_t> first{chief.front()};
    reveal(first, content, turn);
  }
  finish_turn(content, turn, true);
  return turn;
}

void EpisodeState::begin(uint64_t seed, const Persona& persona) {
  rng_ = Rng::stream(seed, "sim.episode");
  episode_ = Episode{};
  episode_.record_id = sim_->record().id;
  episode_.seed = seed;
  episode_.persona = persona;
  revealed_.assign(sim_->record().facts.size(), 0);
  gate_ = TerminationGate(sim_->options());
  doctor_turns_ = 0;
  trust_cues_ = 0;
  started_ = true;
  done_ = false;
}

void EpisodeState::note_topic(const std::string& key, PatientTurn& turn) {
  push_unique(turn.metadata.asked_topics, key);
  push_unique(episode_.asked_topics, key);
}

void EpisodeState::reveal(const std::vector<uint16_t>& facts, std::vector<Content>& content, PatientTurn& turn) {
  const auto& record = sim_->record();
  for (uint16_t i : facts) {
    bool already = std::any_of(content.begin(), content.end(), [&](const Content& c) {
      return c.fact == i && (c.kind == ContentKind::kFact || c.kind == ContentKind::kWithheld);
    });
    if (already) continue;
    const auto& fact = record.facts[i];
    if (required_trust(episode_.persona, fact.sensitivity) > popcount(trust_cues_)) {
      content.push_back({ContentKind::kWithheld, i, false, ""});
      turn.metadata.withheld_fact_ids.push_back(fact.id);
      continue;
    }
    content.push_back({ContentKind::kFact, i, revealed_[i] != 0, ""});
    revealed_[i] = 1;
    turn.revealed_fact_ids.push_back(fact.id);
    push_unique(episode_.revealed_fact_ids, fact.id);
  }
}

void EpisodeState::unrecorded(const std::string& item, bool attribute, std::vector<Content>& content,
                              PatientTurn& turn) {
  // Attributes ("when did it start?") cannot be denied; history items follow the policy.
  if (!attribute && sim_->options().unrecorded_policy == "negative") {
    content.push_back({ContentKind::kUnrecordedNegative, -1, false, item});
    turn.metadata.unrecorded_negatives.push_back(item);
    push_unique(episode_.unrecorded_negatives, item);
  } else {
    content.push_back({ContentKind::kUnrecordedUnknown, -1, false, item});
    turn.metadata.unrecorded_unknowns.push_back(item);
  }
}

bool EpisodeState::handle_measurement(std::string_view line, std::vector<Content>& content, PatientTurn& turn) {
  bool exam;
  size_t after = find_marker(line, "request test:");
  if (after != std::string::npos) {
    exam = false;
  } else {
    after = find_marker(line, "request exam:");
    if (after == std::string::npos) return false;
    exam = true;
  }
  std::string rest(line.substr(after));
  for (char& c : rest)
    if (c == ';') c = ',';
  for (const auto& raw : core::split(rest, ',')) {
    std::string name = core::trim(raw);
    while (!name.empty() && (name.back() == '.' || name.back() == '?')) name.pop_back();
    if (name.empty()) continue;
    const detail::FactIndex& index = sim_->index();
    std::vector<uint16_t> facts = exam ? index.find_exam(name) : index.find_test(name);
    std::string key = exam ? "exam:" + index.canonical_exam(name) : "test:" + index.canonical_test(name);
    note_topic(key, turn);
    push_unique(episode_.requested_measurements, key);
    if (facts.empty()) {
      content.push_back({ContentKind::kResultNotInRecord, -1, false, name});
      turn.metadata.not_in_record.push_back(key);
      push_unique(episode_.not_in_record, key);
      continue;
    }
    for (uint16_t i : facts) {
      content.push_back({ContentKind::kResult, i, revealed_[i] != 0, ""});
      revealed_[i] = 1;
      turn.revealed_fact_ids.push_back(sim_->record().facts[i].id);
      push_unique(episode_.revealed_fact_ids, sim_->record().facts[i].id);
    }
  }
  return true;
}

void EpisodeState::end(const char* reason, PatientTurn& turn) {
  done_ = true;
  turn.done = true;
  turn.reason = reason;
  episode_.termination_reason = reason;
}

PatientTurn EpisodeState::step(std::string_view utterance) {
  if (!started_) throw std::logic_error("EpisodeState::step before reset");
  if (done_) throw std::logic_error("EpisodeState::step after the episode ended (" + episode_.termination_reason + ")");
  ++doctor_turns_;
  PatientTurn turn;
  std::vector<Content> content;
  episode_.turns.push_back({"doctor", std::string(utterance), {}, {}});

  if (is_invalid_turn(utterance, sim_->options().max_utterance_chars)) {
    turn.metadata.invalid_input = true;
    turn.metadata.understood = false;
    content.push_back({ContentKind::kInvalid, -1, false, ""});
    if (gate_.invalid_turn()) end("invalid_input", turn);
  } else {
    std::vector<std::string> tokens;
    clause_tokens(utterance, tokens);
    bool repeated = gate_.repeated(tokens);  // counted even when the turn is a diagnosis
    if (auto dx = find_diagnosis(utterance)) {
      episode_.diagnosis = std::move(dx->diagnosis);
      episode_.plan = std::move(dx->plan);
      content.push_back({ContentKind::kAcknowledge, -1, false, "diagnosis"});
      end("diagnosis", turn);
    } else if (repeated) {
      content.push_back({ContentKind::kRepetition, -1, false, ""});
      end("repetition", turn);
    } else {
      answer(utterance, tokens, content, turn);
    }
  }
  episode_.turns.back().asked_topics = turn.metadata.asked_topics;

  if (!done_ && gate_.at_turn_cap(doctor_turns_)) end("turn_cap", turn);
  if (!done_ && gate_.last_turn_next(doctor_turns_)) {
    turn.metadata.final_turn_warning = true;
    content.push_back({ContentKind::kFinalTurn, -1, false, ""});
  }
  finish_turn(content, turn, false, utterance);
  return turn;
}

void EpisodeState::answer(std::string_view utterance, std::vector<std::string>& tokens, std::vector<Content>& content,
                          PatientTurn& turn) {
  const Lexicon& lex = sim_->lexicon();
  const detail::FactIndex& index = sim_->index();
  bool measured = false;
  std::string question_text;
  for (const auto& line : core::split(utterance, '\n')) {
    if (handle_measurement(line, content, turn)) measured = true;
    else question_text += line + "\n";
  }
  if (measured) clause_tokens(question_text, tokens);
  Understanding u;
  understand(tokens, lex, &index.record_matcher(), u);
  if (u.empathy) trust_cues_ |= kEmpathyCue;
  if (u.explanation) trust_cues_ |= kExplanationCue;
  for (int t : u.topics) {
    const std::string& key = lex.topic_key(t);
    note_topic(key, turn);
    if (const auto* facts = index.facts_for_topic(key)) reveal(*facts, content, turn);
    else unrecorded(key, lex.is_attribute_topic(t) || key == "chief_complaint", content, turn);
  }
  for (int s : u.symptoms) {
    const std::string& name = index.symptom_name(s);
    note_topic("symptom:" + name, turn);
    if (const auto* facts = index.facts_for_symptom(s)) reveal(*facts, content, turn);
    else unrecorded(name, index.symptom_mentioned(s), content, turn);
  }
  for (int s : u.systems) {
    std::string key = "ros:" + index.system_name(s);
    note_topic(key, turn);
    // A whole system is never denied: the record may hold symptoms of it under other topics.
    if (const auto* facts = index.facts_for_topic(key)) reveal(*facts, content, turn);
    else unrecorded(key, true, content, turn);
  }
  if (u.broad) answer_broad(content, turn);
  if (!u.asks_something() && !measured) {
    turn.metadata.understood = u.empathy || u.explanation;
    content.push_back({turn.metadata.understood ? ContentKind::kAcknowledge : ContentKind::kNotUnderstood, -1,
                       false, ""});
  }
}

void EpisodeState::answer_broad(std::vector<Content>& content, PatientTurn& turn) {
  // The unrevealed chief-complaint facts and up to broad_extra_facts more, never a dump.
  turn.metadata.broad = true;
  const detail::FactIndex& index = sim_->index();
  std::vector<uint16_t> chosen;
  for (uint16_t i : index.chief_complaint_facts())
    if (!revealed_[i]) chosen.push_back(i);
  int extra = 0;
  for (uint16_t i : index.broad_candidates()) {
    if (extra >= sim_->options().broad_extra_facts) break;
    bool in_turn = std::any_of(content.begin(), content.end(), [&](const Content& c) { return c.fact == i; });
    if (!revealed_[i] && !in_turn) chosen.push_back(i), ++extra;
  }
  if (chosen.empty()) content.push_back({ContentKind::kNothingMore, -1, false, ""});
  else reveal(chosen, content, turn);
}

void EpisodeState::finish_turn(std::vector<Content>& content, PatientTurn& turn, bool opening,
                               std::string_view utterance) {
  RealisationInput in;
  in.record = &sim_->record();
  in.persona = &episode_.persona;
  in.content = &content;
  in.opening = opening;
  in.doctor_utterance = utterance;
  in.revealed = &revealed_;
  sim_->realiser().realise(in, rng_, turn.metadata.statements);
  size_t total = 0;
  for (const auto& s : turn.metadata.statements) total += s.text.size() + 1;
  turn.text.reserve(total);
  for (const auto& s : turn.metadata.statements) {
    if (s.text.empty()) continue;
    if (!turn.text.empty()) turn.text += ' ';
    turn.text += s.text;
  }
  episode_.turns.push_back({"patient", turn.text, turn.revealed_fact_ids, {}});
}

size_t EpisodeState::memory_bytes() const {
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  auto strs = [&](const std::vector<std::string>& v) {
    size_t n = v.capacity() * sizeof(std::string);
    for (const auto& s : v) n += str(s);
    return n;
  };
  size_t n = sizeof(*this) + revealed_.capacity() + gate_.heap_bytes();
  const Episode& e = episode_;
  n += str(e.record_id) + str(e.diagnosis) + str(e.plan) + str(e.termination_reason);
  n += strs(e.asked_topics) + strs(e.revealed_fact_ids) + strs(e.requested_measurements) +
       strs(e.unrecorded_negatives) + strs(e.not_in_record);
  n += e.turns.capacity() * sizeof(TranscriptTurn);
  for (const auto& t : e.turns) n += str(t.role) + str(t.text) + strs(t.revealed_fact_ids) + strs(t.asked_topics);
  return n;
}

}  // namespace clinrl::sim
