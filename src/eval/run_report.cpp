#include "clinrl/eval/run_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/eval/html_report.h"
#include "clinrl/eval/run_curves.h"
#include "clinrl/eval/svg_chart.h"
#include "clinrl/rl/metrics_log.h"

namespace fs = std::filesystem;

namespace clinrl::eval {
namespace {

const char* const kRunStyle = R"(
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.side > div { min-width: 0; }
.episode { border: 1px solid #e2e8f0; border-radius: 4px; padding: 4px 10px; margin: 8px 0; }
.episode h4 { margin: 6px 0; font-size: 14px; }
)";

// The charts drawn first, in this order: one key alone, or several keys
// together in one chart (title given). The reward chart comes before them and
// every other key, alone, after them.
struct CurveChart {
  const char* title;  // nullptr: the key's name
  std::vector<const char*> keys;
};
const std::vector<CurveChart>& leading_charts() {
  static const std::vector<CurveChart> charts = {
      {nullptr, {"rubric_mean"}},
      {nullptr, {"diagnosis_accuracy"}},
      {nullptr, {"must_ask_coverage"}},
      {nullptr, {"turns_per_episode"}},
      {nullptr, {"entropy"}},
      {"KL", {"approx_kl", "kl"}},
      {"clip fractions", {"clip_fraction", "clip_fraction_low", "clip_fraction_high", "dual_clip_fraction"}},
      {nullptr, {"grad_norm"}},
      {"step time split (s)", {"seconds_rollout", "seconds_grade", "seconds_train"}},
  };
  return charts;
}
// The reward chart: the mean, mean ± std, min and max.
const char* const kRewardKeys[] = {"reward_mean", "reward_std", "reward_min", "reward_max"};

// The comparison metrics of eval.json, in table order.
const char* const kEvalMetrics[] = {"rubric", "diagnosis_accuracy", "must_ask_coverage", "turns"};

std::string fixed(double v, int digits = 4) {
  if (!std::isfinite(v)) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string esc(const std::string& s) { return escape_xml(s); }

std::string text_of(const core::Json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : core::dump_json(*it);
}

const MetricCurve* find_curve(const std::vector<MetricCurve>& curves, const std::string& name) {
  for (const auto& c : curves)
    if (c.name == name) return &c;
  return nullptr;
}

// The finite points only (a sparse key such as sft_val_loss becomes one line).
std::vector<std::pair<double, double>> finite_points(const MetricCurve& c) {
  std::vector<std::pair<double, double>> out;
  for (const auto& p : c.points)
    if (std::isfinite(p.first) && std::isfinite(p.second)) out.push_back(p);
  return out;
}

std::vector<LineChart> training_charts(const std::vector<MetricCurve>& curves) {
  std::vector<LineChart> charts;
  std::vector<std::string> drawn;
  if (const MetricCurve* mean = find_curve(curves, "reward_mean")) {
    LineChart reward{"reward (mean, mean ± std, min, max)", "step", {{"mean", mean->points}}};
    if (const MetricCurve* sd = find_curve(curves, "reward_std")) {
      LineSeries hi{"mean + std", {}}, lo{"mean - std", {}};
      for (size_t i = 0; i < mean->points.size() && i < sd->points.size(); ++i) {
        const auto [x, m] = mean->points[i];
        hi.points.emplace_back(x, m + sd->points[i].second);
        lo.points.emplace_back(x, m - sd->points[i].second);
      }
      reward.series.push_back(std::move(hi));
      reward.series.push_back(std::move(lo));
    }
    if (const MetricCurve* c = find_curve(curves, "reward_min")) reward.series.push_back({"min", c->points});
    if (const MetricCurve* c = find_curve(curves, "reward_max")) reward.series.push_back({"max", c->points});
    charts.push_back(std::move(reward));
    drawn.assign(std::begin(kRewardKeys), std::end(kRewardKeys));
  }
  for (const auto& planned : leading_charts()) {
    LineChart chart{planned.title ? planned.title : planned.keys.front(), "step", {}};
    for (const char* key : planned.keys)
      if (const MetricCurve* c = find_curve(curves, key)) {
        chart.series.push_back({key, c->points});
        drawn.push_back(key);
      }
    if (!chart.series.empty()) charts.push_back(std::move(chart));
  }
  for (const auto& c : curves)
    if (std::find(drawn.begin(), drawn.end(), c.name) == drawn.end()) charts.push_back({c.name, "step", {{c.name, c.points}}});
  return charts;
}

std::vector<LineChart> sft_charts(const std::vector<MetricCurve>& curves) {
  std::vector<LineChart> charts;
  LineChart loss{"SFT loss (train, validation)", "SFT step", {}};
  if (const MetricCurve* c = find_curve(curves, "sft_loss")) loss.series.push_back({"train", finite_points(*c)});
  if (const MetricCurve* c = find_curve(curves, "sft_val_loss")) loss.series.push_back({"validation", finite_points(*c)});
  if (!loss.series.empty()) charts.push_back(std::move(loss));
  for (const auto& c : curves)
    if (c.name != "sft_loss" && c.name != "sft_val_loss")
      charts.push_back({"SFT " + c.name, "SFT step", {{c.name, finite_points(c)}}});
  return charts;
}

// A number of eval.json's "sft"/"grpo" object, and its bootstrap std when present.
struct Score {
  std::optional<double> value, std;
};
Score eval_score(const RunReportData& data, const char* policy, const std::string& metric) {
  Score s;
  if (!data.eval || !data.eval->contains(policy) || !(*data.eval)[policy].is_object()) return s;
  const core::Json& o = (*data.eval)[policy];
  if (o.contains(metric) && o[metric].is_number()) s.value = o[metric].get<double>();
  if (o.contains(metric + "_std") && o[metric + "_std"].is_number()) s.std = o[metric + "_std"].get<double>();
  return s;
}

std::string score_text(const Score& s, const char* plus_minus) {
  if (!s.value) return "n/a";
  std::string out = fixed(*s.value);
  if (s.std) out += std::string(plus_minus) + fixed(*s.std);
  return out;
}

std::string change_text(const Score& sft, const Score& grpo) {
  if (!sft.value || !grpo.value) return "n/a";
  const double d = *grpo.value - *sft.value;
  return (d >= 0 ? "+" : "") + fixed(d);
}

bool has_policy(const RunReportData& data, const char* policy) {
  return data.eval && data.eval->contains(policy) && (*data.eval)[policy].is_object();
}

std::vector<BarChart> comparison_charts(const RunReportData& data) {
  BarChart scores{"Held-out scores", {}, 1.0};
  BarChart turns{"Held-out doctor turns per episode", {}, 1.0};
  const bool any_std = [&] {
    for (const char* m : kEvalMetrics)
      if (eval_score(data, "sft", m).std || eval_score(data, "grpo", m).std) return true;
    return false;
  }();
  if (any_std) scores.title += " (mean ± bootstrap std)", turns.title += " (mean ± bootstrap std)";
  for (const char* metric : kEvalMetrics)
    for (const auto& [policy, label] : {std::pair{"sft", "SFT"}, std::pair{"grpo", "GRPO"}}) {
      const Score s = eval_score(data, policy, metric);
      if (!s.value) continue;
      Bar bar{core::format("{}: {}", metric, label), *s.value, s.std.value_or(0.0)};
      (std::string(metric) == "turns" ? turns : scores).bars.push_back(bar);
    }
  std::vector<BarChart> out;
  for (auto* c : {&scores, &turns})
    if (!c->bars.empty()) out.push_back(*c);
  return out;
}

void html_episode(std::ostringstream& h, const core::Json& e) {
  h << "<div class=\"episode\"><h4><code>" << esc(text_of(e, "record_id")) << "</code>";
  const std::string reason = text_of(e, "termination_reason");
  if (!reason.empty()) h << ", ended by " << esc(reason);
  h << "</h4>\n";
  const std::string diagnosis = text_of(e, "diagnosis");
  if (!diagnosis.empty()) h << "<div>diagnosis: <b>" << esc(diagnosis) << "</b></div>\n";
  h << "<pre>";
  if (e.contains("turns") && e["turns"].is_array())
    for (const auto& t : e["turns"]) {
      const std::string role = text_of(t, "role");
      h << "<span class=\"turn-" << esc(role) << "\">" << esc(role) << ": " << esc(text_of(t, "text")) << "</span>\n";
    }
  h << "</pre></div>\n";
}

void html_samples(std::ostringstream& h, const RunSamples& s, const char* which) {
  const size_t n = s.episodes.size();
  h << "<div><h3>" << which << ": step " << s.step << "</h3>\n<p class=\"meta\">";
  if (n > kRunReportSampleEpisodes) h << "The first " << kRunReportSampleEpisodes << " of ";
  h << n << (n == 1 ? " dialogue" : " dialogues") << " in <code>samples/step-" << s.step << ".json</code>.</p>\n";
  for (size_t i = 0; i < n && i < kRunReportSampleEpisodes; ++i) html_episode(h, s.episodes[i]);
  h << "</div>\n";
}

struct Summary {
  size_t n = 0;
  double first = NAN, last = NAN, lo = NAN, hi = NAN;
};
Summary summarise(const MetricCurve& c) {
  Summary s;
  for (const auto& [x, y] : c.points) {
    if (!std::isfinite(y)) continue;
    if (s.n++ == 0) s.first = s.lo = s.hi = y;
    s.last = y;
    s.lo = std::min(s.lo, y);
    s.hi = std::max(s.hi, y);
  }
  return s;
}

void markdown_curve_table(std::ostringstream& m, const std::vector<MetricCurve>& curves) {
  m << "| metric | first | last | min | max |\n|---|---:|---:|---:|---:|\n";
  for (const auto& c : curves) {
    const Summary s = summarise(c);
    // Counts (tokens, groups, requests) as integers, every other key with 4 decimals.
    const bool counts = std::all_of(c.points.begin(), c.points.end(), [](const auto& p) {
      return !std::isfinite(p.second) || (p.second == std::floor(p.second) && std::abs(p.second) < 1e15);
    });
    const int digits = counts ? 0 : 4;
    m << "| " << c.name << " | " << fixed(s.first, digits) << " | " << fixed(s.last, digits) << " | "
      << fixed(s.lo, digits) << " | " << fixed(s.hi, digits) << " |\n";
  }
}

// One line of a markdown paragraph: no line breaks, and nothing read as a table cell or HTML.
std::string md_inline(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') out += ' ';
    else if (c == '|' || c == '<' || c == '>' || c == '*' || c == '_' || c == '`' || c == '\\') out += '\\', out += c;
    else out += c;
  }
  return out;
}

void markdown_samples(std::ostringstream& m, const RunSamples& s, const char* which) {
  m << "### " << which << ": step " << s.step << "\n\n";
  if (s.episodes.empty()) {
    m << "No dialogues.\n\n";
    return;
  }
  const core::Json& e = s.episodes[0];
  m << "Record `" << text_of(e, "record_id") << "`";
  if (!text_of(e, "termination_reason").empty()) m << ", ended by " << text_of(e, "termination_reason");
  m << " (the first of " << s.episodes.size() << " in `samples/step-" << s.step << ".json`).\n\n";
  if (e.contains("turns") && e["turns"].is_array())
    for (const auto& t : e["turns"]) m << "- **" << md_inline(text_of(t, "role")) << ":** " << md_inline(text_of(t, "text")) << "\n";
  m << "\n";
}

std::optional<RunSamples> read_samples(const fs::path& path, int64_t step) {
  core::Json rows = core::read_json_file(path);
  if (!rows.is_array()) throw UserError(core::format("{}: expected an array of episodes", path.string()));
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].is_object()) throw UserError(core::format("{}: episode {} is not an object", path.string(), i + 1));
  return RunSamples{step, std::move(rows)};
}

}  // namespace

