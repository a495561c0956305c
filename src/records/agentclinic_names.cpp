// Names in AgentClinic cases: examination systems, vital signs, and the test
// a Test_Results leaf path names.
#include <algorithm>
#include <cctype>
#include <set>

#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"

namespace clinrl::records {
namespace agentclinic {

// Why these two tables stay in code, apart from the simulator's data/sim/measurements.json:
// they decide the names imported records store (AgentClinic keys -> our system and vital
// names), while the simulator's table maps what a doctor requests; the simulator puts
// both the record's names and the request through its own table, so the two need not
// agree, and moving these into that file would change every imported record.
std::string exam_system(const std::string& key) {
  std::string k = name_key(key);
  for (const char* suffix : {" examination", " exam", " system", " findings"})
    if (core::ends_with(k, suffix)) k = k.substr(0, k.size() - std::char_traits<char>::length(suffix));
  static const std::vector<std::pair<const char*, const char*>> alias = {
      {"neurologic", "neurological"},   {"dermatological", "skin"}, {"dermatologic", "skin"},   {"cardiac", "cardiovascular"},
      {"pulmonary", "respiratory"},     {"lung", "respiratory"},    {"chest", "respiratory"},   {"general appearance", "general"},
      {"appearance", "general"},        {"ophthalmic", "eyes"},     {"ophthalmologic", "eyes"}, {"eye", "eyes"},
      {"ophthalmoscopy", "eyes"},       {"mental status", "mental state"}, {"", "general"},     {"remainder of the", "general"}};
  for (const auto& [from, to] : alias)
    if (k == from) return to;
  return k;
}

std::string vital_name(const std::string& key) {
  std::string k = name_key(key);
  if (k.find("blood pressure") != std::string::npos) return "blood pressure";
  if (k == "pulse" || k == "heart rate") return "heart rate";
  if (k == "respirations" || k == "respiratory rate") return "respiratory rate";
  if (k == "temperature") return "temperature";
  if (k == "oxygen saturation" || k == "so2" || k == "spo2") return "oxygen saturation";
  return k;
}

const std::set<std::string>& generic_leaves() {
  static const std::set<std::string> s = {"findings", "finding", "result", "results", "level", "interpretation", "comments",
                                          "preliminary findings", "optional", "analysis", "others", "other", "suggestion",
                                          "random", "scores", "histopathology findings", "microscopic description"};
  return s;
}

}  // namespace agentclinic

namespace {

// Path components that group tests without naming one ("blood tests", "imaging", ...).
const std::set<std::string>& generic_containers() {
  static const std::set<std::string> s = {
      "blood tests", "blood test", "blood work", "laboratory studies", "laboratory tests", "lab results", "lab work",
      "basic laboratory tests", "imaging", "imaging studies", "imaging results", "imaging and other tests", "additional tests",
      "other tests", "serum chemistry", "serum chemistries", "serum studies", "serum biochemistry", "chemistry panel",
      "metabolic panel", "serum laboratory analysis", "serum laboratory values", "blood chemistry", "hematologic", "hematology",
      "screening tests", "assessment tools", "special test", "infectious disease testing", "radiographs", "x rays",
      "coagulation test results", "results", "test results", "laboratory", "labs"};
  return s;
}

// The specimen a panel's analytes are named with ("urinalysis" -> "urine"), or "".
std::string panel_prefix(const std::string& component) {
  if (component == "urinalysis" || component == "urine analysis" || component == "urine tests") return "urine";
  if (component == "stool test" || component == "routine stool examination") return "stool";
  if (component == "lumbar puncture") return "csf";
  if (core::starts_with(component, "arthrocentesis") || core::starts_with(component, "joint aspiration")) return "synovial fluid";
  return "";
}

}  // namespace

TestName test_name_for_path(const std::vector<std::string>& path) {
  using agentclinic::clean_name;
  std::vector<std::string> keys;
  for (const auto& k : path) keys.push_back(name_key(k));
  std::vector<size_t> specific;  // indices of non-generic components
  for (size_t i = 0; i < keys.size(); ++i) {
    bool last = i + 1 == keys.size();
    bool numeric = !keys[i].empty() && std::all_of(keys[i].begin(), keys[i].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (numeric || generic_containers().count(keys[i]) || (last && i > 0 && agentclinic::generic_leaves().count(keys[i]))) continue;
    specific.push_back(i);
  }
  TestName out;
  if (specific.empty()) {  // only generic names: use the outermost
    out.name = normalise_test_name(clean_name(path.front()));
    out.topics = {out.name};
    return out;
  }
  std::string prefix;
  for (size_t i : specific) {
    std::string raw = clean_name(keys[i]);
    std::string p = panel_prefix(keys[i]);
    if (!p.empty()) prefix = p;
    // An analyte of a urine, stool, CSF or synovial panel is named with the panel ("urine glucose").
    if (!prefix.empty() && p.empty() && !core::starts_with(raw, prefix)) raw = prefix + " " + raw;
    std::string name = normalise_test_name(raw);
    if (!name.empty() && std::find(out.topics.begin(), out.topics.end(), name) == out.topics.end()) out.topics.insert(out.topics.begin(), name);
  }
  out.name = out.topics.front();
  return out;
}

}  // namespace clinrl::records
