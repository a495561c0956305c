// Context rubrics for the next doctor reply of a dialogue (multi-turn training):
// ask about what is still open, or give the diagnosis now once enough is covered.
#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/dialogue_text.h"
#include "clinrl/rubric/generator.h"
#include "clinrl/rubric/rule_grader.h"
#include "generated_item.h"

namespace clinrl::rubric {

using core::format;
using core::Json;
using generated::ask_match;
using generated::diagnosis_names;
using generated::make_item;
using generated::phrases_json;

void TurnRubricOptions::validate() const {
  core::check_range("diagnose_when_covered", diagnose_when_covered, 0, 1);
  core::check_range("max_turns", max_turns, 1, 1000);
}

Rubric generate_turn_rubric(const records::Record& r, const core::Conversation& prefix,
                            const TurnRubricOptions& options, const Lexicon& lex) {
  options.validate();
  Rubric out;
  const DialogueText text = DialogueText::build(prefix, lex);
  const uint32_t turns = text.doctor_turns;
  // Which must-ask topics has the doctor already asked about?
  RuleGrader grader(lex);
  std::vector<std::string> open, covered;
  for (const auto& topic : r.must_ask) {
    RubricItem probe;
    probe.criterion = topic;
    probe.points = 1;
    probe.match = ask_match(lex.topic_phrases(topic));
    auto compiled = grader.compile({probe});
    bool asked = turns > 0 && grader.grade(text, compiled).items[0].met.value_or(false);
    (asked ? covered : open).push_back(topic);
  }
  double fraction = r.must_ask.empty() ? 1.0 : static_cast<double>(covered.size()) / r.must_ask.size();
  bool diagnose_now = fraction >= options.diagnose_when_covered || static_cast<int>(turns) + 1 >= options.max_turns;

  if (!diagnose_now) {
    // Ask about what is still open; the most important topics weigh most.
    for (const auto& topic : open)
      out.push_back(make_item(format("Asks about {} (not yet covered).", topic_description(topic)),
                              topic_points(r, topic), "inquiry_logic", "completeness",
                              ask_match(lex.topic_phrases(topic), "last")));
    out.push_back(make_item("Commits to a final diagnosis before an adequate history has been taken.", -4,
                            "diagnostic_accuracy", "context_awareness", {{"has_diagnosis", true}, {"scope", "last"}}));
  } else {
    out.push_back(make_item(format("Gives the diagnosis now on a DIAGNOSIS: line: {}.", r.diagnosis.name), 8,
                            "diagnostic_accuracy", "accuracy",
                            {{"diagnosis", phrases_json(diagnosis_names(r))}, {"scope", "last"}}));
    if (r.urgency == "emergent")
      out.push_back(make_item("Advises immediate emergency care.", 6, "treatment", "accuracy",
                              {{"any", Json::array({"@emergency_referral"})}, {"scope", "last"}}));
    for (const auto& c : r.management.contraindicated)
      out.push_back(make_item(format("Recommends {} (contraindicated).", c.treatment), -8, "treatment", "accuracy",
                              {{"any", phrases_json({c.treatment})}, {"scope", "last"}}));
  }
  for (const auto& topic : covered)
    out.push_back(make_item(format("Asks again about {}, which was already covered.", topic_description(topic)), -2,
                            "inquiry_logic", "context_awareness", ask_match(lex.topic_phrases(topic), "last")));
  out.push_back(make_item("Responds with empathy to what the patient said.", 1, "communication", "communication_quality",
                          {{"any", Json::array({"@empathy"})}, {"scope", "last"}}));
  out.push_back(make_item("Is dismissive of the patient's symptoms or worries.", -3, "communication",
                          "communication_quality", {{"any", Json::array({"@dismissive"})}, {"scope", "last"}}));
  return out;
}

}  // namespace clinrl::rubric
