#pragma once
// The models that reward a run besides the rule engine: the LLM judge
// (reward.grader llm or mixed) and the LLM patient (sim.patient llm), opened
// and health-probed once at the start of a run, and their counters per step.
//
// The rule wording still plays the scripted expert's SFT demonstrations
// (cheap and reproducible); GRPO rollouts and the held-out evaluation use
// the configured patient.
#include <memory>
#include <optional>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/rl/rubric_scorer.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/sim/llm_realiser.h"

namespace clinrl::rl {

// What the verifiers did in one step (metrics.jsonl).
struct VerifierStats {
  rubric::JudgeStats judge;
  sim::LlmPatientStats patient;  // counts since the previous take_stats()
};

class Verifiers {
 public:
  // Opens the backends `config` names (UserError naming the section and the
  // URL when an http backend does not answer); none for rules and rules.
  static Verifiers open(const TrainConfig& config);
  // Given models (tests, benchmarks); either may be null when not configured.
  Verifiers(const TrainConfig& config, std::shared_ptr<core::LanguageModel> judge_model,
            std::shared_ptr<core::LanguageModel> patient_model);
  Verifiers() = default;

  // The judge of grader llm/mixed; null for rules.
  rubric::LlmJudgeGrader* judge() const { return judge_.get(); }
  // The LLM patient's wording; null for the rule wording.
  std::shared_ptr<const sim::Realiser> patient() const { return patient_; }

  // The counters since the previous call.
  VerifierStats take_stats();

 private:
  std::shared_ptr<core::LanguageModel> judge_model_, patient_model_;
  std::shared_ptr<rubric::LlmJudgeGrader> judge_;
  std::shared_ptr<sim::LlmRealiser> patient_;
  sim::LlmPatientStats patient_seen_;  // patient stats at the previous take_stats()
};

// The scorer of a run: its grader, judge and rubric file.
ScorerOptions scorer_options(const TrainConfig& config, const Verifiers& verifiers, bool turn_rubrics);

}  // namespace clinrl::rl
