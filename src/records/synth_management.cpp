// What a synthetic record expects of the doctor: the diagnosis, management
// with this patient's contraindications (an allergy or a comorbidity that
// rules out a first-line treatment, and its alternative), must-ask topics.
#include <optional>

#include "clinrl/core/strings.h"
#include "synth_draft.h"

namespace clinrl::records::synth {

namespace {

// The drug of `drugs` the treatment names, or "".
std::string covered_drug(const std::string& treatment, const std::vector<std::string>& drugs) {
  std::string lower = core::to_lower(treatment);
  for (const auto& d : drugs)
    if (lower.find(d) != std::string::npos) return d;
  return "";
}

// The condition's explicit contraindication of `treatment` that `applies` to this patient
// (the last one listed, as the knowledge base may list several).
template <class Applies>
const ContraindicationSpec* explicit_spec(const Condition& c, const std::string& treatment, Applies applies) {
  const ContraindicationSpec* spec = nullptr;
  for (const auto& ci : c.contraindications)
    if (ci.drug == treatment && applies(ci)) spec = &ci;
  return spec;
}

// A treatment ruled out for this patient: what to write in management.contraindicated,
// and the alternative the condition names (may be empty).
struct RuledOut {
  Contraindication contraindication;
  std::string alternative;
};

// The first allergy, else the first comorbidity, that rules the treatment out.
std::optional<RuledOut> ruled_out(const RecordDraft& d, const std::string& treatment) {
  for (const auto* a : d.allergies) {
    std::string drug = covered_drug(treatment, a->covers);
    const auto* spec = explicit_spec(d.c, treatment, [&](const ContraindicationSpec& ci) { return ci.allergy == a->allergen; });
    if (drug.empty() && !spec) continue;
    return RuledOut{{drug.empty() ? treatment : drug, a->allergen + " allergy (" + d.reaction.at(a)->clinical + ")"},
                    spec ? spec->alternative : ""};
  }
  for (const auto* k : d.comorbid) {
    std::string drug = covered_drug(treatment, k->avoid);
    const auto* spec = explicit_spec(d.c, treatment, [&](const ContraindicationSpec& ci) { return ci.condition == k->name; });
    if (drug.empty() && !spec) continue;
    return RuledOut{{drug.empty() ? treatment : drug, spec ? spec->reason : k->name}, spec ? spec->alternative : ""};
  }
  return std::nullopt;
}

}  // namespace

void set_management(RecordDraft& d) {
  const Condition& c = d.c;
  Record& r = d.r;
  r.diagnosis = {c.name, c.icd10, c.synonyms};
  r.differential = c.differential;
  r.red_flags = c.red_flags;
  r.management = c.management;
  std::vector<std::string> first_line;
  for (const auto& treatment : c.management.first_line) {
    auto out = ruled_out(d, treatment);
    if (!out) {
      first_line.push_back(treatment);
      continue;
    }
    r.management.contraindicated.push_back(out->contraindication);
    const std::string& alt = out->alternative;
    if (!alt.empty() && !contains(first_line, alt) && !contains(c.management.first_line, alt)) first_line.push_back(alt);
  }
  r.management.first_line = first_line;
}

void set_must_ask(RecordDraft& d) {
  // The condition's must-ask topics this patient can answer.
  for (const auto& t : d.c.must_ask) {
    if (t == "obstetric" && !d.reproductive) continue;
    if (core::starts_with(t, "social:")) {
      bool have = false;
      for (const auto& f : d.r.facts) have = have || f.topics[0] == t;
      if (!have) continue;
    }
    d.r.must_ask.push_back(t);
  }
}

}  // namespace clinrl::records::synth
