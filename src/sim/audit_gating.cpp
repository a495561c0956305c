// The fact gate's audit metrics: leakage (facts revealed whose topic the probe
// did not ask; target 0), recall (facts whose topic was asked that came out),
// and recall when a symptom is asked with a synonym of the record's name.
#include <algorithm>
#include <set>

#include "audit_parts.h"
#include "clinrl/core/strings.h"
#include "fact_index.h"

namespace clinrl::sim::audit {

namespace {

// Measurement topics compare by canonical name ("test:pulse oximetry" asks for
// "vital:oxygen saturation" too: one measurement, two spellings); others as written.
std::string canonical_topic(const std::string& topic, const PatientSimulator& sim) {
  auto colon = topic.find(':');
  if (colon == std::string::npos) return topic;
  std::string prefix = topic.substr(0, colon), name = topic.substr(colon + 1);
  if (prefix == "test" || prefix == "vital") return "measurement:" + sim.index().canonical_test(name);
  if (prefix == "exam") return "exam:" + sim.index().canonical_exam(name);
  return topic;
}

int fact_position(const records::Record& r, const std::string& id) {
  for (size_t i = 0; i < r.facts.size(); ++i)
    if (r.facts[i].id == id) return static_cast<int>(i);
  return -1;
}

// Leakage of one turn; `licensed` is what its probe turn asked (canonical topics).
void score_turn_leakage(const PatientTurn& turn, const ProbeTurn* probe, const std::set<std::string>& licensed, size_t t,
                        const PatientSimulator& sim, const std::string& persona_name, RecordAudit& out) {
  const auto& r = sim.record();
  int broad_extra = 0;
  for (const auto& id : turn.revealed_fact_ids) {
    ++out.revealed;
    int i = fact_position(r, id);
    bool ok = false;
    if (i >= 0) {
      const auto& f = r.facts[static_cast<size_t>(i)];
      bool chief = f.category == "chief_complaint";
      if (!probe) ok = chief;  // the opening
      else if (probe->broad) ok = chief || ++broad_extra <= sim.options().broad_extra_facts;
      else
        for (const auto& topic : f.topics) ok = ok || licensed.count(canonical_topic(topic, sim));
    }
    if (!ok) {
      ++out.leaked;
      if (out.leaks.size() < 5) out.leaks.push_back(persona_name + ": " + id + " (turn " + std::to_string(t) + ")");
    }
  }
}

}  // namespace

void score_leakage_and_recall(const ProbeRun& run, const PatientSimulator& sim, const std::string& persona_name,
                              RecordAudit& out) {
  std::set<std::string> licensed_all;
  for (size_t t = 0; t < run.turns.size(); ++t) {
    const ProbeTurn* probe = t == 0 ? nullptr : &run.plan[t - 1];
    std::set<std::string> licensed;
    if (probe)
      for (const auto& topic : probe->licensed) licensed.insert(canonical_topic(topic, sim));
    licensed_all.insert(licensed.begin(), licensed.end());
    score_turn_leakage(run.turns[t], probe, licensed, t, sim, persona_name, out);
  }
  std::set<std::string> revealed(run.episode.revealed_fact_ids.begin(), run.episode.revealed_fact_ids.end());
  for (const auto& f : sim.record().facts) {
    bool asked = false;
    for (const auto& topic : f.topics) asked = asked || licensed_all.count(canonical_topic(topic, sim));
    if (!asked) continue;
    ++out.askable;
    if (revealed.count(f.id)) ++out.recalled;
    else if (out.missed.size() < 5) out.missed.push_back(persona_name + ": " + f.id);
  }
}

// "Have you had any dyspnoea?" for symptom:shortness of breath: recall of the
// facts keyed to that symptom (withheld counts as recalled: the gate opened).
void score_synonym_recall(const std::shared_ptr<const PatientSimulator>& sim, const ProbeBook& book, const AuditOptions& audit,
                          const Persona& persona, RecordAudit& out) {
  const auto& r = sim->record();
  const Lexicon& lex = sim->lexicon();
  for (const auto& topic : history_topics(r)) {
    if (!core::starts_with(topic, "symptom:")) continue;
    std::string name = core::join(clause_tokens(topic.substr(8)), " ");
    int cls = lex.symptom_class(name);
    if (cls < 0) continue;
    std::string synonym;
    for (const auto& p : lex.symptom_phrases(cls))
      if (p != name && p.size() > 3) {
        synonym = p;
        break;
      }
    if (synonym.empty()) continue;
    EpisodeState ep = sim->new_episode();
    ep.reset(audit.seed, persona);
    PatientTurn t = ep.step(book.question("symptom:" + synonym));
    auto has = [&](const std::vector<std::string>& ids, const std::string& id) {
      return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    for (const auto& f : r.facts) {
      if (is_measurement(f) || std::find(f.topics.begin(), f.topics.end(), topic) == f.topics.end()) continue;
      ++out.synonym_askable;
      if (has(t.revealed_fact_ids, f.id) || has(t.metadata.withheld_fact_ids, f.id)) ++out.synonym_recalled;
      else if (out.missed.size() < 5) out.missed.push_back("synonym '" + synonym + "': " + f.id);
    }
  }
}

}  // namespace clinrl::sim::audit
