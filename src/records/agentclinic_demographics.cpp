// Age band and sex of an AgentClinic case, from Demographics and the history's pronouns.
#include <regex>

#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"

namespace clinrl::records {
namespace {

std::string sex_from(const std::string& lower) {
  if (agentclinic::any_word(lower, {"female", "woman", "girl", "gravida", "nulliparous", "primigravida", "lady", "mother"})) return "female";
  if (agentclinic::any_word(lower, {"male", "man", "boy", "gentleman"})) return "male";
  return "";
}

// "female", "male" or "" by which pronouns the history uses more.
std::string sex_from_pronouns(const std::string& history) {
  std::string h = " " + core::to_lower(history) + " ";
  int she = 0, he = 0;
  for (const char* w : {" she ", " her ", " hers ", " she's "})
    for (size_t pos = h.find(w); pos != std::string::npos; pos = h.find(w, pos + 1)) ++she;
  for (const char* w : {" he ", " his ", " him ", " he's "})
    for (size_t pos = h.find(w); pos != std::string::npos; pos = h.find(w, pos + 1)) ++he;
  if (she > he) return "female";
  if (he > she) return "male";
  return "";
}

}  // namespace

ParsedDemographics parse_demographics(const std::string& text, const std::string& history) {
  ParsedDemographics p;
  std::string l = core::to_lower(text);
  static const std::regex age_re(R"((\d+)[\s-]*(year|month|week|day)s?[\s-]*old)");
  std::smatch m;
  if (std::regex_search(l, m, age_re)) {
    int n = std::stoi(m[1].str());
    std::string unit = m[2].str();
    int years = unit == "year" ? n : unit == "month" ? n / 12 : 0;
    p.age_found = true;
    if (years > 89) {
      p.demographics.age_band = "90+";
    } else {
      p.demographics.age_years = years;
      p.demographics.age_band = years < 1 ? "infant" : years < 12 ? "child" : years < 18 ? "adolescent" : years < 65 ? "adult" : "older adult";
    }
  } else if (l.find("newborn") != std::string::npos || l.find("neonate") != std::string::npos || l.find("infant") != std::string::npos) {
    p.age_found = true;
    p.demographics.age_years = 0;
    p.demographics.age_band = "infant";
  }
  std::string sex = sex_from(l);
  if (sex.empty()) sex = sex_from_pronouns(history);
  p.sex_found = !sex.empty();
  p.demographics.sex = sex.empty() ? "unknown" : sex;
  return p;
}

void agentclinic::map_demographics(const OsceCase& c, CaseBuilder& b) {
  std::string text = c.patient_text("Demographics");
  auto demo = parse_demographics(text, c.patient_text("History"));
  b.record.demographics = demo.demographics;
  if (!demo.age_found) {
    b.warnings.push_back(core::format("age not found in Demographics '{}'; age band set to 'adult'", text));
    b.record.demographics.age_band = "adult";
  }
  if (!demo.sex_found) b.warnings.push_back(core::format("sex not found in Demographics '{}' or the history; set to 'unknown'", text));
}

}  // namespace clinrl::records
