// clinrl eval: evaluate a checkpoint (or grade saved replies) on a suite and
// write a report; clinrl eval compare: two reports side by side.
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/eval/compare.h"
#include "clinrl/eval/eval_run.h"
#include "clinrl/eval/run_settings.h"
#include "clinrl/eval/suite_kind.h"
#include "command.h"
#include "config_flags.h"
#include "deprecated.h"
#include "language_model_args.h"
#include "model_load_args.h"

namespace clinrl::cli {
namespace {

struct EvalArgs {
  ConfigArgs config;
  eval::EvalRequest request;
  ModelLoadArgs model;
  ConfigFlags<eval::EvalConfig> flags;  // flags that set eval config keys
  LanguageModelArgs judge;
  LanguageModelArgs patient_llm;
  bool print_config = false;
};

struct CompareArgs {
  std::string a, b, out;
  double z = 1.96;
};

const std::vector<ConfigFlag>& eval_flags() {
  static const std::vector<ConfigFlag> flags = {
      {"grader", "--grader", "rules (match blocks), llm (a judge model) or mixed (record sets: match blocks by rules, the rest by the judge)", ""},
      {"dialogue.rubrics.path", "--rubrics", "record sets: a rubric file with every record's rubric (clinrl rubrics generate)", ""},
      {"n_repeats", "--n-repeats", "answer and grade every example this many times", ""},
      {"examples", "--examples", "a seeded subsample of this many examples (0 = all)", ""},
      {"seed", "--seed", "seed of the replies and the subsample", ""},
      {"generation.temperature", "--temperature", "sampling temperature of the replies (0 = greedy)", ""},
      {"generation.max_tokens", "--max-new-tokens", "new tokens per reply", "--max-tokens"},
      {"generation.batch_size", "--batch-size", "prompts per batched generation call", ""},
  };
  return flags;
}

// The command line's assignments, after the file's and --set's: the model
// flags, the config flags, and --judge (which implies the LLM grader).
std::vector<std::string> flag_overrides(const EvalArgs& a) {
  std::vector<std::string> out = a.model.overrides("model");
  for (auto& o : a.flags.overrides()) out.push_back(std::move(o));
  if (a.judge.given()) out.push_back("judge_model=" + a.judge.spec);
  if (a.judge.given() && !a.flags.given("grader")) out.push_back("grader=llm");
  return out;
}

void add_compare(CLI::App& eval_app) {
  auto* app = eval_app.add_subcommand("compare", "two eval reports side by side: difference and bootstrap noise");
  auto a = std::make_shared<CompareArgs>();
  app->add_option("A", a->a, "report A (a report directory or its report.json)")->required();
  app->add_option("B", a->b, "report B")->required();
  app->add_option("--out", a->out, "directory to write compare.json and compare.md into too");
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
      a->config.add_to(app, false, "eval config", "generation.max_tokens=64");
      app.add_option("--suite", r.suite, "HealthBench-format suite (JSONL) or a record set (records JSONL)");
      a->model.add_to(app, "the policy to evaluate", "the eval config's model section");
      app.add_option("--completions", r.completions, "grade these saved {prompt_id, completion} lines instead (replay)");
      app.add_option("--out", r.out, "report directory: report.json, report.md, report.html (replaced as a whole)");
      app.add_option("--run", r.run_dir, "run directory whose metrics.jsonl curves go into the report");
      a->flags.add_to(app, eval_flags());
      a->judge.add_to(app, "judge", "the judge of --grader llm");
      a->patient_llm.add_to(app, "patient-llm", "record sets: an LLM that words the patients (behind the fact checker)");
      app.add_flag("--print-config", a->print_config, "deprecated: use clinrl config show --kind eval")->group("");
      add_compare(app);
      CLI::App* self = &app;
      app.callback([a, self] {
        if (self->get_subcommand("compare")->parsed()) return;
        a->request.checkpoint = a->model.checkpoint;
        // A training checkpoint's own grader, patient and rubrics come first; the command line wins.
        std::vector<std::string> overrides;
        const auto& req = a->request;
        if (!req.checkpoint.empty() && !req.suite.empty() &&
            eval::detect_suite_kind(req.suite) == eval::SuiteKind::records)
          overrides = eval::run_verifier_overrides(
              req.checkpoint, a->config.file() ? core::load_config_json(*a->config.file()) : core::Json::object());
        for (const auto& o : a->config.overrides) overrides.push_back(o);
        for (auto& o : flag_overrides(*a)) overrides.push_back(std::move(o));
        a->request.config = core::load_config<eval::EvalConfig>(a->config.file(), overrides);
        if (a->print_config) {
          warn_deprecated("--print-config", "clinrl config show --kind eval");
          std::cout << core::dump_json(core::to_json_value(a->request.config), 2) << "\n";
          return;
        }
        // --judge-model / --judge-api-key-env refine the spec, so the CLI opens the judge itself.
        std::unique_ptr<core::LanguageModel> judge;
        if (a->judge.given() && a->request.config.grader != "rules") {
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
