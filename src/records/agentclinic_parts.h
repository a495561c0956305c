#pragma once
// The AgentClinic importer's pieces, private to src/records (the public entry
// points and the helpers tests use are in clinrl/records/agentclinic.h):
//   agentclinic.cpp               reading and checking the OSCE JSON, the case from its sections, the import
//   agentclinic_text.cpp          word matching and cleaning of free text
//   agentclinic_topics.cpp        topic keys and sensitivity a clause's wording implies
//   agentclinic_demographics.cpp  age band and sex
//   agentclinic_names.cpp         exam systems, vital sign and test names
//   agentclinic_history.cpp       history sections -> facts
//   agentclinic_measurements.cpp  examination and test results -> facts
#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/records/agentclinic.h"
#include "clinrl/records/record.h"

namespace clinrl::records::agentclinic {

// ---- free text (agentclinic_text.cpp)
// `word` at a word start in lower-case text: "smok" matches "smoker" and "non-smoker", not "nonsmoking".
bool has_word(const std::string& lower, const char* word);
bool any_word(const std::string& lower, std::initializer_list<const char*> words);
// A subject name: parenthetical remarks, quotes and outer punctuation removed.
std::string clean_name(const std::string& text);
// A fact-id component: name_key with every non-alphanumeric character as '_'.
std::string id_part(const std::string& s);
// A JSON leaf as text; an object of leaves as "Key: value; Key: value".
std::string leaf_text(const core::Json& v);
// "not provided", "N/A", "none", ...: text that states nothing about the patient.
bool uninformative(const std::string& s);
// Text that reads as an absence ("No ...", "None", "Denies ...", "... unremarkable").
bool negative_text(const std::string& s);

// ---- topics (agentclinic_topics.cpp)
// Social-history topics ("social:tobacco", ...) a clause is about.
std::vector<std::string> social_topics_of(const std::string& text);
// The highest Sensitivity any of the topics carries.
int sensitivity_of(const std::vector<std::string>& topics);

// ---- names (agentclinic_names.cpp)
std::string exam_system(const std::string& key);  // "Cardiac_Examination" -> "cardiovascular"
std::string vital_name(const std::string& key);   // "Pulse" -> "heart rate"
// Leaf names that say nothing about what was measured ("findings", "result", ...).
const std::set<std::string>& generic_leaves();

// ---- the case under construction
// The OSCE_Examination object of a case line, checked: what every section reads.
struct OsceCase {
  const core::Json* osce = nullptr;     // OSCE_Examination
  const core::Json* patient = nullptr;  // OSCE_Examination.Patient_Actor
  std::string diagnosis;                // OSCE_Examination.Correct_Diagnosis, trimmed
  // Patient_Actor.<key> when it is a string, else "".
  std::string patient_text(const char* key) const;
};
// Throws UserError when the case cannot be used; warns of ignored top-level keys.
OsceCase read_osce(const core::Json& value, std::vector<std::string>& warnings);

// The record being filled and the warnings of this case.
struct CaseBuilder {
  Record& record;
  std::vector<std::string>& warnings;
  std::set<std::string> used_ids;

  // Adds a fact under a unique id ("id", "id.2", ...), keeping only valid
  // topics (each dropped one is a warning) and a fallback topic when none is left.
  void add(Fact fact);
  // Calls fn(key, text) for each item of free text that may be a string, a
  // list or an object of strings; `what` names the section in warnings.
  void each_text(const core::Json& v, const std::function<void(const std::string& key, const std::string& text)>& fn,
                 const char* what);
};

// ---- sections -> facts, in the order convert_agentclinic_case calls them
void map_demographics(const OsceCase& c, CaseBuilder& b);      // agentclinic_demographics.cpp
void map_symptoms(const OsceCase& c, CaseBuilder& b);          // agentclinic_history.cpp from here
void map_present_illness(const OsceCase& c, CaseBuilder& b);
void map_past_history(const OsceCase& c, CaseBuilder& b);
void map_medications(const OsceCase& c, CaseBuilder& b);
void map_allergies_and_family(const OsceCase& c, CaseBuilder& b);
void map_social_history(const OsceCase& c, CaseBuilder& b);
void map_review_of_systems(const OsceCase& c, CaseBuilder& b);
void map_unknown_keys(const OsceCase& c, CaseBuilder& b);
void map_examination(const OsceCase& c, CaseBuilder& b);       // agentclinic_measurements.cpp
// Returns the tests in first-seen order (the record's management.tests).
std::vector<std::string> map_test_results(const OsceCase& c, CaseBuilder& b);

}  // namespace clinrl::records::agentclinic
