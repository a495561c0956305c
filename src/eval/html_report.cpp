#include "clinrl/eval/html_report.h"

#include <cstdio>
#include <sstream>

namespace clinrl::eval {
namespace {

const char* const kStyle = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1120px;
       color: #1a202c; background: #fff; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #e2e8f0; }
.meta { color: #4a5568; font-size: 14px; } .meta code { background: #f7fafc; padding: 1px 4px; }
.headline { font-size: 20px; margin: 12px 0; } .headline b { font-size: 28px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #e2e8f0; border-radius: 4px; }
svg .chart-title { font-size: 14px; font-weight: 600; fill: #1a202c; }
svg .label, svg .value { font-size: 12px; fill: #2d3748; } svg .legend { font-size: 12px; } svg .tick, svg .axis-label { font-size: 11px; fill: #718096; }
svg .grid { stroke: #edf2f7; stroke-width: 1; } svg .frame { fill: none; stroke: #cbd5e0; }
svg .bar { fill: #4299e1; } svg .errorbar line { stroke: #1a202c; stroke-width: 1.5; }
svg .series { stroke-width: 1.8; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f7fafc; }
details { margin: 4px 0 10px 0; } summary { cursor: pointer; }
pre { white-space: pre-wrap; background: #f7fafc; padding: 8px; font-size: 13px; margin: 4px 0; }
.met { color: #276749; } .unmet { color: #9b2c2c; } .ungraded { color: #975a16; }
.turn-doctor { color: #2b6cb0; } .turn-patient { color: #2d3748; }
)";

std::string esc(const std::string& s) { return escape_xml(s); }

std::string fixed(double v, int digits = 4) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string json_number(const core::Json& j, int digits = 4) {
  return j.is_number() ? fixed(j.get<double>(), digits) : std::string("n/a");
}

std::string json_text(const core::Json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end()) return "";
  return it->is_string() ? it->get<std::string>() : core::dump_json(*it);
}

void metric_tables(std::ostringstream& h, const EvalReport& report) {
  for (const auto& group : metric_groups(report.metrics)) {
    h << "<h3>" << esc(group) << "</h3>\n<table><tr><th>metric</th><th>mean</th><th>± bootstrap std</th><th>n</th></tr>\n";
    for (const auto& m : report.metrics.metrics)
      if (metric_group(m.name) == group)
        h << "<tr><td>" << esc(metric_label(m.name)) << "</td><td class=\"num\">" << fixed(m.mean_clipped)
          << "</td><td class=\"num\">" << fixed(m.bootstrap_std) << "</td><td class=\"num\">" << m.n_samples
          << "</td></tr>\n";
    h << "</table>\n";
  }
}

void grade_list(std::ostringstream& h, const core::Json& grades) {
  h << "<table><tr><th>points</th><th>met</th><th>criterion</th><th>explanation</th></tr>\n";
  for (const auto& g : grades) {
    const core::Json& met = g.contains("criteria_met") ? g["criteria_met"] : core::Json(nullptr);
    std::string cls = met.is_boolean() ? (met.get<bool>() ? "met" : "unmet") : "ungraded";
    std::string word = met.is_boolean() ? (met.get<bool>() ? "yes" : "no") : "ungraded";
    h << "<tr><td class=\"num\">" << esc(json_text(g, "points")) << "</td><td class=\"" << cls << "\">" << word
      << "</td><td>" << esc(json_text(g, "criterion")) << "</td><td>" << esc(json_text(g, "explanation"))
      << "</td></tr>\n";
  }
  h << "</table>\n";
}

void suite_results(std::ostringstream& h, const std::vector<core::Json>& results) {
  for (size_t i = 0; i < results.size() && i < kHtmlMaxResults; ++i) {
    const auto& r = results[i];
    h << "<details><summary><code>" << esc(json_text(r, "prompt_id")) << "</code> repeat "
      << esc(json_text(r, "repeat")) << ": score " << json_number(r.value("score", core::Json(nullptr)), 3)
      << "</summary>\n<pre>" << esc(json_text(r, "completion")) << "</pre>\n";
    if (r.contains("grades")) grade_list(h, r["grades"]);
    h << "</details>\n";
  }
}

void dialogue_results(std::ostringstream& h, const std::vector<core::Json>& results) {
  for (size_t i = 0; i < results.size() && i < kHtmlMaxResults; ++i) {
    const auto& r = results[i];
    h << "<details><summary><code>" << esc(json_text(r, "record_id")) << "</code> episode "
      << esc(json_text(r, "repeat")) << ": rubric " << json_number(r.value("score", core::Json(nullptr)), 3)
      << ", diagnosis " << (r.value("diagnosis_correct", false) ? "correct" : "not correct") << ", "
      << esc(json_text(r, "doctor_turns")) << " doctor turns, ended by "
      << esc(r.value("truncated", false) ? std::string("the token cap") : json_text(r, "termination_reason"))
      << "</summary>\n<pre>";
    if (r.contains("transcript") && r["transcript"].contains("turns"))
      for (const auto& t : r["transcript"]["turns"]) {
        std::string role = json_text(t, "role");
        h << "<span class=\"turn-" << esc(role) << "\">" << esc(role) << ": " << esc(json_text(t, "text"))
          << "</span>\n";
      }
    h << "</pre>\n";
    if (r.contains("grades")) grade_list(h, r["grades"]);
    h << "</details>\n";
  }
}

}  // namespace

const char* html_report_style() { return kStyle; }

std::vector<BarChart> report_bar_charts(const EvalReport& report) {
  std::vector<BarChart> charts;
  BarChart summary{"Summary (mean ± bootstrap std)", {}, 1.0};
  for (const char* name : {"overall_score", "diagnosis_accuracy", "must_ask_coverage"})
    if (const auto* m = report.metrics.find(name)) summary.bars.push_back({name, m->mean_clipped, m->bootstrap_std});
  if (!summary.bars.empty()) charts.push_back(summary);
  const std::vector<std::pair<std::string, std::string>> groups = {
      {"axis", "Per axis"}, {"theme", "Per theme"}, {"dimension", "Per dimension"}, {"specialty", "Per specialty"}};
  for (const auto& [group, title] : groups) {
    BarChart c{title + " (mean ± bootstrap std)", {}, 1.0};
    for (const auto& m : report.metrics.metrics)
      if (metric_group(m.name) == group) c.bars.push_back({metric_label(m.name), m.mean_clipped, m.bootstrap_std});
    if (!c.bars.empty()) charts.push_back(c);
  }
  return charts;
}

std::string render_html(const EvalReport& report, const std::vector<core::Json>& results,
                        const std::vector<MetricCurve>& curves) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>clinrl eval report ("
    << esc(report.kind) << ")</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  h << "<h1>clinrl eval report</h1>\n<div class=\"meta\">" << esc(report.kind) << " evaluation";
  if (!report.created.empty()) h << ", " << esc(report.created);
  h << "<ul>\n";
  for (auto it = report.sources.begin(); it != report.sources.end(); ++it)
    if (it.value().is_string() && !it.value().get<std::string>().empty())
      h << "<li>" << esc(it.key()) << ": <code>" << esc(it.value().get<std::string>()) << "</code></li>\n";
  for (auto it = report.counts.begin(); it != report.counts.end(); ++it)
    h << "<li>" << esc(it.key()) << ": " << esc(it.value().is_string() ? it.value().get<std::string>() : core::dump_json(it.value()))
      << "</li>\n";
  for (auto it = report.timings.begin(); it != report.timings.end(); ++it)
    if (it.value().is_number()) h << "<li>" << esc(it.key()) << ": " << fixed(it.value().get<double>(), 3) << "</li>\n";
  h << "</ul></div>\n";
  if (const auto* overall = report.metrics.find("overall_score"))
    h << "<p class=\"headline\">overall_score <b>" << fixed(overall->mean_clipped, 4) << "</b> ± "
      << fixed(overall->bootstrap_std, 4) << " (bootstrap std, n = " << overall->n_samples << ")</p>\n";

  h << "<h2>Scores</h2>\n<div class=\"charts\">\n";
  for (const auto& chart : report_bar_charts(report)) h << render_bar_chart(chart);
  h << "</div>\n";

  if (!curves.empty()) {
    h << "<h2>Training curves</h2>\n<p class=\"meta\">From <code>"
      << esc(report.sources.value("run_dir", std::string())) << "/metrics.jsonl</code>.</p>\n<div class=\"charts\">\n";
    for (const auto& c : curves) h << render_line_chart(LineChart{c.name, "step", {{c.name, c.points}}});
    h << "</div>\n";
  }

  h << "<h2>Metrics</h2>\n<p class=\"meta\">Means are clipped to [0, 1] as in HealthBench (turns are not); n counts "
       "the samples carrying the metric.</p>\n";
  metric_tables(h, report);
  if (report.repeat_scores.size() > 1) {
    h << "<h3>overall score per repeat</h3>\n<table><tr><th>repeat</th><th>overall_score</th></tr>\n";
    for (size_t r = 0; r < report.repeat_scores.size(); ++r)
      h << "<tr><td class=\"num\">" << r << "</td><td class=\"num\">" << fixed(report.repeat_scores[r]) << "</td></tr>\n";
    h << "</table>\n";
  }

  h << "<h2>" << (report.kind == "dialogues" ? "Episodes" : "Examples") << "</h2>\n<p class=\"meta\">";
  if (results.size() > kHtmlMaxResults) h << "The first " << kHtmlMaxResults << " of " << results.size() << ". ";
  h << "All of them are in <code>results.jsonl</code>.</p>\n";
  if (report.kind == "dialogues") dialogue_results(h, results);
  else suite_results(h, results);
  h << "</body>\n</html>\n";
  return h.str();
}

}  // namespace clinrl::eval
