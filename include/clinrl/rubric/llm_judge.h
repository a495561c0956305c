#pragma once
// The LLM-judge grader, following the HealthBench protocol: for each rubric
// item, a template with <<conversation>> (the turns written "role: content"
// and joined by blank lines) and <<rubric_item>> ("[points] criterion") is
// sent to a LanguageModel, which answers JSON {"explanation", "criteria_met"}
// (a ```json fence is stripped). Unparsable answers, and backend calls that
// throw std::runtime_error (e.g. HTTP failures), are retried up to a cap;
// after that the item is ungraded. All items of one conversation go to the
// backend as one batch.
#include <optional>
#include <string>

#include "clinrl/core/language_model.h"
#include "clinrl/rubric/grader.h"

namespace clinrl::rubric {

struct LlmJudgeOptions {
  std::string template_path;           // "" = the built-in template
  std::string negative_template_path;  // used for items with negative points; "" = same as positive
  bool separate_negative_template = false;  // use the built-in negative template when no path is given
  int max_attempts = 3;                // per item, including the first
  core::ChatOptions chat;

  template <class V>
  void fields(V& v) {
    v("template_path", template_path);
    v("negative_template_path", negative_template_path);
    v("separate_negative_template", separate_negative_template);
    v("max_attempts", max_attempts);
    v("chat", chat);
  }
  void validate() const;
};

// Our default judge instructions (placeholders <<conversation>>, <<rubric_item>>).
const std::string& default_judge_template();
// Our default instructions for negative items: "did the reply do this undesirable thing?"
const std::string& default_negative_judge_template();

// "user: ...\n\nassistant: ..."
std::string format_conversation(const core::Conversation& conversation);
// "[points] criterion"
std::string format_rubric_item(const RubricItem& item);
// The template with both placeholders replaced (each occurrence).
std::string fill_template(const std::string& text, const std::string& conversation, const std::string& rubric_item);

struct JudgeAnswer {
  bool criteria_met = false;
  std::string explanation;
};
// Parses a judge reply; nullopt when it is not a JSON object whose
// criteria_met is a real boolean.
std::optional<JudgeAnswer> parse_judge_answer(const std::string& reply);

class LlmJudgeGrader : public Grader {
 public:
  LlmJudgeGrader(core::LanguageModel& model, LlmJudgeOptions options);
  GradeResult grade(const core::Conversation& conversation, const Rubric& rubric) override;

  // Requests sent so far (for logs and tests).
  size_t requests() const { return requests_; }

 private:
  core::LanguageModel* model_;
  LlmJudgeOptions options_;
  std::string template_;
  std::string negative_template_;
  size_t requests_ = 0;
};

}  // namespace clinrl::rubric
