#pragma once
// The simulator audit's pieces, private to src/sim (the entry points are in clinrl/sim/audit.h):
//   audit.cpp            the runner: every record under every persona, determinism and persona effect
//   audit_probe.cpp      the probe doctor's script and its run
//   audit_precision.cpp  fact precision: is every statement backed by the record?
//   audit_gating.cpp     leakage and recall of the fact gate, recall under symptom synonyms
//   audit_summary.cpp    record rows summed up (overall and by source)
//   audit_report.cpp     the JSON and table forms of a report
// probe_book.cpp reads the probe's phrasings.
#include <memory>
#include <string>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/records/topics.h"
#include "clinrl/sim/audit.h"
#include "clinrl/sim/simulator.h"

namespace clinrl::sim::audit {

inline bool is_measurement(const records::Fact& f) { return records::is_measurement_category(f.category); }

// Topics of the record's history facts, in record order.
std::vector<std::string> history_topics(const records::Record& r);

// One doctor turn of the probe and the topic keys it licenses the patient to answer.
struct ProbeTurn {
  std::string text;
  std::vector<std::string> licensed;  // topic keys asked
  bool broad = false;
};

struct ProbeRun {
  Episode episode;
  std::vector<PatientTurn> turns;  // the opening, then one per probe turn
  std::vector<ProbeTurn> plan;     // one per doctor turn
};

// The whole probe under one persona: the plan, a re-ask of topics whose facts
// did not come out, then the diagnosis.
ProbeRun run_probe(const std::shared_ptr<const PatientSimulator>& sim, const ProbeBook& book, const AuditOptions& audit,
                   const Persona& persona);

// Each adds one persona run's counts and examples to `out`.
void score_precision(const ProbeRun& run, const PatientSimulator& sim, const std::string& persona_name, RecordAudit& out);
void score_leakage_and_recall(const ProbeRun& run, const PatientSimulator& sim, const std::string& persona_name,
                              RecordAudit& out);
// Symptom questions phrased with a synonym of the record's name, one fresh episode each.
void score_synonym_recall(const std::shared_ptr<const PatientSimulator>& sim, const ProbeBook& book, const AuditOptions& audit,
                          const Persona& persona, RecordAudit& out);

void summarise(const std::vector<const RecordAudit*>& rows, AuditSummary& s);

}  // namespace clinrl::sim::audit
