// The audit's probe doctor: a broad question, every history topic of the
// record a few at a time, off-topic questions, unrecorded symptoms and an
// unrecorded test, every recorded measurement, a follow-up pass, the diagnosis.
#include <algorithm>
#include <set>

#include "audit_parts.h"
#include "clinrl/core/strings.h"
#include "fact_index.h"

namespace clinrl::sim::audit {

namespace {

bool topic_sensitive(const records::Record& r, const std::string& topic) {
  for (const auto& f : r.facts)
    if (f.sensitivity > 0 && std::find(f.topics.begin(), f.topics.end(), topic) != f.topics.end()) return true;
  return false;
}

ProbeTurn question_turn(const records::Record& r, const ProbeBook& book, const std::vector<std::string>& topics,
                        bool empathy) {
  ProbeTurn t;
  std::vector<std::string> parts;
  if (empathy) parts.push_back("I'm sorry you're going through this.");
  bool sensitive = false;
  for (const auto& topic : topics) sensitive = sensitive || topic_sensitive(r, topic);
  if (sensitive) parts.push_back(book.explain);
  for (const auto& topic : topics) {
    parts.push_back(book.question(topic));
    t.licensed.push_back(topic);
  }
  t.text = core::join(parts, " ");
  return t;
}

// The probe's plan before the re-ask pass (which depends on what was revealed).
std::vector<ProbeTurn> probe_plan(const records::Record& r, const PatientSimulator& sim, const ProbeBook& book,
                                  const AuditOptions& audit) {
  std::vector<ProbeTurn> plan;
  ProbeTurn broad;
  broad.text = book.broad;
  broad.broad = true;
  plan.push_back(broad);
  std::vector<std::string> topics;
  for (const auto& t : history_topics(r))
    if (!book.question(t).empty()) topics.push_back(t);
  for (size_t i = 0; i < topics.size(); i += static_cast<size_t>(audit.topics_per_turn)) {
    std::vector<std::string> group(topics.begin() + static_cast<long>(i),
                                   topics.begin() + static_cast<long>(std::min(topics.size(), i + static_cast<size_t>(audit.topics_per_turn))));
    plan.push_back(question_turn(r, book, group, i == 0));
  }
  for (const auto& q : book.off_topic) plan.push_back({q, {}, false});
  const Lexicon& lex = sim.lexicon();
  const detail::FactIndex& index = sim.index();
  for (const auto& s : book.unrecorded_symptoms) {
    int cls = lex.symptom_class(core::join(clause_tokens(s), " "));
    if (cls < 0 || index.facts_for_symptom(cls) || index.symptom_mentioned(cls)) continue;
    plan.push_back({book.question("symptom:" + s), {"symptom:" + lex.symptom_name(cls)}, false});
  }
  plan.push_back({"REQUEST TEST: " + book.unrecorded_test, {"test:" + index.canonical_test(book.unrecorded_test)}, false});
  std::vector<std::string> requested;
  for (const auto& f : r.facts) {
    if (!is_measurement(f)) continue;
    for (const auto& topic : f.topics) {
      auto colon = topic.find(':');
      if (colon == std::string::npos || std::find(requested.begin(), requested.end(), topic) != requested.end()) continue;
      requested.push_back(topic);
      std::string channel = topic.substr(0, colon) == "exam" ? "EXAM" : "TEST";
      plan.push_back({"REQUEST " + channel + ": " + topic.substr(colon + 1), {topic}, false});
    }
  }
  return plan;
}

}  // namespace

std::vector<std::string> history_topics(const records::Record& r) {
  std::vector<std::string> out;
  for (const auto& f : r.facts)
    if (!is_measurement(f))
      for (const auto& t : f.topics)
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  return out;
}

ProbeRun run_probe(const std::shared_ptr<const PatientSimulator>& sim, const ProbeBook& book,
                   const AuditOptions& audit, const Persona& persona) {
  ProbeRun run;
  const auto& r = sim->record();
  EpisodeState ep = sim->new_episode();
  run.turns.push_back(ep.reset(audit.seed, persona));
  auto say = [&](const ProbeTurn& t) {
    run.plan.push_back(t);
    run.turns.push_back(ep.step(t.text));
  };
  for (const auto& t : probe_plan(r, *sim, book, audit)) say(t);
  // Re-ask, once and one at a time, topics whose facts have not come out (a competent doctor follows up).
  std::set<std::string> revealed(ep.transcript().revealed_fact_ids.begin(), ep.transcript().revealed_fact_ids.end());
  for (const auto& topic : history_topics(r)) {
    if (book.question(topic).empty()) continue;
    bool missing = false;
    for (const auto& f : r.facts)
      if (!is_measurement(f) && !revealed.count(f.id) && std::find(f.topics.begin(), f.topics.end(), topic) != f.topics.end())
        missing = true;
    if (missing) say(question_turn(r, book, {topic}, false));
  }
  say({"DIAGNOSIS: " + r.diagnosis.name + ".", {}, false});
  run.episode = ep.transcript();
  return run;
}

}  // namespace clinrl::sim::audit
