// Eval throughput in examples per second, each figure against a baseline
// measured in the same run:
//  1. the whole single-turn evaluation (greedy replies of a tiny local model
//     through llm::LocalLanguageModel, LLM-judge grading, HealthBench
//     scoring) with the replies generated in batches of --batch prompts,
//     against the same work with batches of one prompt (the batching gain);
//  2. grading only (a replay of the same replies, no model) as the floor the
//     generation cost sits on.
//
//   bench_eval [--batch B] [--max-new-tokens T] [--threads N]
//
// Suite: ../shared/data/healthbench/main_first30.jsonl, or a generated
// 30-example suite when ../shared is absent. The model is the tiny preset
// (configs/model/tiny.json, random weights: every reply runs to --max-new-tokens)
// with a tokenizer trained on the suite's prompts. The judge is scripted
// (it answers at once), so grading measures clinrl's own grading pipeline.
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"
#include "clinrl/eval/local_replies.h"
#include "clinrl/eval/suite_eval.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/runtime.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/llm/local_language_model.h"

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

// Answers every judge prompt at once: criteria met when the prompt's hash is even.
class InstantJudge : public core::LanguageModel {
 public:
  std::string chat(const core::Conversation& messages, const core::ChatOptions&) override {
    bool met = Rng::hash(messages.at(0).content) % 2 == 0;
    return std::string("{\"explanation\": \"scripted\", \"criteria_met\": ") + (met ? "true" : "false") + "}";
  }
};

// 30 examples of varied prompt length, 8 rubric items each.
rubric::Suite generated_suite(const fs::path& path) {
  const char* complaints[] = {"a cough", "chest pain", "a headache", "back pain", "a rash", "dizziness"};
  std::string text;
  for (int i = 0; i < 30; ++i) {
    std::string prompt = core::format("I have had {} for {} days.", complaints[i % 6], i + 1);
    for (int k = 0; k < i % 7; ++k) prompt += " It gets worse in the evening and I am worried about what it means.";
    core::Json rubrics = core::Json::array();
    for (int k = 0; k < 8; ++k)
      rubrics.push_back({{"criterion", core::format("Criterion {} of example {}", k, i)},
                         {"points", k == 7 ? -3 : k + 1},
                         {"tags", {k % 2 ? "axis:accuracy" : "axis:completeness", "level:example"}}});
    core::Json row = {{"prompt_id", core::format("gen-{}", i)},
                      {"prompt", {{{"role", "user"}, {"content", prompt}}}},
                      {"rubrics", rubrics},
                      {"example_tags", {core::format("theme:t{}", i % 3)}}};
    text += core::dump_json(row) + "\n";
  }
  core::write_file_atomic(path, text);
  return rubric::load_suite(path);
}

struct Timed {
  eval::SuiteEvalResult result;
  double seconds = 0;
};

