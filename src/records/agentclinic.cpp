// The AgentClinic importer: reads and checks a case's OSCE JSON, maps each
// section to facts (agentclinic_history.cpp, agentclinic_measurements.cpp)
// and finishes the record (diagnosis, tests, must-ask topics).
#include "clinrl/records/agentclinic.h"

#include <algorithm>
#include <regex>
#include <set>

#include "agentclinic_parts.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/json_lines.h"
#include "clinrl/records/record_io.h"
#include "clinrl/records/topics.h"

namespace clinrl::records {

using core::Json;

namespace agentclinic {

std::string OsceCase::patient_text(const char* key) const {
  auto it = patient->find(key);
  if (it == patient->end()) return "";
  return it->is_string() ? it->get<std::string>() : "";
}

OsceCase read_osce(const Json& value, std::vector<std::string>& warnings) {
  if (!value.is_object()) throw UserError("expected a JSON object");
  auto osce = value.find("OSCE_Examination");
  if (osce == value.end() || !osce->is_object()) throw UserError("missing object 'OSCE_Examination'");
  for (auto it = value.begin(); it != value.end(); ++it)
    if (it.key() != "OSCE_Examination") warnings.push_back(core::format("top-level key '{}' ignored", it.key()));
  auto dx = osce->find("Correct_Diagnosis");
  if (dx == osce->end() || !dx->is_string() || core::trim(dx->get<std::string>()).empty())
    throw UserError("missing or empty 'OSCE_Examination.Correct_Diagnosis'");
  auto patient = osce->find("Patient_Actor");
  if (patient == osce->end() || !patient->is_object()) throw UserError("missing object 'OSCE_Examination.Patient_Actor'");
  return {&*osce, &*patient, core::trim(dx->get<std::string>())};
}

void CaseBuilder::add(Fact fact) {
  std::string base = fact.id;
  for (int k = 2; !used_ids.insert(fact.id).second; ++k) fact.id = base + "." + std::to_string(k);
  std::vector<std::string> ok;
  for (auto& t : fact.topics)
    if (is_valid_topic(t) && std::find(ok.begin(), ok.end(), t) == ok.end()) ok.push_back(t);
    else if (!is_valid_topic(t)) warnings.push_back(core::format("{}: topic '{}' dropped ({})", fact.id, t, topic_problem(t)));
  if (ok.empty()) {
    warnings.push_back(core::format("{}: no usable topic; fact kept under 'context'", fact.id));
    const std::string& c = fact.category;
    ok.push_back(c == "exam" ? "exam:general" : c == "test" ? "test:other" : c == "vital_sign" ? "vital:other" : "context");
  }
  fact.topics = std::move(ok);
  record.facts.push_back(std::move(fact));
}

void CaseBuilder::each_text(const Json& v, const std::function<void(const std::string& key, const std::string& text)>& fn,
                            const char* what) {
  if (v.is_string()) {
    fn("", v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& x : v) fn("", leaf_text(x));
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) fn(it.key(), leaf_text(it.value()));
  } else if (!v.is_null()) {
    warnings.push_back(core::format("{} has unexpected type; kept as text", what));
    fn("", leaf_text(v));
  }
}

}  // namespace agentclinic

namespace {

// "Name (ABBR)" gives the abbreviation as a synonym.
Diagnosis diagnosis_of(const std::string& text) {
  static const std::regex paren(R"(^(.*?)\s*\(([^)]+)\)\s*$)");
  Diagnosis d;
  std::smatch pm;
  if (std::regex_match(text, pm, paren)) {
    d.name = core::trim(pm[1].str());
    d.synonyms.push_back(core::trim(pm[2].str()));
  } else {
    d.name = text;
  }
  return d;
}

// Every history topic this case can answer (measurements, ROS, context and denied symptoms are not asked for).
std::vector<std::string> must_ask_of(const std::vector<Fact>& facts) {
  std::vector<std::string> out;
  for (const auto& f : facts) {
    if (!measurement_prefix(f.category).empty() || f.category == "ros") continue;
    for (const auto& t : f.topics)
      if (std::find(out.begin(), out.end(), t) == out.end() && t != "context" && !(f.negative && core::starts_with(t, "symptom:")))
        out.push_back(t);
  }
  return out;
}

}  // namespace

Record convert_agentclinic_case(const Json& value, const std::string& id, std::vector<std::string>& warnings) {
  using namespace agentclinic;
  const OsceCase c = read_osce(value, warnings);
  Record r;
  r.id = id;
  r.source = "agentclinic";
  CaseBuilder b{r, warnings, {}};
  map_demographics(c, b);
  map_symptoms(c, b);  // the primary symptom is the chief complaint
  map_present_illness(c, b);
  map_past_history(c, b);
  map_medications(c, b);
  map_allergies_and_family(c, b);
  map_social_history(c, b);
  map_review_of_systems(c, b);
  map_unknown_keys(c, b);
  map_examination(c, b);
  std::vector<std::string> tests = map_test_results(c, b);
  r.diagnosis = diagnosis_of(c.diagnosis);
  r.management.tests = std::move(tests);
  r.must_ask = must_ask_of(r.facts);
  return r;
}

ImportResult import_agentclinic(const std::filesystem::path& path) {
  ImportResult result;
  read_json_lines(
      path, {},
      [&](size_t line, Json&& value) {
        std::string id = core::format("agentclinic-{}", line);
        std::vector<std::string> warnings;
        try {
          Record r = convert_agentclinic_case(value, id, warnings);
          for (const auto& p : validate_record(r)) warnings.push_back(core::format("{}: {}", p.field_path, p.message));
          if (!warnings.empty()) ++result.cases_with_warnings;
          for (auto& w : warnings) result.warnings.push_back({line, id, std::move(w)});
          result.records.push_back(std::move(r));
        } catch (const UserError& e) {
          result.rejections.push_back({line, id, e.what()});
        }
      },
      [&](size_t line, const std::string& message) { result.rejections.push_back({line, "", message}); });
  return result;
}

}  // namespace clinrl::records
