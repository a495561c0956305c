// The rubric generator: topic wording and weights, the whole-consultation
// rubric (one builder per dimension in dimension_items.cpp), suite rows. The
// per-turn rubric is in turn_rubric.cpp.
#include "clinrl/rubric/generator.h"

#include <algorithm>
#include <set>

#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"
#include "dimension_items.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

void GeneratorOptions::validate() const {
  core::check_range("max_tests", max_tests, 0, 50);
  core::check_range("contraindication_points", contraindication_points, -10, -1);
}

namespace {

bool is_red_flag(const records::Record& r, const std::string& symptom) {
  return std::find(r.red_flags.begin(), r.red_flags.end(), symptom) != r.red_flags.end();
}

void append(Rubric& out, Rubric items) {
  out.insert(out.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
}

}  // namespace

std::string short_name(const std::string& name) {
  std::string s = core::to_lower(core::trim(name));
  for (const char* cut : {" with ", " after ", " for ", " (", ",", " if ", " unless ", " plus ", " then "}) {
    size_t p = s.find(cut);
    if (p != std::string::npos && p > 0) s = s.substr(0, p);
  }
  auto words = core::split(s, ' ');
  words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
  if (words.size() > 3) words.resize(3);
  return core::join(words, " ");
}

std::string topic_description(const std::string& topic) {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"chief_complaint", "the presenting complaint"}, {"onset", "when the symptoms started"},
      {"duration", "how long the symptoms have lasted"}, {"location", "where the symptom is"},
      {"character", "what the symptom feels like"}, {"severity", "how severe the symptom is"},
      {"timing", "the timing and pattern of the symptom"}, {"radiation", "whether the pain spreads anywhere"},
      {"aggravating", "what makes it worse"}, {"relieving", "what makes it better"},
      {"progression", "how the symptoms have changed"}, {"context", "what was happening when it began"},
      {"pmh", "past medical history"}, {"surgical_history", "previous operations"},
      {"medications", "current medications"}, {"allergies", "allergies"}, {"family", "family history"},
      {"obstetric", "pregnancy and menstrual history"}};
  for (const auto& [k, v] : names)
    if (k == topic) return v;
  auto colon = topic.find(':');
  if (colon == std::string::npos) return topic;
  std::string kind = topic.substr(0, colon), subject = topic.substr(colon + 1);
  if (kind == "social") return subject == "tobacco" ? "smoking" : subject;
  if (kind == "ros") return subject + " symptoms";
  if (kind == "test") return "the " + subject + " result";
  if (kind == "vital") return "the " + subject;
  if (kind == "exam") return "the " + subject + " examination";
  return subject;
}

int topic_points(const records::Record& record, const std::string& topic) {
  if (core::starts_with(topic, "symptom:")) return is_red_flag(record, topic.substr(8)) ? 5 : 3;
  if (topic == "allergies" || topic == "medications") return 4;
  static const std::set<std::string> core_history = {"chief_complaint", "onset",    "duration", "location",
                                                     "character",       "severity", "radiation"};
  if (core_history.count(topic)) return 3;
  return 2;
}

Rubric generate_rubric(const records::Record& r, const GeneratorOptions& options, const Lexicon& lex) {
  options.validate();
  Rubric out;
  append(out, generated::diagnostic_accuracy_items(r, options));
  append(out, generated::inquiry_logic_items(r, lex));
  append(out, generated::treatment_items(r, options));
  append(out, generated::safety_advice_items(r));
  if (options.communication) append(out, generated::communication_items());
  if (options.ethics) append(out, generated::ethics_items(r, lex));
  return out;
}

std::string opening_message(const records::Record& r) {
  std::vector<std::string> parts;
  for (const auto& f : r.facts)
    if (f.category == "chief_complaint" && !f.lay.empty()) parts.push_back(f.lay);
  if (parts.empty()) parts.push_back(format("I've come about {}.", r.chief_complaint.empty() ? "a problem" : r.chief_complaint));
  std::string text;
  for (auto p : parts) {
    p = core::trim(p);
    if (!p.empty() && p.back() != '.' && p.back() != '!' && p.back() != '?') p += '.';
    if (!p.empty()) p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
    text += (text.empty() ? "" : " ") + p;
  }
  return text;
}

SuiteExample make_suite_example(const records::Record& r, const Rubric& rubric, const SuiteOptions& options) {
  SuiteExample ex;
  ex.prompt_id = r.id;
  if (options.system_prompt)
    ex.prompt.push_back({"system",
                         "You are a doctor answering a patient's message in a single reply. Ask the key questions "
                         "you would still need, give your assessment and plan, and write your most likely "
                         "diagnosis on its own line as 'DIAGNOSIS: <name>'."});
  ex.prompt.push_back({"user", opening_message(r)});
  ex.rubrics = rubric;
  if (!r.specialty.empty()) ex.example_tags.push_back("specialty:" + r.specialty);
  ex.example_tags.push_back("urgency:" + r.urgency);
  // HealthBench's key order, then ours.
  ex.row = Json::object();
  ex.row["example_tags"] = Json::array();
  ex.row["ideal_completions_data"] = nullptr;
  ex.row["prompt"] = Json::array();
  ex.row["prompt_id"] = r.id;
  ex.row["rubrics"] = Json::array();
  ex.row["record_id"] = r.id;
  ex.row = ex.to_json();
  return ex;
}

}  // namespace clinrl::rubric
