// clinrl eval: evaluate a checkpoint (or grade saved replies) on a suite and
// write a report; clinrl eval compare: two reports side by side.
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/eval/compare.h"
#include "clinrl/eval/eval_run.h"
#include "command.h"
#include "language_model_args.h"

namespace clinrl::cli {
namespace {

struct EvalArgs {
  ConfigArgs config;
  eval::EvalRequest request;
  // Flags that override the config (each becomes a --set assignment).
  std::string grader;
  LanguageModelArgs judge;
  LanguageModelArgs patient_llm;
  int n_repeats = 1, max_tokens = 0, batch_size = 0;
  int64_t examples = 0;
  uint64_t seed = 0;
  double temperature = 0;
  bool print_config = false;
};

struct CompareArgs {
  std::string a, b, out;
  double z = 1.96;
};

std::vector<std::string> flag_overrides(const CLI::App& app, const EvalArgs& a) {
  std::vector<std::string> out;
  auto given = [&](const char* flag) { return app.count(flag) > 0; };
  if (given("--grader")) out.push_back("grader=" + a.grader);
  if (a.judge.given()) out.push_back("judge_model=" + a.judge.spec);
  if (a.judge.given() && !given("--grader")) out.push_back("grader=llm");  // a judge implies the LLM grader
  if (given("--n-repeats")) out.push_back("n_repeats=" + std::to_string(a.n_repeats));
  if (given("--examples")) out.push_back("examples=" + std::to_string(a.examples));
  if (given("--seed")) out.push_back("seed=" + std::to_string(a.seed));
  if (given("--temperature")) out.push_back(core::format("generation.temperature={}", a.temperature));
  if (given("--max-tokens")) out.push_back("generation.max_tokens=" + std::to_string(a.max_tokens));
  if (given("--batch-size")) out.push_back("generation.batch_size=" + std::to_string(a.batch_size));
  return out;
}

void add_compare(CLI::App& eval_app) {
  auto* app = eval_app.add_subcommand("compare", "two eval reports side by side: difference and bootstrap noise");
  auto a = std::make_shared<CompareArgs>();
  app->add_option("a", a->a, "report A (a report directory or its report.json)")->required();
  app->add_option("b", a->b, "report B")->required();
  app->add_option("--out", a->out, "also write compare.json and compare.md into this directory");
  app->add_option("--z", a->z, "significance threshold in units of the combined noise")->capture_default_str();
  app->callback([a] {
    if (!(a->z > 0)) throw UserError("--z must be > 0");
    auto result = eval::compare_reports(eval::EvalReport::load(a->a), eval::EvalReport::load(a->b), a->a, a->b, a->z);
    std::cout << result.table();
    if (!a->out.empty()) {
      eval::write_comparison(a->out, result);
      std::cout << "written to " << a->out << "\n";
    }
  });
}

const bool registered = register_command({"eval", "evaluate a checkpoint on a HealthBench suite or record set; write a report",
    [](CLI::App& app) {
      auto a = std::make_shared<EvalArgs>();
      auto& r = a->request;
      a->config.add_to(app, false);
      app.add_option("--suite", r.suite, "HealthBench-format suite (JSONL) or a record set (records JSONL)");
      app.add_option("--checkpoint", r.checkpoint, "checkpoint directory of the policy to evaluate");
      app.add_option("--completions", r.completions, "grade these saved {prompt_id, completion} lines instead (replay)");
      app.add_option("--out", r.out, "report directory (replaced as a whole)");
      app.add_option("--run", r.run_dir, "run directory whose metrics.jsonl curves go into the report");
      app.add_option("--grader", a->grader, "rules (match blocks) or llm (a judge model)");
      a->judge.add_to(app, "judge", "the judge of --grader llm");
      a->patient_llm.add_to(app, "patient-llm", "record sets: an LLM that words the patients (behind the fact checker)");
      app.add_option("--n-repeats", a->n_repeats, "answer and grade every example this many times");
      app.add_option("--examples", a->examples, "a seeded subsample of this many examples (0 = all)");
      app.add_option("--seed", a->seed, "seed of the replies and the subsample");
      app.add_option("--temperature", a->temperature, "sampling temperature of the replies (0 = greedy)");
      app.add_option("--max-tokens", a->max_tokens, "new tokens per reply");
      app.add_option("--batch-size", a->batch_size, "prompts per batched generation call");
      app.add_flag("--print-config", a->print_config, "print the effective eval config (defaults, file, --set, flags) and exit");
      add_compare(app);
      CLI::App* self = &app;
      app.callback([a, self] {
        if (self->get_subcommand("compare")->parsed()) return;
        auto overrides = a->config.overrides;
        for (auto& o : flag_overrides(*self, *a)) overrides.push_back(std::move(o));
        std::optional<std::filesystem::path> file;
        if (!a->config.config.empty()) file = a->config.config;
        a->request.config = core::load_config<eval::EvalConfig>(file, overrides);
        if (a->print_config) {
          std::cout << core::dump_json(core::to_json_value(a->request.config), 2) << "\n";
          return;
        }
        // --judge-model / --judge-api-key-env refine the spec, so the CLI opens the judge itself.
        std::unique_ptr<core::LanguageModel> judge;
        if (a->judge.given() && a->request.config.grader == "llm") {
          judge = a->judge.open();
          a->request.judge = judge.get();
        }
        if (a->patient_llm.given()) a->request.patient_llm = a->patient_llm.open();
        auto summary = eval::run_eval(a->request);
        std::cout << eval::describe(summary) << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
