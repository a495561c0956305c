#pragma once
// The grader `clinrl eval` uses: the rule grader ("rules": items with a
// match block; others are reported ungraded) or the LLM judge ("llm") over a
// judge language model.
#include <memory>

#include "clinrl/core/language_model.h"
#include "clinrl/eval/eval_config.h"
#include "clinrl/rubric/grader.h"

namespace clinrl::eval {

// `judge` must outlive the grader; it is required (UserError otherwise) for "llm".
std::unique_ptr<rubric::Grader> make_grader(const EvalConfig& config, core::LanguageModel* judge);

}  // namespace clinrl::eval
