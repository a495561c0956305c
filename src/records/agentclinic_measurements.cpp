// Measurement sections of an AgentClinic case as facts: vital signs and
// examination findings (Physical_Examination_Findings), test results
// (Test_Results), one fact per leaf of their nested objects.
#include <algorithm>

#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/fact_builder.h"

namespace clinrl::records::agentclinic {

using core::Json;

namespace {

// "exam.cardiac_examination.heart_sounds" from the leaf's path.
std::string path_id(const char* prefix, const std::vector<std::string>& path) {
  std::string id = prefix;
  for (const auto& p : path) id += "." + id_part(p);
  return id;
}

// Calls leaf(value, path) for every leaf under v (objects by key, arrays by index);
// `what` names the section in warnings about empty entries.
void walk_leaves(const Json& v, const std::vector<std::string>& path, const char* what, CaseBuilder& b,
                 const std::function<void(const Json&, const std::vector<std::string>&)>& leaf) {
  if (!v.is_object() && !v.is_array()) {
    leaf(v, path);
    return;
  }
  if (v.empty()) b.warnings.push_back(core::format("empty {} entry '{}'", what, core::join(path, ".")));
  size_t i = 0;
  for (auto it = v.begin(); it != v.end(); ++it, ++i) {
    auto p = path;
    p.push_back(v.is_object() ? it.key() : std::to_string(i));
    walk_leaves(*it, p, what, b, leaf);
  }
}

void map_vital_signs(const Json& vitals, CaseBuilder& b) {
  for (auto v = vitals.begin(); v != vitals.end(); ++v) {
    std::string name = vital_name(v.key());
    std::string val = leaf_text(v.value());
    if (val.empty()) {
      b.warnings.push_back(core::format("vital sign '{}' is empty; skipped", v.key()));
      continue;
    }
    if (!v->is_string())
      b.warnings.push_back(core::format("vital sign '{}' is {} not text; kept as '{}'", v.key(), v->is_boolean() ? "a boolean" : "not a string", val));
    b.add(FactBuilder("vital." + id_part(name), "vital_sign", {"vital:" + name}).clinical(name + ": " + val).subject(name).value(val));
  }
}

// One body system's findings (an entry of Physical_Examination_Findings).
void map_exam_system(const Json& findings, const std::string& key, CaseBuilder& b) {
  std::string system = exam_system(key);
  walk_leaves(findings, {key}, "examination", b, [&](const Json& v, const std::vector<std::string>& path) {
    std::string val = leaf_text(v);
    if (val.empty()) {
      b.warnings.push_back(core::format("examination leaf '{}' is empty; skipped", core::join(path, ".")));
      return;
    }
    std::vector<std::string> topics = {"exam:" + system};
    std::string leaf = clean_name(path.back());
    if (path.size() > 1 && !generic_leaves().count(leaf) && leaf != system) topics.push_back("exam:" + leaf);
    b.add(FactBuilder(path_id("exam", path), "exam", std::move(topics))
              .clinical(core::join(path, " / ") + ": " + val)
              .subject(system)
              .value(val));
  });
}

}  // namespace

void map_examination(const OsceCase& c, CaseBuilder& b) {
  auto pe = c.osce->find("Physical_Examination_Findings");
  if (pe == c.osce->end() || !pe->is_object()) {
    b.warnings.push_back("Physical_Examination_Findings missing or not an object");
    return;
  }
  for (auto it = pe->begin(); it != pe->end(); ++it) {
    if (it.key() == "Vital_Signs" && it->is_object()) map_vital_signs(it.value(), b);
    else map_exam_system(it.value(), it.key(), b);
  }
}

std::vector<std::string> map_test_results(const OsceCase& c, CaseBuilder& b) {
  // Every leaf, under its normalised name and its panel's.
  std::vector<std::string> ordered_tests;
  auto leaf = [&](const Json& v, const std::vector<std::string>& path) {
    std::string val = leaf_text(v);
    if (val.empty()) {
      b.warnings.push_back(core::format("test leaf '{}' is empty; skipped", core::join(path, ".")));
      return;
    }
    TestName tn = test_name_for_path(path);
    std::vector<std::string> topics;
    for (const auto& t : tn.topics) topics.push_back("test:" + t);
    b.add(FactBuilder(path_id("test", path), "test", std::move(topics))
              .clinical(core::join(path, " / ") + ": " + val)
              .subject(tn.name)
              .value(val));
    if (std::find(ordered_tests.begin(), ordered_tests.end(), tn.topics.back()) == ordered_tests.end()) ordered_tests.push_back(tn.topics.back());
  };
  auto tr = c.osce->find("Test_Results");
  if (tr != c.osce->end() && (tr->is_object() || tr->is_array())) {
    size_t i = 0;
    for (auto it = tr->begin(); it != tr->end(); ++it, ++i)
      walk_leaves(it.value(), {tr->is_object() ? it.key() : std::to_string(i)}, "test", b, leaf);
  } else if (tr != c.osce->end() && tr->is_string()) {
    const std::string text = tr->get<std::string>();
    b.add(FactBuilder("test.results", "test", {"test:results"}).clinical(text).subject("results").value(text));
  } else {
    b.warnings.push_back("Test_Results missing");
  }
  return ordered_tests;
}

}  // namespace clinrl::records::agentclinic
