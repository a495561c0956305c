#pragma once
// An evaluation report: the aggregate metrics with their bootstrap noise and
// what produced them. report.json is its JSON form (read back by
// `clinrl eval compare`), report.md its tables.
//
// report.json:
//   {"format": "clinrl-eval-report", "version": 1, "kind": "suite|replay|dialogues",
//    "created": "2025-...Z",
//    "metrics": [{"name", "mean", "raw_mean", "n_samples", "bootstrap_std"}, ...],
//    "flat": {HealthBench's flat metrics: "score", "name", "name:n_samples", "name:bootstrap_std"},
//    "repeat_scores": [overall score of each repeat],
//    "counts": {...}, "timings": {...}, "sources": {...}, "config": {...}}
#include <filesystem>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/rubric/scoring.h"

namespace clinrl::eval {

struct EvalReport {
  std::string kind;  // "suite" (generated replies), "replay" (saved completions), "dialogues" (record set)
  std::string created;  // UTC ISO-8601
  rubric::ScoreReport metrics;
  std::vector<double> repeat_scores;
  core::Json counts = core::Json::object();   // examples, repeats, samples, ungraded_items, ...
  core::Json timings = core::Json::object();  // seconds per phase, examples_per_second
  core::Json sources = core::Json::object();  // suite, checkpoint, completions, run_dir
  core::Json config = core::Json::object();   // the effective EvalConfig

  core::Json to_json() const;
  // UserError naming `source` and the key when it is not a report.
  static EvalReport from_json(const core::Json& json, const std::string& source);
  // A report directory (its report.json) or a report.json file.
  static EvalReport load(const std::filesystem::path& path);
};

// "2025-05-07T06:14:12Z"
std::string utc_timestamp();

// The metric groups a report shows, by name prefix: "summary" (overall_score
// and the multi-turn outcome metrics), then "axis", "theme", "dimension",
// "specialty", "level", "cluster", "physician_agreed_category", "other".
std::string metric_group(const std::string& name);
// The groups present in a report, in display order.
std::vector<std::string> metric_groups(const rubric::ScoreReport& metrics);
// A metric's name without its group prefix ("axis:accuracy" -> "accuracy").
std::string metric_label(const std::string& name);

// Markdown: header, sources, one table per metric group (mean ± bootstrap std, n).
std::string render_markdown(const EvalReport& report);

}  // namespace clinrl::eval
