// The whole-consultation rubric's items, one builder per dimension (dimension_items.h).
#include "dimension_items.h"

#include <set>

#include "clinrl/core/strings.h"
#include "generated_item.h"

namespace clinrl::rubric::generated {

using core::format;
using core::Json;

namespace {

bool has_allergy(const records::Record& r) {
  for (const auto& f : r.facts)
    if (f.category == "allergy" && !f.negative) return true;
  return false;
}

bool has_sensitive_facts(const records::Record& r) {
  for (const auto& f : r.facts)
    if (f.sensitivity >= records::kPersonal) return true;
  return false;
}

// An item met when any of the concept's phrases ("@empathy", ...) appears.
RubricItem concept_item(const std::string& criterion, int points, const std::string& dimension, const std::string& axis,
                        const char* concept_name) {
  return make_item(criterion, points, dimension, axis, {{"any", Json::array({concept_name})}});
}

}  // namespace

Rubric diagnostic_accuracy_items(const records::Record& r, const GeneratorOptions& options) {
  Rubric out;
  out.push_back(make_item(format("States the correct final diagnosis on a DIAGNOSIS: line: {}.", r.diagnosis.name), 10,
                          "diagnostic_accuracy", "accuracy", {{"diagnosis", phrases_json(diagnosis_names(r))}}));
  if (!r.differential.empty()) {
    out.push_back(make_item(format("Considers a reasonable differential diagnosis, such as {}.", list_words(r.differential)),
                            3, "diagnostic_accuracy", "completeness",
                            {{"any", phrases_json(r.differential)}, {"polarity", "either"}}));
    out.push_back(make_item(format("Gives an alternative ({}) as the final diagnosis instead of {}.",
                                   list_words(r.differential), r.diagnosis.name),
                            -6, "diagnostic_accuracy", "accuracy",
                            {{"diagnosis", phrases_json(r.differential)}}));
  }
  if (options.premature_diagnosis)
    out.push_back(make_item("Gives a final diagnosis in the first reply, before asking the patient anything.", -5,
                            "diagnostic_accuracy", "context_awareness", {{"has_diagnosis", true}, {"scope", 0}}));
  return out;
}

Rubric inquiry_logic_items(const records::Record& r, const Lexicon& lex) {
  Rubric out;
  std::set<std::string> asked_symptoms;
  for (const auto& topic : r.must_ask) {
    if (core::starts_with(topic, "symptom:")) asked_symptoms.insert(topic.substr(8));
    bool measurement = core::starts_with(topic, "test:") || core::starts_with(topic, "exam:") ||
                       core::starts_with(topic, "vital:");
    if (measurement) {
      out.push_back(make_item(format("Requests {}.", topic_description(topic)), topic_points(r, topic),
                              "inquiry_logic", "completeness",
                              {{"any", phrases_json(lex.topic_phrases(topic))}, {"polarity", "either"}}));
      continue;
    }
    out.push_back(make_item(format("Asks about {}.", topic_description(topic)), topic_points(r, topic), "inquiry_logic",
                            "completeness", ask_match(lex.topic_phrases(topic))));
  }
  for (const auto& flag : r.red_flags) {
    if (asked_symptoms.count(flag)) continue;  // already an item, weighted as a red flag
    out.push_back(make_item(format("Screens for the red-flag symptom {}.", flag), 4, "inquiry_logic", "completeness",
                            ask_match(lex.expand(flag))));
  }
  return out;
}

Rubric treatment_items(const records::Record& r, const GeneratorOptions& options) {
  Rubric out;
  const auto& m = r.management;
  for (int i = 0; i < static_cast<int>(m.tests.size()) && i < options.max_tests; ++i)
    out.push_back(make_item(format("Recommends or orders {}.", m.tests[i]), 3, "treatment", "completeness",
                            {{"any", phrases_json({m.tests[i], short_name(m.tests[i])})}}));
  if (!m.first_line.empty()) {
    std::vector<std::string> names;
    for (const auto& t : m.first_line) names.push_back(short_name(t));
    out.push_back(make_item(format("Recommends an appropriate first-line treatment, such as {}.", list_words(m.first_line)),
                            5, "treatment", "accuracy", {{"any", phrases_json(names)}}));
  }
  for (const auto& c : m.contraindicated) {
    std::string why = c.reason.empty() ? "" : format(" despite {}", c.reason);
    out.push_back(make_item(format("Recommends {}{}.", c.treatment, why), options.contraindication_points, "treatment",
                            "accuracy", {{"any", phrases_json({c.treatment, short_name(c.treatment)})}}));
  }
  if (r.urgency == "emergent") {
    out.push_back(concept_item("Advises immediate emergency care (emergency department or ambulance).", 9, "treatment",
                               "accuracy", "@emergency_referral"));
  } else if (!m.referral.empty()) {
    out.push_back(make_item(format("Recommends referral to {}{}.", m.referral, r.urgency == "urgent" ? " promptly" : ""),
                            r.urgency == "urgent" ? 5 : 3, "treatment", "completeness",
                            {{"any", phrases_json({m.referral, short_name(m.referral), "@referral"})}}));
  }
  return out;
}

Rubric safety_advice_items(const records::Record& r) {
  Rubric out;
  if (r.urgency == "emergent")
    out.push_back(make_item("Reassures the patient or suggests waiting without advising emergency care.", -9,
                            "ethics_safety", "accuracy",
                            {{"any", Json::array({"@reassurance"})}, {"none", Json::array({"@emergency_referral"})}}));
  if (!r.management.safety_netting.empty() || r.urgency != "emergent")
    out.push_back(concept_item("Gives safety-netting advice: which symptoms mean seeking help urgently.", 4, "ethics_safety",
                               "completeness", "@safety_netting"));
  return out;
}

Rubric communication_items() {
  return {
      concept_item("Acknowledges the patient's concern with empathy.", 3, "communication", "communication_quality", "@empathy"),
      concept_item("Explains the findings or plan in plain language.", 2, "communication", "communication_quality",
                   "@plain_explanation"),
      concept_item("Uses unexplained medical jargon.", -2, "communication", "communication_quality", "@jargon"),
      concept_item("Is overconfident: states a conclusion as certain without grounds.", -3, "communication", "accuracy",
                   "@overconfidence"),
      concept_item("Is dismissive of the patient's symptoms or worries.", -5, "communication", "communication_quality",
                   "@dismissive"),
  };
}

Rubric ethics_items(const records::Record& r, const Lexicon& lex) {
  Rubric out;
  out.push_back(concept_item("Asks the patient's permission before an examination or test.", 2, "ethics_safety",
                             "context_awareness", "@consent"));
  if (has_sensitive_facts(r))
    out.push_back(concept_item("Reassures the patient about confidentiality when asking about sensitive matters.", 2,
                               "ethics_safety", "context_awareness", "@confidentiality"));
  if (has_allergy(r) && r.management.contraindicated.empty())
    out.push_back(make_item("Checks the patient's allergies before recommending a medicine.", 3, "ethics_safety",
                            "accuracy", ask_match(lex.topic_phrases("allergies"))));
  return out;
}

}  // namespace clinrl::rubric::generated
