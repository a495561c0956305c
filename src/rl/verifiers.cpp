#include "clinrl/rl/verifiers.h"

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/llm/language_model_factory.h"
#include "clinrl/rl/run_data.h"

namespace clinrl::rl {

Verifiers Verifiers::open(const TrainConfig& config) {
  std::shared_ptr<core::LanguageModel> judge, patient;
  if (config.grpo.reward.grader != "rules") {
    judge = llm::open_backend(config.judge.backend, "judge");
    log::info("judge: {} (grader {})", config.judge.backend.backend, config.grpo.reward.grader);
  }
  if (config.sim.patient == "llm") {
    patient = llm::open_backend(config.sim.llm_patient.backend, "sim.llm_patient");
    log::info("patient: {} behind the fact checker", config.sim.llm_patient.backend.backend);
  }
  return Verifiers(config, judge, patient);
}

Verifiers::Verifiers(const TrainConfig& config, std::shared_ptr<core::LanguageModel> judge_model,
                     std::shared_ptr<core::LanguageModel> patient_model)
    : judge_model_(std::move(judge_model)), patient_model_(std::move(patient_model)) {
  if (config.grpo.reward.grader != "rules") {
    if (!judge_model_) throw UserError(core::format("grpo.reward.grader {} needs a judge model (judge.backend)",
                                                    config.grpo.reward.grader));
    judge_ = std::make_shared<rubric::LlmJudgeGrader>(*judge_model_, config.judge.grading,
                                                      config.judge.backend.concurrency);
  }
  if (config.sim.patient == "llm") {
    if (!patient_model_) throw UserError("sim.patient llm needs a model (sim.llm_patient.backend)");
    auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(config.sim.lexicon_path()));
    patient_ = std::make_shared<sim::LlmRealiser>(patient_model_, lexicon, config.sim.llm_patient);
  }
}

VerifierStats Verifiers::take_stats() {
  VerifierStats out;
  if (judge_) out.judge = judge_->take_stats();
  if (patient_) {
    const sim::LlmPatientStats now = patient_->stats();
    out.patient = {now.turns - patient_seen_.turns,
                   now.requests - patient_seen_.requests,
                   now.rejected - patient_seen_.rejected,
                   now.backend_errors - patient_seen_.backend_errors,
                   now.fallbacks - patient_seen_.fallbacks,
                   now.seconds_waiting - patient_seen_.seconds_waiting};
    patient_seen_ = now;
  }
  return out;
}

ScorerOptions scorer_options(const TrainConfig& config, const Verifiers& verifiers, bool turn_rubrics) {
  ScorerOptions o;
  o.grader = config.grpo.reward.grader;
  o.judge = verifiers.judge();
  o.turn_rubrics = turn_rubrics;
  o.max_turns = config.sim.max_turns;
  o.rubrics_path = config.rubrics.path.empty() ? "" : resolve_data_path(config.rubrics.path, "rubrics.path").string();
  return o;
}

}  // namespace clinrl::rl
