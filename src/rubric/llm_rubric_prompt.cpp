// The LLM rubric generator's prompt and reply parsing (llm_rubric_generator.h).
#include <string>

#include "clinrl/core/json_depth.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/llm_rubric_generator.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

namespace {

std::string patient_line(const records::Demographics& d) {
  std::string age = d.age_years ? format("{}-year-old", *d.age_years) : d.age_band;
  std::string sex = d.sex.empty() || d.sex == "unknown" ? "" : d.sex;
  std::string who = core::trim(age + " " + sex);
  return who.empty() ? "unknown" : who;
}

std::string fact_line(const records::Fact& f) {
  std::string text = f.clinical.empty() ? f.lay : f.clinical;
  std::string line = format("- {}{}: {}", f.category, f.negative ? " (absent)" : "", text);
  if (!f.value.empty() && text.find(f.value) == std::string::npos) line += " = " + f.value;
  return line + "\n";
}

// "label: a; b; c\n", or nothing for an empty list.
std::string list_line(const std::string& label, const std::vector<std::string>& items) {
  return items.empty() ? "" : format("{}: {}\n", label, core::join(items, "; "));
}

std::string case_text(const records::Record& r) {
  std::string out = format("Patient: {}\n", patient_line(r.demographics));
  if (!r.specialty.empty()) out += format("Specialty: {}\n", r.specialty);
  out += format("Urgency: {}\n", r.urgency);
  if (!r.chief_complaint.empty()) out += format("Chief complaint: {}\n", r.chief_complaint);
  if (!r.facts.empty()) {
    out += "Facts (what the patient can tell or a measurement can show):\n";
    for (const auto& f : r.facts) out += fact_line(f);
  }
  out += format("Diagnosis: {}", r.diagnosis.name);
  if (!r.diagnosis.synonyms.empty()) out += format(" (also called: {})", core::join(r.diagnosis.synonyms, "; "));
  out += "\n";
  out += list_line("Differential diagnosis", r.differential);
  out += list_line("Red-flag symptoms to screen for", r.red_flags);
  std::vector<std::string> topics;
  for (const auto& t : r.must_ask) topics.push_back(topic_description(t));
  out += list_line("A competent history covers", topics);
  const auto& m = r.management;
  std::string plan = list_line("- first-line treatment", m.first_line) + list_line("- tests", m.tests);
  if (!m.referral.empty()) plan += format("- referral: {}\n", m.referral);
  if (!m.disposition.empty()) plan += format("- disposition: {}\n", m.disposition);
  plan += list_line("- safety-netting advice", m.safety_netting);
  std::vector<std::string> avoid;
  for (const auto& c : m.contraindicated)
    avoid.push_back(c.reason.empty() ? c.treatment : format("{} ({})", c.treatment, c.reason));
  plan += list_line("- contraindicated for this patient", avoid);
  if (!plan.empty()) out += "Management:\n" + plan;
  return out;
}

const char* kSystem =
    "You write grading rubrics for medical consultations in the style of HealthBench: each rubric item is one "
    "checkable statement about what the doctor does, with points.";

// Strips a leading ```json / ``` and a trailing ``` fence, as the judge does.
std::string strip_fence(std::string text) {
  text = core::trim(text);
  if (core::starts_with(text, "```json")) text = core::trim(text.substr(7));
  else if (core::starts_with(text, "```")) text = core::trim(text.substr(3));
  if (core::ends_with(text, "```")) text = core::trim(text.substr(0, text.size() - 3));
  return text;
}

std::optional<Json> items_of(const Json& j) {
  if (j.is_array()) return j;
  if (j.is_object()) {
    auto it = j.find("items");
    if (it != j.end() && it->is_array()) return *it;
  }
  return std::nullopt;
}

// Whether `text` is JSON at all, and if so its proposals.
struct Parsed {
  bool json = false;
  std::optional<Json> items;
};

Parsed parse_items(const std::string& text) {
  if (core::json_nesting_depth(text) > core::kMaxJsonDepth) return {};  // copies would recurse that deep
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return {};
  return {true, items_of(j)};
}

}  // namespace

core::Conversation llm_rubric_prompt(const records::Record& record, const LlmRubricOptions& options) {
  std::string user =
      "Propose rubric items for grading a doctor's whole consultation with the patient below: history taking, "
      "diagnosis, plan and communication. The doctor only talks with the patient; the case notes are for you.\n\n"
      "## Case\n" +
      case_text(record) +
      "\n## Items\n"
      "- Each item is one observable behaviour of the doctor, worded as a criterion (\"Asks about ...\", "
      "\"Recommends ...\", \"Explains ...\") and specific to this case: use its facts, diagnosis and management.\n"
      "- points: an integer from -10 to 10, never 0, weighed by clinical importance (10: essential, such as the "
      "correct diagnosis). Negative points describe a mistake to penalise, worded as the mistake (\"Recommends "
      "amoxicillin despite the penicillin allergy.\").\n"
      "- dimension: one of " + core::join(dimensions(), ", ") + ".\n"
      "- axis: one of " + core::join(axes(), ", ") + ".\n" +
      format("- At most {} items, no two alike.\n", options.max_items) +
      "\n## Answer format\n"
      "Reply with a single JSON object and nothing else:\n"
      "{\"items\": [{\"criterion\": \"<text>\", \"points\": <integer>, \"dimension\": \"<dimension>\", "
      "\"axis\": \"<axis>\"}]}\n";
  return {{"system", kSystem}, {"user", user}};
}

std::optional<Json> parse_rubric_reply(const std::string& reply) {
  std::string text = strip_fence(reply);
  Parsed whole = parse_items(text);
  if (whole.json) return whole.items;
  // Text around the JSON ("Here are the items: {...}"): the outermost braces,
  // else the outermost brackets. The first part that is JSON decides.
  for (auto [open, close] : {std::pair{'{', '}'}, std::pair{'[', ']'}}) {
    size_t a = text.find(open), b = text.rfind(close);
    if (a == std::string::npos || b == std::string::npos || a > b) continue;
    Parsed part = parse_items(text.substr(a, b - a + 1));
    if (part.json) return part.items;
  }
  return std::nullopt;
}

}  // namespace clinrl::rubric