Timed run(llm::LocalLanguageModel& model, rubric::Grader& grader, const rubric::Suite& suite,
          const eval::EvalConfig& config) {
  eval::LocalModelReplies replies(model);
  auto t0 = Clock::now();
  Timed t{eval::evaluate_suite(replies, grader, suite, config), 0};
  t.seconds = seconds(t0);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t batch = arg(argc, argv, "--batch", 16);
  if (arg(argc, argv, "--max-tokens", -1) >= 0) std::cerr << "bench_eval: --max-tokens is deprecated, use --max-new-tokens\n";
  const int64_t max_tokens = arg(argc, argv, "--max-new-tokens", arg(argc, argv, "--max-tokens", 128));
  model::set_threads(static_cast<int>(arg(argc, argv, "--threads", 0)));
  const fs::path source(CLINRL_SOURCE_DIR);
  const fs::path scratch = fs::temp_directory_path() / ("clinrl-bench-eval-" + std::to_string(::getpid()));
  fs::create_directories(scratch);

  const fs::path shared = source / "../shared/data/healthbench/main_first30.jsonl";
  const bool real = fs::exists(shared);
  const rubric::Suite suite = real ? rubric::load_suite(shared) : generated_suite(scratch / "suite.jsonl");
  size_t items = 0;
  std::vector<std::string> texts;
  for (const auto& ex : suite.examples) {
    items += ex.rubrics.size();
    for (const auto& m : ex.prompt) texts.push_back(m.content);
  }

  model::BpeTrainOptions tok;
  tok.vocab_size = 2000;
  model::train_bpe(texts, tok).save(scratch / "tokenizer.json");
  auto options = model::load_hf_config(source / "configs/model/tiny.json");
  options.vocab_size = model::Tokenizer::load(scratch / "tokenizer.json").vocab_size();
  model::Transformer m(options);
  m->initialize(1);
  model::save_checkpoint(m, scratch / "policy", scratch / "tokenizer.json");
  llm::LocalModelOptions local;
  local.checkpoint = (scratch / "policy").string();
  local.max_batch = batch;
  auto model = llm::LocalLanguageModel::load(local);

  InstantJudge judge;
  rubric::LlmJudgeGrader grader(judge, rubric::LlmJudgeOptions{});
  eval::EvalConfig config;
  config.generation.max_tokens = static_cast<int>(max_tokens);
  config.generation.batch_size = static_cast<int>(batch);
  config.bootstrap.bootstrap_samples = 1000;

  std::cout << core::format("suite: {} ({} examples, {} rubric items); model: tiny preset, {} threads; {} new tokens "
                            "per reply, greedy\n",
                            real ? "main_first30" : "generated", suite.examples.size(), items, model::runtime_info().threads,
                            max_tokens);
  run(*model, grader, suite, config);  // warm-up (allocator, first-call costs)
  Timed batched = run(*model, grader, suite, config);
  config.generation.batch_size = 1;
  Timed single = run(*model, grader, suite, config);

  std::vector<rubric::Completion> saved;
  size_t same = 0;
  for (size_t i = 0; i < batched.result.examples.size(); ++i) {
    const auto& e = batched.result.examples[i];
    saved.push_back({i + 1, e.prompt_id, e.completion});
    same += e.completion == single.result.examples[i].completion;
  }
  auto t0 = Clock::now();
  auto replay = eval::grade_saved_completions(grader, suite, saved, "bench", config.bootstrap);
  const double replay_s = seconds(t0);

  const double n = static_cast<double>(suite.examples.size());
  auto rate = [&](double s) { return n / s; };
  std::cout << core::format("eval, batch {}: {} examples/s ({} s: generate {} s, grade {} s)\n", batch,
                            rate(batched.seconds), batched.seconds, batched.result.generate_seconds,
                            batched.result.grade_seconds);
  std::cout << core::format("eval, batch 1:  {} examples/s ({} s: generate {} s, grade {} s)\n", rate(single.seconds),
                            single.seconds, single.result.generate_seconds, single.result.grade_seconds);
  std::cout << core::format("batching gain (batch {} vs 1): {}x; replies identical in both: {}/{}\n", batch,
                            single.seconds / batched.seconds, same, batched.result.examples.size());
  std::cout << core::format("grading only (replay): {} examples/s; a batched eval runs at {} of the replay rate\n",
                            rate(replay_s), rate(batched.seconds) / rate(replay_s));
  core::Json figures = {{"bench", "eval"},
                        {"suite", real ? "main_first30" : "generated"},
                        {"examples", suite.examples.size()},
                        {"batch", batch},
                        {"max_tokens", max_tokens},
                        {"threads", model::runtime_info().threads},
                        {"eval_batched_examples_per_s", rate(batched.seconds)},
                        {"eval_batch1_examples_per_s", rate(single.seconds)},
                        {"batching_gain", single.seconds / batched.seconds},
                        {"replay_examples_per_s", rate(replay_s)},
                        {"eval_over_replay", rate(batched.seconds) / rate(replay_s)},
                        {"identical_replies", same},
                        {"overall_score", replay.metrics.find("overall_score")
                                              ? replay.metrics.find("overall_score")->mean_clipped
                                              : 0.0}};
  std::cout << core::dump_json(figures) << "\n";
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return 0;
}
