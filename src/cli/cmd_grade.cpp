// clinrl grade score|agree: HealthBench scoring of precomputed grades, and
// agreement between two graders.
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/rubric/agreement.h"
#include "clinrl/rubric/grade_suite.h"
#include "clinrl/rubric/grades.h"
#include "clinrl/rubric/rule_grader.h"
#include "clinrl/rubric/suite.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

const bool group = register_group("grade", "score graded suites and compare graders");

const bool score = register_command({"grade score", "HealthBench metrics from a suite and precomputed grades",
    [](CLI::App& app) {
      struct Args {
        std::string suite, grades, out;
        rubric::AggregateOptions aggregate;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--suite", a->suite, "HealthBench-format suite (JSONL)")->required();
      app.add_option("--grades", a->grades, "one {prompt_id, criteria_met} line per example")->required();
      app.add_option("--out", a->out, "metrics file to write (JSON)")->required();
      app.add_option("--bootstrap-samples", a->aggregate.bootstrap_samples, "resamples for bootstrap_std (0: off)")
          ->capture_default_str();
      app.add_option("--seed", a->aggregate.seed, "bootstrap seed")->capture_default_str();
      app.callback([a] {
        auto suite = rubric::load_suite(a->suite);
        auto grades = rubric::load_grades(a->grades);
        auto scores = rubric::score_suite(suite, grades, a->grades, a->aggregate);
        core::write_json_file_atomic(a->out, scores.to_json());
        const auto* overall = scores.report.find("overall_score");
        std::cout << "overall_score " << (overall ? overall->mean_clipped : 0.0) << " over "
                  << (overall ? overall->n_samples : 0) << " examples; metrics written to " << a->out << "\n";
      });
    }});

const bool rules = register_command({"grade rules", "grade a suite's completions with the rule grader (match blocks)",
    [](CLI::App& app) {
      struct Args {
        std::string suite, completions, out;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--suite", a->suite, "HealthBench-format suite (JSONL)")->required();
      app.add_option("--completions", a->completions, "one {prompt_id, completion} line per example")->required();
      app.add_option("--out", a->out, "grades file to write (JSONL; null = ungraded)")->required();
      app.callback([a] {
        auto suite = rubric::load_suite(a->suite);
        rubric::RuleGrader grader;
        auto graded = rubric::grade_completions(grader, suite, rubric::load_completions(a->completions), a->completions);
        rubric::save_grades(a->out, graded.grades, graded.explanations);
        std::cout << "graded " << graded.grades.size() << " completions; " << graded.ungraded_items
                  << " items ungraded (no match block); grades written to " << a->out << "\n";
      });
    }});

const bool agree = register_command({"grade agree", "agreement (per-class precision/recall, balanced F1) of two grade files",
    [](CLI::App& app) {
      struct Args {
        std::string a, b, out;
      };
      auto a = std::make_shared<Args>();
      app.add_option("A", a->a, "grades of the grader under test");
      app.add_option("B", a->b, "reference grades (e.g. physicians)");
      add_deprecated_option(app, "--a", a->a, "a positional A");
      add_deprecated_option(app, "--b", a->b, "a positional B");
      app.add_option("--out", a->out, "file to write the result to as well (JSON)");
      app.callback([a] {
        if (a->a.empty() || a->b.empty()) throw UserError("give two grade files: A B");
        auto result = rubric::compare_grade_files(rubric::load_grades(a->a), a->a, rubric::load_grades(a->b), a->b);
        auto j = result.to_json();
        if (!a->out.empty()) core::write_json_file_atomic(a->out, j);
        std::cout << core::dump_json(j, 2) << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
