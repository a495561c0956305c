#pragma once
// The config sections of the models that reward a run besides the rule
// engine: `judge` (the LLM judge of reward.grader llm/mixed) and `rubrics`
// (a rubric file instead of the in-code generator). The LLM patient's
// section is sim.llm_patient (sim/sim_options.h).
#include <string>

#include "clinrl/core/backend_options.h"
#include "clinrl/rubric/llm_judge.h"

namespace clinrl::rl {

// Keys at one level: the backend's (backend, model, api_key_env,
// concurrency, timeout_s, max_retries), the grading's (template_path,
// negative_template_path, separate_negative_template, max_attempts,
// retry_backoff_s, cache, chat) and max_ungraded_fraction.
struct JudgeConfig {
  core::BackendOptions backend;
  rubric::LlmJudgeOptions grading;
  // A step whose share of ungraded rubric items exceeds this stops the run
  // (no checkpoint of that step): missing grades never become zero reward.
  double max_ungraded_fraction = 0.1;

  template <class V>
  void fields(V& v) {
    backend.fields(v);
    grading.fields(v);
    v("max_ungraded_fraction", max_ungraded_fraction);
  }
  void validate() const;
};

struct RubricSourceOptions {
  // A file written by `clinrl rubrics generate` (possibly edited or LLM-made):
  // every training and evaluation record needs an entry. "" = generate in code.
  std::string path;

  template <class V>
  void fields(V& v) {
    v("path", path);
  }
};

}  // namespace clinrl::rl
