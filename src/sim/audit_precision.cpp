// Fact precision: every patient statement is traceable to a recorded fact
// (worded from it, and revealed in that turn) or to a flagged unrecorded item;
// framing words name no symptom, system or history topic. Target 1.
#include <algorithm>

#include "audit_parts.h"
#include "clinrl/core/strings.h"

namespace clinrl::sim::audit {

namespace {

bool contains_ci(const std::string& haystack, const std::string& needle) {
  std::string n = core::to_lower(core::trim(needle));
  while (!n.empty() && (n.back() == '.' || n.back() == '!' || n.back() == '?')) n.pop_back();
  return n.empty() || core::to_lower(haystack).find(n) != std::string::npos;
}

bool traceable(const Statement& s, const PatientTurn& turn, const records::Record& r, const Lexicon& lex) {
  auto flagged = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), s.subject) != list.end();
  };
  switch (s.kind) {
    case ContentKind::kFact:
    case ContentKind::kResult: {
      if (s.fact < 0 || static_cast<size_t>(s.fact) >= r.facts.size()) return false;
      const auto& f = r.facts[static_cast<size_t>(s.fact)];
      bool in_turn = std::find(turn.revealed_fact_ids.begin(), turn.revealed_fact_ids.end(), f.id) != turn.revealed_fact_ids.end();
      bool worded = (!f.lay.empty() && contains_ci(s.text, f.lay)) || (!f.clinical.empty() && contains_ci(s.text, f.clinical)) ||
                    (!f.value.empty() && contains_ci(s.text, f.value)) ||
                    (f.lay.empty() && f.clinical.empty() && contains_ci(s.text, f.subject));
      return in_turn && worded;
    }
    case ContentKind::kChiefComplaint: return s.subject == r.chief_complaint && contains_ci(s.text, r.chief_complaint);
    case ContentKind::kUnrecordedNegative: return flagged(turn.metadata.unrecorded_negatives);
    case ContentKind::kUnrecordedUnknown: return flagged(turn.metadata.unrecorded_unknowns);
    case ContentKind::kResultNotInRecord: return !turn.metadata.not_in_record.empty();
    default: {
      // Framing words must not name a symptom, system or history topic.
      auto tokens = clause_tokens(s.text);
      for (size_t pos = 0; pos < tokens.size();) {
        Cue cue;
        size_t n = lex.matcher().match(tokens, pos, cue);
        if (n > 0 && (cue.kind == CueKind::kSymptom || cue.kind == CueKind::kTopic || cue.kind == CueKind::kSystem))
          return false;
        pos += n > 0 ? n : 1;
      }
      return true;
    }
  }
}

}  // namespace

void score_precision(const ProbeRun& run, const PatientSimulator& sim, const std::string& persona_name, RecordAudit& out) {
  const auto& r = sim.record();
  const Lexicon& lex = sim.lexicon();
  for (const PatientTurn& turn : run.turns) {
    std::string joined;
    for (const auto& s : turn.metadata.statements) {
      ++out.statements;
      if (traceable(s, turn, r, lex)) ++out.traceable;
      else if (out.untraceable.size() < 5) out.untraceable.push_back(persona_name + ": " + s.text);
      if (!joined.empty()) joined += ' ';
      joined += s.text;
    }
    if (joined != turn.text) {
      ++out.statements;  // text that no statement accounts for
      if (out.untraceable.size() < 5) out.untraceable.push_back(persona_name + ": text differs from its statements");
    }
  }
}

}  // namespace clinrl::sim::audit
