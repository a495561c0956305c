// The audit report as JSON (`clinrl sim audit --json`) and as a table.
#include "clinrl/core/strings.h"
#include "clinrl/sim/audit.h"

namespace clinrl::sim {

namespace {

core::Json summary_json(const AuditSummary& s) {
  core::Json j;
  j["records"] = s.records;
  j["fact_precision"] = s.fact_precision;
  j["leakage"] = s.leakage;
  j["leakage_rate"] = s.leakage_rate;
  j["recall"] = s.recall;
  j["synonym_recall"] = s.synonym_recall;
  j["synonym_facts"] = s.synonym_questions;
  j["determinism"] = s.determinism;
  j["persona_facts_same"] = s.persona_facts_same;
  j["persona_wording_differs"] = s.persona_wording_differs;
  j["mean_reply_chars"] = s.mean_reply_chars;
  return j;
}

}  // namespace

core::Json audit_to_json(const AuditReport& report) {
  core::Json j;
  j["overall"] = summary_json(report.overall);
  j["by_source"] = core::Json::object();
  for (const auto& [source, s] : report.by_source) j["by_source"][source] = summary_json(s);
  j["records"] = core::Json::array();
  for (const auto& r : report.records) {
    core::Json row;
    row["record_id"] = r.record_id;
    row["source"] = r.source;
    row["fact_precision"] = r.statements ? static_cast<double>(r.traceable) / static_cast<double>(r.statements) : 1.0;
    row["statements"] = r.statements;
    row["leakage"] = r.leaked;
    row["revealed"] = r.revealed;
    row["recall"] = r.askable ? static_cast<double>(r.recalled) / static_cast<double>(r.askable) : 1.0;
    row["askable"] = r.askable;
    row["synonym_recall"] = r.synonym_askable ? static_cast<double>(r.synonym_recalled) / static_cast<double>(r.synonym_askable) : 1.0;
    row["deterministic"] = r.deterministic;
    row["persona_facts_same"] = r.persona_facts_same;
    row["distinct_wordings"] = r.distinct_wordings;
    row["mean_reply_chars"] = r.mean_reply_chars;
    row["missed"] = r.missed;
    row["leaks"] = r.leaks;
    row["untraceable"] = r.untraceable;
    j["records"].push_back(row);
  }
  return j;
}

std::string audit_table(const AuditReport& report, size_t max_record_rows) {
  auto pct = [](double x) { return core::format("{}%", static_cast<double>(static_cast<long>(x * 1000 + 0.5)) / 10.0); };
  std::string out = "record                         source        precision  leakage  recall   determ.  personas\n";
  auto line = [&](const std::string& name, const std::string& source, double prec, size_t leak, double recall,
                  bool det, const std::string& personas) {
    std::string n = name.size() > 30 ? name.substr(0, 30) : name;
    std::string s = source.size() > 12 ? source.substr(0, 12) : source;
    out += n + std::string(31 - n.size(), ' ') + s + std::string(14 - s.size(), ' ');
    std::string cols[] = {pct(prec), std::to_string(leak), pct(recall), det ? "yes" : "NO", personas};
    size_t widths[] = {11, 9, 9, 9, 0};
    for (size_t k = 0; k < 5; ++k) out += cols[k] + (widths[k] > cols[k].size() ? std::string(widths[k] - cols[k].size(), ' ') : " ");
    out += "\n";
  };
  size_t shown = 0;
  for (const auto& r : report.records) {
    if (shown++ >= max_record_rows) break;
    double prec = r.statements ? static_cast<double>(r.traceable) / static_cast<double>(r.statements) : 1.0;
    double rec = r.askable ? static_cast<double>(r.recalled) / static_cast<double>(r.askable) : 1.0;
    line(r.record_id, r.source, prec, r.leaked, rec, r.deterministic,
         std::string(r.persona_facts_same ? "same facts" : "FACTS DIFFER") + ", " + std::to_string(r.distinct_wordings) + " wordings");
  }
  if (report.records.size() > max_record_rows)
    out += core::format("... {} more records (see --json)\n", report.records.size() - max_record_rows);
  for (const auto& [source, s] : report.by_source)
    line("[" + source + "]", std::to_string(s.records) + " records", s.fact_precision, s.leakage, s.recall, s.determinism == 1.0,
         pct(s.persona_facts_same) + " same facts");
  const auto& o = report.overall;
  line("OVERALL", std::to_string(o.records) + " records", o.fact_precision, o.leakage, o.recall, o.determinism == 1.0,
       pct(o.persona_facts_same) + " same facts");
  out += core::format("symptom questions asked with a synonym: recall {} over {} facts\n", pct(o.synonym_recall), o.synonym_questions);
  out += "mean reply chars by persona:";
  for (const auto& [p, c] : o.mean_reply_chars) out += core::format(" {}={}", p, static_cast<long>(c + 0.5));
  out += "\n";
  return out;
}

}  // namespace clinrl::sim
