#pragma once
// The options of `clinrl eval` (a config file with --set overrides, or the
// defaults plus command-line flags): how replies are generated, which grader
// decides the rubric items, repeats and subsampling, the bootstrap, and for
// record sets the simulator and rollout settings of the dialogues.
#include <cstdint>
#include <string>

#include "clinrl/model/chat_model_options.h"
#include "clinrl/core/backend_options.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/verifier_options.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/scoring.h"
#include "clinrl/sim/sim_options.h"

namespace clinrl::eval {

// The policy's replies to single-turn suite prompts.
struct GenerationOptions {
  double temperature = 0.0;  // 0: greedy (the seed is then irrelevant)
  int max_tokens = 512;      // new tokens per reply
  int batch_size = 16;       // prompts per batched generation call

  template <class V>
  void fields(V& v) {
    v("temperature", temperature);
    v("max_tokens", max_tokens);
    v("batch_size", batch_size);
  }
  void validate() const;
};

// Record-set suites: the policy consults simulated patients (greedy, as the
// trainer's held-out evaluation) and each dialogue is graded by its record's
// generated rubric. Use the same values as the training run.
struct DialogueOptions {
  sim::SimOptions sim;  // sim.patient llm: sim.llm_patient.backend words the patients
  rl::RolloutOptions rollout;
  rl::RubricSourceOptions rubrics;  // rubrics.path: a rubric file for every record; "" = generated

  template <class V>
  void fields(V& v) {
    v("sim", sim);
    v("rollout", rollout);
    v("rubrics", rubrics);
  }
};

struct EvalConfig {
  std::string grader = "rules";  // rules (match blocks) | llm (a judge model) | mixed (record sets: match blocks by rules, the rest by the judge)
  std::string judge_model;       // the judge for grader "llm": an endpoint or checkpoint spec (--judge)
  core::BackendOptions judge_backend;  // or the judge as a train config names it (used when judge_model is empty)
  rubric::LlmJudgeOptions judge;
  GenerationOptions generation;
  model::ChatModelOptions model;
  DialogueOptions dialogue;
  rubric::AggregateOptions bootstrap;
  int n_repeats = 1;     // every selected example is answered and graded this many times
  int64_t examples = 0;  // a seeded subsample of this many examples (records); 0 = all
  uint64_t seed = 0;     // reply seeds and the subsample

  template <class V>
  void fields(V& v) {
    v("grader", grader);
    v("judge_model", judge_model);
    v("judge_backend", judge_backend);
    v("judge", judge);
    v("generation", generation);
    v("model", model);
    v("dialogue", dialogue);
    v("bootstrap", bootstrap);
    v("n_repeats", n_repeats);
    v("examples", examples);
    v("seed", seed);
  }
  void validate() const;
};

}  // namespace clinrl::eval
