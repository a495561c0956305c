#pragma once
// report.html: one self-contained page (inline CSS and inline SVG, no
// scripts, no external resources) that opens offline in any browser: the
// summary and per-group bar charts with bootstrap error bars, training curves
// when the evaluated checkpoint belongs to a run directory, metric tables, and
// the first examples or episodes with their grades (all of them are in
// results.jsonl).
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/report.h"
#include "clinrl/eval/run_curves.h"
#include "clinrl/eval/svg_chart.h"

namespace clinrl::eval {

// The page's inline stylesheet (also used by the training report, run_report.h).
const char* html_report_style();

// Examples/episodes shown in the page.
constexpr size_t kHtmlMaxResults = 100;

// The bar charts of a report: "Summary" (overall_score and the multi-turn
// outcome shares), then one per group among axis, theme, dimension and
// specialty that the report carries. Error bars are the bootstrap std.
std::vector<BarChart> report_bar_charts(const EvalReport& report);

// `results`: the rows of results.jsonl; `curves`: the run's metrics (may be empty).
std::string render_html(const EvalReport& report, const std::vector<core::Json>& results,
                        const std::vector<MetricCurve>& curves);

}  // namespace clinrl::eval
