// The audit runner: each record under every persona of the options, scored by
// the metric families (audit_parts.h), plus determinism (a fresh simulator
// replays the first persona's run byte for byte) and the persona effect.
#include "clinrl/sim/audit.h"

#include <algorithm>
#include <stdexcept>

#include "audit_parts.h"
#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"

namespace clinrl::sim {

void AuditOptions::validate() const {
  if (personas.empty()) throw std::invalid_argument("personas must name at least one persona");
  for (const auto& p : personas) parse_persona(p);
  if (topics_per_turn < 1) throw std::invalid_argument(core::format("topics_per_turn must be >= 1, got {}", topics_per_turn));
}

namespace {

// The facts revealed (sorted ids) and the whole wording of a run, to compare personas.
struct PersonaOutcome {
  std::string facts, wording;
};

PersonaOutcome persona_outcome(const audit::ProbeRun& run, const std::string& persona_name, RecordAudit& row) {
  std::vector<std::string> ids = run.episode.revealed_fact_ids;
  std::sort(ids.begin(), ids.end());
  PersonaOutcome out;
  out.facts = core::join(ids, ",");
  double chars = 0, replies = 0;
  for (size_t t = 1; t < run.turns.size(); ++t) chars += static_cast<double>(run.turns[t].text.size()), replies += 1;
  for (const auto& t : run.turns) out.wording += t.text + "\n";
  row.mean_reply_chars[persona_name] = replies > 0 ? chars / replies : 0;
  return out;
}

RecordAudit audit_record(const records::Record& record, const std::shared_ptr<const Lexicon>& lexicon, const SimOptions& opt,
                         const AuditOptions& options, const ProbeBook& probe) {
  RecordAudit row;
  row.record_id = record.id;
  row.source = record.source;
  auto sim = PatientSimulator::create(record, lexicon, opt);
  std::vector<std::string> fact_sets, wordings;
  for (const auto& name : options.personas) {
    Persona persona = parse_persona(name);
    audit::ProbeRun run = audit::run_probe(sim, probe, options, persona);
    audit::score_precision(run, *sim, name, row);
    audit::score_leakage_and_recall(run, *sim, name, row);
    PersonaOutcome outcome = persona_outcome(run, name, row);
    fact_sets.push_back(std::move(outcome.facts));
    wordings.push_back(std::move(outcome.wording));
    if (&name == &options.personas.front()) {
      // Determinism: a fresh simulator and episode, same seed and script, same bytes.
      auto again = audit::run_probe(PatientSimulator::create(record, lexicon, opt), probe, options, persona);
      row.deterministic = core::dump_json(episode_to_json(again.episode)) == core::dump_json(episode_to_json(run.episode));
      audit::score_synonym_recall(sim, probe, options, persona, row);
    }
  }
  row.persona_facts_same = std::all_of(fact_sets.begin(), fact_sets.end(), [&](const auto& s) { return s == fact_sets[0]; });
  std::sort(wordings.begin(), wordings.end());
  row.distinct_wordings = static_cast<size_t>(std::unique(wordings.begin(), wordings.end()) - wordings.begin());
  return row;
}

}  // namespace

AuditReport audit_records(const std::vector<records::Record>& records, std::shared_ptr<const Lexicon> lexicon,
                          const SimOptions& options, const AuditOptions& audit, const ProbeBook& probe) {
  core::validate_all(audit, "audit");
  SimOptions opt = options;
  opt.max_turns = std::max(opt.max_turns, 10000);  // the probe is long; caps are tested elsewhere
  opt.repeat_limit = std::max(opt.repeat_limit, 10000);
  AuditReport report;
  for (const auto& record : records) report.records.push_back(audit_record(record, lexicon, opt, audit, probe));
  std::vector<const RecordAudit*> all;
  std::map<std::string, std::vector<const RecordAudit*>> by_source;
  for (const auto& r : report.records) all.push_back(&r), by_source[r.source.empty() ? "unknown" : r.source].push_back(&r);
  audit::summarise(all, report.overall);
  for (const auto& [source, rows] : by_source) audit::summarise(rows, report.by_source[source]);
  return report;
}

}  // namespace clinrl::sim
