#pragma once
// The simulator audit (`clinrl sim audit`): a scripted probe doctor asks about
// every topic of each record (plus broad and off-topic questions, unrecorded
// symptoms and an unrecorded test) under several personas and measures
//   fact precision  every patient statement traceable to a recorded fact or a flagged unrecorded item (target 1)
//   leakage         facts revealed whose topic the probe did not ask (target 0)
//   recall          facts whose topic was asked that were revealed (and, separately,
//                   when a symptom is asked with a synonym of the record's name)
//   persona effect  reply length and wording differ across personas, revealed facts do not
//   determinism     two runs with the same seed give identical transcripts
// Where each part lives: src/sim/audit_parts.h.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/records/record.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/probe_book.h"
#include "clinrl/sim/sim_options.h"

namespace clinrl::sim {

struct AuditOptions {
  std::vector<std::string> personas = {"open", "default", "terse", "verbose", "anxious",
                                       "clinician", "reticent", "forgetful", "rambling"};
  uint64_t seed = 1;
  int topics_per_turn = 2;

  template <class V>
  void fields(V& v) {
    v("personas", personas);
    v("seed", seed);
    v("topics_per_turn", topics_per_turn);
  }
  void validate() const;
};

struct RecordAudit {
  std::string record_id, source;
  size_t statements = 0, traceable = 0;  // fact precision = traceable / statements
  size_t revealed = 0, leaked = 0;       // revealed fact mentions; those not licensed by the question
  size_t askable = 0, recalled = 0;      // facts whose topic was asked (per persona run); those revealed
  size_t synonym_askable = 0, synonym_recalled = 0;  // symptom facts asked with a synonym of their name
  bool deterministic = true;
  bool persona_facts_same = true;   // every persona revealed the same facts
  size_t distinct_wordings = 0;     // distinct transcripts across personas
  std::map<std::string, double> mean_reply_chars;  // by persona
  std::vector<std::string> missed, leaks, untraceable;  // examples ("persona: fact id" / statement text)
};

struct AuditSummary {
  size_t records = 0;
  double fact_precision = 1, leakage_rate = 0, recall = 1;
  double synonym_recall = 1;     // recall when symptoms are asked with a synonym, not the record's name
  size_t synonym_questions = 0;  // facts behind that figure
  size_t leakage = 0;  // leaked fact mentions
  double determinism = 1;          // share of records with identical repeated runs
  double persona_facts_same = 1;   // share of records where personas revealed the same facts
  double persona_wording_differs = 1;  // share of records with more than one distinct wording
  std::map<std::string, double> mean_reply_chars;  // by persona
};

struct AuditReport {
  std::vector<RecordAudit> records;
  AuditSummary overall;
  std::map<std::string, AuditSummary> by_source;
};

AuditReport audit_records(const std::vector<records::Record>& records, std::shared_ptr<const Lexicon> lexicon,
                          const SimOptions& options, const AuditOptions& audit, const ProbeBook& probe);

core::Json audit_to_json(const AuditReport& report);
std::string audit_table(const AuditReport& report, size_t max_record_rows = 20);

}  // namespace clinrl::sim
