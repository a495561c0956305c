#include "clinrl/eval/grader_choice.h"

#include "clinrl/core/error.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/rule_grader.h"

namespace clinrl::eval {

std::unique_ptr<rubric::Grader> make_grader(const EvalConfig& config, core::LanguageModel* judge) {
  if (config.grader == "rules") return std::make_unique<rubric::RuleGrader>();
  if (config.grader == "mixed")
    throw UserError("grader 'mixed' applies to record sets; a HealthBench suite is graded by rules or llm");
  if (!judge) throw UserError("grader 'llm' needs a judge model: give --judge SPEC (or judge_model in the config)");
  return std::make_unique<rubric::LlmJudgeGrader>(*judge, config.judge);
}

}  // namespace clinrl::eval
