#pragma once
// `clinrl eval` as one library call: detect the suite's kind, generate or
// replay, grade, aggregate and write the report directory.
//   HealthBench suite + checkpoint (or a given policy) -> generated replies, graded
//   HealthBench suite + completions                    -> saved replies graded (replay)
//   record set + checkpoint                            -> dialogues with simulated patients
#include <filesystem>
#include <memory>
#include <string>

#include "clinrl/core/json_io.h"
#include "clinrl/core/language_model.h"
#include "clinrl/eval/eval_config.h"
#include "clinrl/eval/reply_generator.h"
#include "clinrl/eval/report.h"

namespace clinrl::eval {

struct EvalRequest {
  EvalConfig config;
  std::string suite;        // HealthBench JSONL or record JSONL
  std::string checkpoint;   // the policy to evaluate (a checkpoint directory)
  std::string completions;  // or saved {prompt_id, completion} lines to grade
  std::string run_dir;      // training curves; "" = the run directory around the checkpoint, if any
  std::string out;          // the report directory
  core::LanguageModel* judge = nullptr;  // the judge of grader "llm"
  std::shared_ptr<core::LanguageModel> patient_llm;  // record sets: words the patients (null: rule wording)
  ReplyGenerator* policy = nullptr;      // a policy given directly (a remote endpoint, tests) instead of a checkpoint
  std::string policy_name;               // how the report names that policy
};

struct EvalRunSummary {
  EvalReport report;
  std::filesystem::path out;
};

EvalRunSummary run_eval(const EvalRequest& request);

// "overall_score 0.4123 ± 0.0311 (n = 30); report in DIR"
std::string describe(const EvalRunSummary& summary);

}  // namespace clinrl::eval
