#pragma once
// The options of `clinrl eval` (a config file with --set overrides, or the
// defaults plus command-line flags): how replies are generated, which grader
// decides the rubric items, repeats and subsampling, the bootstrap, and for
// record sets the simulator and rollout settings of the dialogues.
#include <cstdint>
#include <string>

#include "clinrl/model/chat_template.h"
#include "clinrl/rl/rollout.h"
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

// How a checkpoint directory is loaded.
struct ModelLoadOptions {
  std::string dtype = "float32";  // float32 | bfloat16 | float16 (model::check_dtype_name)
  std::string device = "cpu";     // cpu | cuda | cuda:N
  model::ChatTemplateOptions chat;

  template <class V>
  void fields(V& v) {
    v("dtype", dtype);
    v("device", device);
    v("chat", chat);
  }
  void validate() const;
};

// Record-set suites: the policy consults simulated patients (greedy, as the
// trainer's held-out evaluation) and each dialogue is graded by its record's
// generated rubric. Use the same values as the training run.
struct DialogueOptions {
  sim::SimOptions sim;
  rl::RolloutOptions rollout;

  template <class V>
  void fields(V& v) {
    v("sim", sim);
    v("rollout", rollout);
  }
};

struct EvalConfig {
  std::string grader = "rules";  // rules (match blocks) | llm (a judge model)
  std::string judge_model;       // the judge for grader "llm": an endpoint or checkpoint spec (--judge)
  rubric::LlmJudgeOptions judge;
  GenerationOptions generation;
  ModelLoadOptions model;
  DialogueOptions dialogue;
  rubric::AggregateOptions bootstrap;
  int n_repeats = 1;     // every selected example is answered and graded this many times
  int64_t examples = 0;  // a seeded subsample of this many examples (records); 0 = all
  uint64_t seed = 0;     // reply seeds and the subsample

  template <class V>
  void fields(V& v) {
    v("grader", grader);
    v("judge_model", judge_model);
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