RunReportData load_run_report(const fs::path& run_dir) {
  RunReportData data;
  data.run_dir = run_dir;
  const fs::path metrics = run_dir / "metrics.jsonl";
  std::error_code ec;
  if (!fs::is_regular_file(metrics, ec))
    throw UserError(core::format("{} not found: {} is not a training run directory", metrics.string(), run_dir.string()));
  data.metrics = rl::read_metrics(metrics);
  if (data.metrics.empty()) throw UserError(core::format("{}: no rows", metrics.string()));
  data.sft_metrics = rl::read_metrics(run_dir / "sft_metrics.jsonl");
  const fs::path eval = run_dir / "eval.json";
  if (fs::is_regular_file(eval, ec)) {
    data.eval = core::read_json_file(eval);
    if (!data.eval->is_object()) throw UserError(core::format("{}: expected an object", eval.string()));
  }
  // samples/step-N.json: the lowest and the highest N.
  std::vector<std::pair<int64_t, fs::path>> steps;
  if (fs::is_directory(run_dir / "samples", ec))
    for (const auto& entry : fs::directory_iterator(run_dir / "samples", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.size() <= 10 || name.rfind("step-", 0) != 0 || name.substr(name.size() - 5) != ".json") continue;
      int64_t step = 0;
      const char* begin = name.data() + 5;
      const char* end = name.data() + name.size() - 5;
      auto [ptr, err] = std::from_chars(begin, end, step);
      if (err == std::errc() && ptr == end) steps.emplace_back(step, entry.path());
    }
  std::sort(steps.begin(), steps.end());
  if (!steps.empty()) data.early = read_samples(steps.front().second, steps.front().first);
  if (steps.size() > 1) data.late = read_samples(steps.back().second, steps.back().first);
  return data;
}

