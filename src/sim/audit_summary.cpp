// Audit rows summed up: shares over statements, revealed and askable facts,
// and over records for determinism and the persona effect.
#include "audit_parts.h"

namespace clinrl::sim::audit {

void summarise(const std::vector<const RecordAudit*>& rows, AuditSummary& s) {
  size_t statements = 0, traceable = 0, revealed = 0, leaked = 0, askable = 0, recalled = 0, syn_askable = 0, syn_recalled = 0;
  size_t det = 0, same = 0, differs = 0;
  std::map<std::string, std::pair<double, size_t>> chars;
  for (const auto* r : rows) {
    statements += r->statements, traceable += r->traceable, revealed += r->revealed, leaked += r->leaked;
    askable += r->askable, recalled += r->recalled;
    syn_askable += r->synonym_askable, syn_recalled += r->synonym_recalled;
    det += r->deterministic, same += r->persona_facts_same, differs += r->distinct_wordings > 1;
    for (const auto& [p, c] : r->mean_reply_chars) chars[p].first += c, chars[p].second += 1;
  }
  s.records = rows.size();
  s.fact_precision = statements ? static_cast<double>(traceable) / static_cast<double>(statements) : 1.0;
  s.leakage = leaked;
  s.leakage_rate = revealed ? static_cast<double>(leaked) / static_cast<double>(revealed) : 0.0;
  s.recall = askable ? static_cast<double>(recalled) / static_cast<double>(askable) : 1.0;
  s.synonym_recall = syn_askable ? static_cast<double>(syn_recalled) / static_cast<double>(syn_askable) : 1.0;
  s.synonym_questions = syn_askable;
  double n = rows.empty() ? 1.0 : static_cast<double>(rows.size());
  s.determinism = rows.empty() ? 1.0 : static_cast<double>(det) / n;
  s.persona_facts_same = rows.empty() ? 1.0 : static_cast<double>(same) / n;
  s.persona_wording_differs = rows.empty() ? 1.0 : static_cast<double>(differs) / n;
  for (const auto& [p, c] : chars) s.mean_reply_chars[p] = c.first / static_cast<double>(c.second);
}


}  // namespace clinrl::sim::audit
