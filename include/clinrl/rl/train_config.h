#pragma once
// The top-level config of a training run (`clinrl train --config F`): one
// section per concern, each owned by its module. Every key has a default;
// `clinrl config show` prints them all.
#include <optional>
#include <string>
#include <vector>

#include "clinrl/dist/dist_options.h"
#include "clinrl/core/run_options.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/chat_model_options.h"
#include "clinrl/rl/grpo_options.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/sft.h"
#include "clinrl/rl/verifier_options.h"
#include "clinrl/sim/sim_options.h"

namespace clinrl::rl {

// Which records a run trains, validates and evaluates on (JSONL, records/record.h).
struct DataOptions {
  std::string train = "data/records/synth.train.jsonl";
  std::string val = "data/records/synth.val.jsonl";
  std::string test = "data/records/synth.test.jsonl";
  template <class V>
  void fields(V& v) {
    v("train", train);
    v("val", val);
    v("test", test);
  }
  void validate() const;
};

// Where the tokenizer comes from: a file or checkpoint directory, or (when
// `path` is empty) trained on the SFT demonstrations of this run.
struct TokenizerOptions {
  std::string path;
  model::BpeTrainOptions train;
  template <class V>
  void fields(V& v) {
    v("path", path);
    v("train", train);
  }
  void validate() const { train.validate(); }
};

// The policy's starting point: a checkpoint directory, or a fresh model of
// the shape in `init_config` (an HF config.json; vocab_size from the tokenizer).
struct PolicyOptions {
  std::string checkpoint;
  std::string init_config = "configs/model/tiny.json";
  uint64_t init_seed = 0;
  model::ChatModelOptions load;  // dtype, device, chat (keys at this level)
  template <class V>
  void fields(V& v) {
    v("checkpoint", checkpoint);
    v("init_config", init_config);
    v("init_seed", init_seed);
    load.fields(v);
  }
  void validate() const;
};

struct CheckpointOptions {
  int64_t every = 10;     // GRPO steps between checkpoints (and one at the end)
  int keep_last = 3;
  int64_t samples_every = 10;  // steps between sample transcripts written to RUN_DIR/samples/
  template <class V>
  void fields(V& v) {
    v("every", every);
    v("keep_last", keep_last);
    v("samples_every", samples_every);
  }
  void validate() const;
};

// Held-out evaluation at the end of a run (and by `clinrl eval` on record sets).
struct EvalOptions {
  int64_t records = 24;  // test records evaluated (0 = all)
  int64_t episodes_per_record = 1;
  template <class V>
  void fields(V& v) {
    v("records", records);
    v("episodes_per_record", episodes_per_record);
  }
  void validate() const;
};

struct TrainConfig {
  core::RunOptions run;
  DataOptions data;
  TokenizerOptions tokenizer;
  PolicyOptions policy;
  sim::SimOptions sim;
  SftOptions sft;
  // SFT warm start. Unset (null): on for a new model, off when the run starts
  // from policy.checkpoint, since the scripted dialogues at a from-scratch
  // learning rate would wreck a pretrained model; true or false decides.
  std::optional<bool> sft_enabled;
  GrpoOptions grpo;
  int64_t grpo_steps = 20;
  RolloutOptions rollout;
  CheckpointOptions checkpoints;
  EvalOptions eval;
  JudgeConfig judge;             // the LLM judge of grpo.reward.grader llm/mixed
  RubricSourceOptions rubrics;   // rubric file for every record, or generated
  dist::DistOptions dist;        // several processes: timeout, gradient buckets, threads

  template <class V>
  void fields(V& v) {
    v("run", run);
    v("data", data);
    v("tokenizer", tokenizer);
    v("policy", policy);
    v("sim", sim);
    v("sft_enabled", sft_enabled);
    v("sft", sft);
    v("grpo_steps", grpo_steps);
    v("grpo", grpo);
    v("rollout", rollout);
    v("checkpoints", checkpoints);
    v("eval", eval);
    v("judge", judge);
    v("rubrics", rubrics);
    v("dist", dist);
  }
  void validate() const;
};

}  // namespace clinrl::rl