std::string render_run_report_html(const RunReportData& data) {
  const std::vector<MetricCurve> curves = metric_curves(data.metrics);
  const std::vector<MetricCurve> sft = metric_curves(data.sft_metrics);
  const std::string dir = data.run_dir.string();
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>clinrl training report ("
    << esc(data.run_dir.filename().string()) << ")</title>\n<style>" << html_report_style() << kRunStyle
    << "</style>\n</head>\n<body>\n";
  h << "<h1>clinrl training report</h1>\n<div class=\"meta\">Run directory <code>" << esc(dir) << "</code><ul>\n";
  h << "<li>GRPO steps logged: " << data.metrics.size() << "</li>\n";
  if (!data.sft_metrics.empty()) h << "<li>SFT steps logged: " << data.sft_metrics.size() << "</li>\n";
  if (data.eval)
    for (const char* key : {"reward_first5", "reward_last5"})
      if (data.eval->contains(key) && (*data.eval)[key].is_number())
        h << "<li>" << key << ": " << fixed((*data.eval)[key].get<double>()) << "</li>\n";
  h << "</ul></div>\n";

  h << "<h2>Held-out evaluation: SFT vs GRPO</h2>\n";
  if (!data.eval) {
    h << "<p class=\"meta\">No <code>eval.json</code> in the run directory.</p>\n";
  } else {
    h << "<p class=\"meta\">From <code>eval.json</code>: greedy dialogues on held-out records";
    if (has_policy(data, "grpo") && (*data.eval)["grpo"].contains("episodes"))
      h << " (" << esc(text_of((*data.eval)["grpo"], "episodes")) << " episodes per policy)";
    h << ".</p>\n<table><tr><th>metric</th><th>SFT</th><th>GRPO</th><th>GRPO − SFT</th></tr>\n";
    for (const char* metric : kEvalMetrics) {
      const Score s = eval_score(data, "sft", metric), g = eval_score(data, "grpo", metric);
      h << "<tr><td>" << metric << "</td><td class=\"num\">" << esc(score_text(s, " ± ")) << "</td><td class=\"num\">"
        << esc(score_text(g, " ± ")) << "</td><td class=\"num\">" << esc(change_text(s, g)) << "</td></tr>\n";
    }
    h << "</table>\n<div class=\"charts\">\n";
    for (const auto& chart : comparison_charts(data)) h << render_bar_chart(chart);
    h << "</div>\n";
  }

  h << "<h2>GRPO training curves</h2>\n<p class=\"meta\">From <code>metrics.jsonl</code>, one point per step; "
       "a gap is a step without that value.</p>\n<div class=\"charts\">\n";
  for (const auto& chart : training_charts(curves)) h << render_line_chart(chart);
  h << "</div>\n";

  h << "<h2>SFT</h2>\n";
  if (sft.empty()) {
    h << "<p class=\"meta\">No <code>sft_metrics.jsonl</code> in the run directory.</p>\n";
  } else {
    h << "<p class=\"meta\">From <code>sft_metrics.jsonl</code>.</p>\n<div class=\"charts\">\n";
    for (const auto& chart : sft_charts(sft)) h << render_line_chart(chart);
    h << "</div>\n";
  }

  h << "<h2>Sample dialogues</h2>\n";
  if (!data.early) {
    h << "<p class=\"meta\">No <code>samples/step-N.json</code> in the run directory.</p>\n";
  } else {
    h << "<div class=\"side\">\n";
    html_samples(h, *data.early, "Early");
    if (data.late) html_samples(h, *data.late, "Late");
    h << "</div>\n";
  }
  h << "</body>\n</html>\n";
  return h.str();
}

std::string render_run_report_markdown(const RunReportData& data) {
  std::ostringstream m;
  m << "# clinrl training report\n\nRun directory `" << data.run_dir.string() << "`: " << data.metrics.size()
    << " GRPO steps";
  if (!data.sft_metrics.empty()) m << ", " << data.sft_metrics.size() << " SFT steps";
  m << ". The charts are in report.html.\n\n## Held-out evaluation: SFT vs GRPO\n\n";
  if (!data.eval) {
    m << "No eval.json in the run directory.\n\n";
  } else {
    m << "| metric | SFT | GRPO | GRPO - SFT |\n|---|---:|---:|---:|\n";
    for (const char* metric : kEvalMetrics) {
      const Score s = eval_score(data, "sft", metric), g = eval_score(data, "grpo", metric);
      m << "| " << metric << " | " << score_text(s, " ± ") << " | " << score_text(g, " ± ") << " | " << change_text(s, g)
        << " |\n";
    }
    m << "\n";
  }
  m << "## GRPO training curves\n\n";
  markdown_curve_table(m, metric_curves(data.metrics));
  m << "\n## SFT\n\n";
  if (data.sft_metrics.empty()) m << "No sft_metrics.jsonl in the run directory.\n";
  else markdown_curve_table(m, metric_curves(data.sft_metrics));
  m << "\n## Sample dialogues\n\n";
  if (!data.early) m << "No samples/step-N.json in the run directory.\n";
  if (data.early) markdown_samples(m, *data.early, "Early");
  if (data.late) markdown_samples(m, *data.late, "Late");
  return m.str();
}

RunReportFiles write_run_report(const fs::path& run_dir, const fs::path& out_dir) {
  const RunReportData data = load_run_report(run_dir);
  fs::create_directories(out_dir);
  RunReportFiles files{out_dir / "report.html", out_dir / "report.md"};
  core::write_file_atomic(files.html, render_run_report_html(data));
  core::write_file_atomic(files.markdown, render_run_report_markdown(data));
  return files;
}

}  // namespace clinrl::eval
