// Training-loop figures, each against a baseline measured in the same run:
//  1. multi-turn rollouts that keep every episode's KV cache across turns and
//     append the patient's reply by prefill, against re-encoding the whole
//     dialogue at every turn (same greedy episodes, 6 doctor turns each);
//  2. the time split of GRPO steps (rollout / grading / training) and the
//     generated tokens per second.
//
//   bench_training [--episodes N] [--steps S] [--threads T] [--device cpu|cuda]
//                  [--dtype float32|bfloat16|auto] [--model-config F] [--tokenizer tokenizer.json]
//
// Uses the tiny model preset (random weights: greedy turns run to the token
// cap, which is the worst case for re-encoding) and the shipped val records.
// --model-config F takes another shape (an HF config.json, e.g. Qwen2.5-0.5B);
// --tokenizer a real tokenizer.json instead of one trained on expert dialogues
// (the model's vocab_size is the tokenizer's either way). Each GRPO step
// prints its rewards and the peak host memory so far.
#include <chrono>
#include <cstring>
#include <unistd.h>
#include <iostream>

#include "clinrl/core/json_io.h"
#include "clinrl/core/process_memory.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/device.h"
#include "clinrl/model/runtime.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/grpo_trainer.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/rubric_scorer.h"

using namespace clinrl;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int64_t arg(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stoll(argv[i + 1]);
  return fallback;
}

std::string str_arg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

double peak_rss_mib() { return core::peak_resident_mb().value_or(0); }

}  // namespace

int main(int argc, char** argv) {
  const int64_t episodes = arg(argc, argv, "--episodes", 16);
  const int64_t steps = arg(argc, argv, "--steps", 2);
  model::set_threads(static_cast<int>(arg(argc, argv, "--threads", 0)));
  const fs::path source(CLINRL_SOURCE_DIR);
  const std::string model_config = str_arg(argc, argv, "--model-config", (source / "configs/model/tiny.json").string());
  const std::string tokenizer_file = str_arg(argc, argv, "--tokenizer", "");
  fs::path scratch = fs::temp_directory_path() / ("clinrl-bench-training-" + std::to_string(::getpid()));
  fs::create_directories(scratch);

  auto records = records::load_records(source / "data/records/synth.val.jsonl");
  records.resize(std::min<size_t>(records.size(), 8));
  rl::TrainConfig config;
  config.run.output_root = scratch.string();
  config.sim.max_turns = 6;
  // Random weights repeat themselves; keep every episode to the full 6 turns.
  config.sim.repeat_limit = 1000;
  config.sim.invalid_limit = 1000;
  config.rollout.max_turn_tokens = 48;
  config.rollout.max_episode_tokens = 2048;
  config.grpo.group_size = 4;
  config.grpo.records_per_step = 4;
  config.grpo.micro_batch_size = 8;
  config.grpo_steps = steps;
  config.policy.load.device = str_arg(argc, argv, "--device", "cpu");
  config.policy.load.dtype = str_arg(argc, argv, "--dtype", "float32");
  model::check_device_name(config.policy.load.device, "--device");
  model::check_dtype_name(config.policy.load.dtype, "--dtype");
  if (config.policy.load.device != "cpu" && !torch::cuda::is_available()) {
    std::cerr << "bench_training: --device " << config.policy.load.device << " but this libtorch sees no CUDA device\n";
    return 2;
  }  auto sims = rl::make_simulators(records, config.sim);

  // Tokenizer from a few expert dialogues, tiny model with random weights.
  auto book = rl::QuestionBook::load(source / config.sft.question_book);
  auto demos = rl::play_demonstrations(sims, book, config.sft.expert, 64, 1);
  if (tokenizer_file.empty()) {
    model::BpeTrainOptions tok;
    tok.vocab_size = 2000;
    model::train_bpe(rl::demonstration_texts(demos, config.rollout.system_prompt), tok).save(scratch / "tokenizer.json");
  } else {
    model::Tokenizer::load(tokenizer_file).save(scratch / "tokenizer.json");
  }
  auto options = model::load_hf_config(model_config);
  options.vocab_size = model::Tokenizer::load(scratch / "tokenizer.json").vocab_size();
  model::Transformer m(options);
  m->initialize(1);
  model::save_checkpoint(m, scratch / "policy", scratch / "tokenizer.json");
  auto policy = model::ChatModel::load(scratch / "policy", config.policy.load);
  std::cout << core::format("model: {} ({} parameters, vocab {}) on {} as {}\n", model_config,
                            model::parameter_count(options), options.vocab_size, config.policy.load.device,
                            config.policy.load.resolved_dtype());
  // 1. KV-cached multi-turn rollouts vs re-encoding every turn.
  rl::RolloutOptions greedy = config.rollout;
  greedy.sampler.temperature = 0;
  std::vector<rl::EpisodeJob> jobs;
  for (int64_t i = 0; i < episodes; ++i) jobs.push_back({sims[static_cast<size_t>(i) % sims.size()], 100 + static_cast<uint64_t>(i)});
  auto t0 = Clock::now();
  auto cached = rl::roll_out(policy, jobs, greedy, 1);
  double cached_s = seconds(t0);
  auto t1 = Clock::now();
  auto reencoded = rl::roll_out_reencoding(policy, jobs, greedy, 1);
  double reencoded_s = seconds(t1);
  int64_t generated = 0, turns = 0;
  bool same = true;
  for (size_t i = 0; i < cached.size(); ++i) {
    generated += cached[i].tokens.policy_tokens();
    turns += cached[i].doctor_turns;
    same = same && cached[i].tokens.ids == reencoded[i].tokens.ids;
  }
  std::cout << core::format("multi-turn rollout: {}x faster with persistent KV caches than re-encoding every turn "
                            "({} s vs {} s; {} episodes, {} doctor turns per episode, {} generated tokens, identical "
                            "dialogues: {})\n",
                            reencoded_s / cached_s, cached_s, reencoded_s, episodes,
                            static_cast<double>(turns) / static_cast<double>(episodes), generated, same ? "yes" : "NO");

  // 2. GRPO steps: time split.
  auto scorer = rl::make_rubric_scorer(records);
  rl::GrpoTrainer trainer(policy, config, sims, *scorer, scratch / "run");
  for (int64_t s = 0; s < steps; ++s) {
    auto row = trainer.step(s);
    double r = row.seconds_rollout, g = row.seconds_grade, t = row.seconds_train;
    double total = r + g + t;
    std::cout << core::format("grpo step {}: {} s = rollout {}% + grading {}% + training {}%; {} generated tokens/s; "
                              "{} episodes\n",
                              s + 1, total, 100 * r / total, 100 * g / total, 100 * t / total,
                              row.tokens_per_second, config.grpo.episodes_per_step());
    std::cout << core::format("grpo step {}: reward mean {} (std {}, min {}, max {}); peak host memory {} MiB\n", s + 1,
                              row.reward_mean, row.reward_std, row.reward_min, row.reward_max,
                              static_cast<int64_t>(peak_rss_mib()));
    std::cout.flush();
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return 0;
}
