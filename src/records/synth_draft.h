#pragma once
// A synthetic record while it is drawn, private to src/records. The sections
// are drawn in a fixed order from one stream (synthesise_record in synth.cpp),
// so their order is part of the output: reordering them changes every record.
//   synth_history.cpp       presenting complaint, past history, allergies, social and family history, ROS
//   synth_measurements.cpp  vital signs, examination, tests
//   synth_management.cpp    diagnosis, management with this patient's contraindications, must-ask topics
//   synth_split.cpp         train/val/test split and file names
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "clinrl/core/rng.h"
#include "clinrl/records/knowledge_base.h"
#include "clinrl/records/record.h"
#include "clinrl/records/synth.h"

namespace clinrl::records::synth {

// "shortness of breath" -> "shortness_of_breath" (a fact-id component).
std::string fact_key(const std::string& name);

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

template <class T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[rng.below(v.size())];
}

struct RecordDraft {
  RecordDraft(const KnowledgeBase& knowledge, const Condition& condition, Rng& stream) : kb(knowledge), c(condition), rng(stream) {}

  const KnowledgeBase& kb;
  const Condition& c;
  Rng& rng;
  Record r;
  int age = 0;
  bool child = false;         // under 12: a parent answers, child social pools
  bool reproductive = false;  // female, 12 to 55: an obstetric history
  std::set<std::string> positive, negative;          // symptom names present / denied
  std::vector<const ComorbiditySpec*> comorbid;      // past history the knowledge base knows
  std::vector<const AllergySpec*> allergies;
  std::map<const AllergySpec*, const Phrase*> reaction;  // the reaction drawn for each allergy

  void add(Fact f) { r.facts.push_back(std::move(f)); }
  // A pertinent negative for a symptom not already present or denied.
  void denial(const std::string& name);
};

// ---- the sections, in the order they are drawn
void draw_demographics(RecordDraft& d);
void draw_presenting_complaint(RecordDraft& d);  // chief complaint, HPI, associated symptoms, denials
void draw_past_history(RecordDraft& d);          // comorbidities and their medications
void draw_allergies(RecordDraft& d, const SynthOptions& options);
void draw_social_history(RecordDraft& d);
void draw_obstetric_history(RecordDraft& d);
void draw_family_history(RecordDraft& d);
void summarise_review_of_systems(RecordDraft& d);  // draws nothing
void draw_vital_signs(RecordDraft& d);             // synth_measurements.cpp from here
void draw_examination(RecordDraft& d);
void draw_tests(RecordDraft& d);
void set_management(RecordDraft& d);  // synth_management.cpp; draws nothing
void set_must_ask(RecordDraft& d);

}  // namespace clinrl::records::synth
