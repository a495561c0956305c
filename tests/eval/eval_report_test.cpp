#include <catch2/catch.hpp>

#include <cmath>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/eval/compare.h"
#include "clinrl/eval/html_report.h"
#include "clinrl/eval/report.h"
#include "clinrl/eval/report_writer.h"
#include "clinrl/eval/suite_kind.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using Catch::Matchers::Contains;
using core::Json;

namespace {

rubric::MetricSummary metric(const std::string& name, double mean, double std, size_t n) {
  rubric::MetricSummary m;
  m.name = name;
  m.mean_clipped = mean;
  m.raw_mean = mean;
  m.bootstrap_std = std;
  m.n_samples = n;
  return m;
}

eval::EvalReport sample_report(double overall, double overall_std) {
  eval::EvalReport r;
  r.kind = "suite";
  r.created = "2025-01-01T00:00:00Z";
  r.metrics.metrics = {metric("axis:accuracy", 0.5, 0.1, 10), metric("axis:completeness", 0.25, 0.05, 8),
                       metric("level:example", 0.4, 0.0, 10), metric("overall_score", overall, overall_std, 10),
                       metric("theme:emergency_referrals", 0.75, 0.02, 4)};
  r.sources["suite"] = "suite.jsonl";
  r.counts["samples"] = 10;
  r.repeat_scores = {overall};
  return r;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A suite whose items the rule grader decides, and two sets of saved replies.
void write_replay_inputs(const fs::path& dir) {
  test::write_text(dir / "s.jsonl",
      R"({"prompt_id": "p1", "prompt": [{"role": "user", "content": "I have a cough"}], "example_tags": ["theme:t"], "rubrics": [{"criterion": "asks about fever", "points": 3, "tags": ["axis:completeness"], "match": {"any": ["fever"]}}, {"criterion": "mentions smoking", "points": 1, "tags": ["axis:accuracy"], "match": {"any": ["smoking"]}}]})"
      "\n"
      R"({"prompt_id": "p2", "prompt": [{"role": "user", "content": "My head hurts"}], "example_tags": ["theme:t"], "rubrics": [{"criterion": "asks about vision", "points": 2, "tags": ["axis:completeness"], "match": {"any": ["vision"]}}]})"
      "\n");
  // A: p1 meets both items (4/4 = 1), p2 meets none (0): overall 0.5.
  test::write_text(dir / "a.jsonl", "{\"prompt_id\": \"p1\", \"completion\": \"Any fever? Any smoking?\"}\n"
                                    "{\"prompt_id\": \"p2\", \"completion\": \"Rest.\"}\n");
  // B: p1 meets the fever item (3/4), p2 meets its item (1): overall 0.875.
  test::write_text(dir / "b.jsonl", "{\"prompt_id\": \"p1\", \"completion\": \"Any fever?\"}\n"
                                    "{\"prompt_id\": \"p2\", \"completion\": \"Any change in vision?\"}\n");
}

}  // namespace

TEST_CASE("eval report: JSON round trip and markdown tables", "[eval]") {
  auto report = sample_report(0.5, 0.03);
  Json j = report.to_json();
  CHECK(j["format"] == "clinrl-eval-report");
  CHECK(j["flat"]["score"] == 0.5);
  CHECK(j["flat"]["axis:accuracy:bootstrap_std"] == 0.1);
  auto back = eval::EvalReport::from_json(j, "r.json");
  CHECK(back.to_json() == j);
  CHECK_THROWS_WITH(eval::EvalReport::from_json(Json{{"metrics", Json::array()}}, "x.json"),
                    Contains("x.json") && Contains("not a clinrl eval report"));

  CHECK(eval::metric_group("axis:accuracy") == "axis");
  CHECK(eval::metric_group("overall_score") == "summary");
  CHECK(eval::metric_group("turns") == "summary");
  CHECK(eval::metric_group("cluster:x_y") == "cluster");
  CHECK(eval::metric_group("something") == "other");
  CHECK(eval::metric_label("theme:emergency_referrals") == "emergency_referrals");

  std::string md = eval::render_markdown(report);
  CHECK_THAT(md, Contains("## summary") && Contains("## axis") && Contains("## theme") && Contains("## level"));
  CHECK_THAT(md, Contains("| accuracy | 0.5000 | 0.1000 | 10 |"));
  CHECK_THAT(md, Contains("| overall_score | 0.5000 | 0.0300 | 10 |"));
  CHECK_THAT(md, Contains("- suite: `suite.jsonl`"));
}

TEST_CASE("eval report: the HTML is self-contained with one SVG per chart and error bars", "[eval]") {
  auto report = sample_report(0.5, 0.03);
  auto charts = eval::report_bar_charts(report);
  REQUIRE(charts.size() == 3);  // summary, per axis, per theme
  CHECK(charts[1].bars.size() == 2);
  CHECK(charts[1].bars[0].label == "accuracy");
  CHECK(charts[1].bars[0].error == 0.1);

  std::vector<eval::MetricCurve> curves = {{"reward_mean", {{1, 0.1}, {2, 0.3}, {3, NAN}, {4, 0.5}}},
                                           {"grad_norm", {{1, 2.0}, {2, 1.5}, {3, 1.0}, {4, 0.9}}}};
  std::vector<Json> results = {{{"prompt_id", "p<1>"},
                                {"repeat", 0},
                                {"completion", "see a doctor & rest"},
                                {"score", 0.5},
                                {"grades", Json::array({{{"criterion", "says <rest>"},
                                                         {"points", 2},
                                                         {"criteria_met", true},
                                                         {"explanation", "it does"}}})}}};
  std::string html = eval::render_html(report, results, curves);
  CHECK(count(html, "<svg") == 3 + 2);
  CHECK(count(html, "</svg>") == 3 + 2);
  CHECK(count(html, "class=\"chart bar-chart\"") == 3);
  CHECK(count(html, "class=\"chart line-chart\"") == 2);
  // One error bar per bar with a nonzero std: summary 1, axes 2, theme 1.
  CHECK(count(html, "class=\"errorbar\"") == 4);
  // The NaN splits reward_mean into a line and a point.
  CHECK(count(html, "<polyline") == 2);
  CHECK(count(html, "<circle") == 1);
  // Offline: nothing to fetch, nothing to run.
  for (const char* banned : {"http://", "https://", "<script", "src=", "url(", "@import", "<link"}) {
    INFO(banned);
    CHECK(html.find(banned) == std::string::npos);
  }
  // Text is escaped.
  CHECK_THAT(html, Contains("p&lt;1&gt;") && Contains("see a doctor &amp; rest") && Contains("says &lt;rest&gt;"));
  CHECK(html.find("p<1>") == std::string::npos);

  // Error bar geometry: the axis spans 0..1 over 400 px starting at x = 270,
  // so accuracy 0.5 ± 0.1 runs from x = 430 to x = 510.
  std::string svg = eval::render_bar_chart({"t", {{"accuracy", 0.5, 0.1}}, 1.0});
  CHECK_THAT(svg, Contains("<g class=\"errorbar\"><line x1=\"430.0\" y1=\"47.0\" x2=\"510.0\" y2=\"47.0\"/>"));
  CHECK_THAT(svg, Contains("width=\"200.0\""));  // the bar: 0.5 of 400 px
  // Rounding-noise stds draw no error bar.
  CHECK(eval::render_bar_chart({"t", {{"x", 0.6, 1e-17}}, 1.0}).find("errorbar") == std::string::npos);
}

TEST_CASE("eval compare: difference, combined noise and significance", "[eval]") {
  auto a = sample_report(0.5, 0.03);
  auto b = sample_report(0.6, 0.04);
  b.metrics.metrics[0] = metric("axis:accuracy", 0.55, 0.04, 10);  // A: 0.5 ± 0.1
  b.metrics.metrics.push_back(metric("theme:new", 0.2, 0.01, 3));
  auto c = eval::compare_reports(a, b, "A", "B");
  REQUIRE(c.rows.size() == 6);
  const auto& overall = c.rows[3];
  REQUIRE(overall.name == "overall_score");
  CHECK(*overall.difference == Approx(0.1));
  CHECK(*overall.noise == Approx(0.05));  // sqrt(0.03^2 + 0.04^2)
  CHECK(*overall.significant);            // 0.1 > 1.96 * 0.05 = 0.098
  const auto& accuracy = c.rows[0];
  CHECK(*accuracy.difference == Approx(0.05));
  CHECK(*accuracy.noise == Approx(std::sqrt(0.01 + 0.0016)));
  CHECK_FALSE(*accuracy.significant);
  CHECK_FALSE(c.rows[2].significant.has_value());  // level:example: no noise on either side
  CHECK(*c.rows[2].difference == 0.0);
  CHECK(c.rows[5].name == "theme:new");  // only in B
  CHECK_FALSE(c.rows[5].a.has_value());
  CHECK_FALSE(c.rows[5].difference.has_value());
  // Stds at rounding-noise level (identical resample means) do not decide anything.
  eval::EvalReport x, y;
  x.metrics.metrics = {metric("m", 0.6, 1e-17, 5)};
  y.metrics.metrics = {metric("m", 0.6 + 1e-16, 1e-17, 5)};
  CHECK_FALSE(eval::compare_reports(x, y, "x", "y").rows[0].significant.has_value());
  // A stricter threshold flips the overall verdict: 0.1 < 2.5 * 0.05.
  CHECK_FALSE(*eval::compare_reports(a, b, "A", "B", 2.5).rows[3].significant);

  std::string table = c.table();
  CHECK_THAT(table, Contains("overall_score") && Contains("0.5000") && Contains("0.6000") && Contains("+0.1000") &&
                        Contains("0.0500") && Contains("yes"));
  Json j = c.to_json();
  CHECK(j["metrics"][3]["significant"] == true);
  CHECK(j["metrics"][2]["significant"].is_null());
  CHECK_THAT(c.markdown(), Contains("| overall_score | 0.5000 | 0.6000 | +0.1000 | 0.0500 | yes |"));
}

TEST_CASE("eval report: writes are atomic; a failed or abandoned write leaves the previous report", "[eval]") {
  test::TempDir dir;
  const fs::path out = dir / "report";
  eval::write_report(out, sample_report(0.5, 0.03), {}, {});
  for (const char* f : {"report.json", "report.md", "report.html", "results.jsonl"}) CHECK(fs::exists(out / f));
  const std::string before = test::read_text(out / "report.json");

  {
    // Killed midway: some files staged, never committed.
    eval::ReportDirectoryWriter writer(out);
    writer.add("report.json", "{\"half\": ");
    CHECK(fs::exists(writer.staging()));
  }
  CHECK(test::read_text(out / "report.json") == before);
  CHECK(fs::exists(out / "report.html"));
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) entries += e.path().filename() != "report";
  CHECK(entries == 0);  // the staging directory is gone

  // A rewrite replaces the whole set.
  eval::write_report(out, sample_report(0.7, 0.01), {}, {});
  CHECK(eval::EvalReport::load(out).metrics.find("overall_score")->mean_clipped == 0.7);

  // Directories that are not reports are never replaced.
  test::write_text(dir / "notes/keep.txt", "mine");
  CHECK_THROWS_WITH(eval::write_report(dir / "notes", sample_report(0.5, 0.03), {}, {}),
                    Contains("holds no eval report"));
  CHECK(test::read_text(dir / "notes/keep.txt") == "mine");
  test::write_text(dir / "file.txt", "x");
  CHECK_THROWS_WITH(eval::write_report(dir / "file.txt", sample_report(0.5, 0.03), {}, {}),
                    Contains("not a directory"));
  CHECK(test::read_text(dir / "file.txt") == "x");
}

TEST_CASE("eval CLI: replay, compare, and clear errors", "[eval]") {
  test::TempDir dir;
  write_replay_inputs(dir.path());
  const std::string suite = (dir / "s.jsonl").string();
  auto a = test::run_clinrl("eval --suite " + suite + " --completions " + (dir / "a.jsonl").string() + " --out " +
                            (dir / "ra").string() + " --set bootstrap.samples=100");
  // bootstrap.samples is not a key: the error names it.
  CHECK(a.status == 2);
  CHECK_THAT(a.output, Contains("bootstrap"));

  a = test::run_clinrl("eval --suite " + suite + " --completions " + (dir / "a.jsonl").string() + " --out " +
                       (dir / "ra").string() + " --set bootstrap.bootstrap_samples=200");
  INFO(a.output);
  REQUIRE(a.status == 0);
  CHECK_THAT(a.output, Contains("overall_score 0.5000"));
  Json ra = core::read_json_file(dir / "ra/report.json");
  CHECK(ra["kind"] == "replay");
  CHECK(ra["flat"]["overall_score"] == 0.5);
  CHECK(ra["flat"]["axis:completeness"] == 0.5);  // p1 3/3, p2 0/2
  CHECK(ra["flat"]["axis:accuracy:n_samples"] == 1);
  CHECK(ra["config"]["bootstrap"]["bootstrap_samples"] == 200);
  size_t lines = 0;
  core::read_jsonl(dir / "ra/results.jsonl", [&](size_t, Json&& row) {
    ++lines;
    CHECK(row.contains("grades"));
  });
  CHECK(lines == 2);

  auto b = test::run_clinrl("eval --suite " + suite + " --completions " + (dir / "b.jsonl").string() + " --out " +
                            (dir / "rb").string());
  REQUIRE(b.status == 0);
  auto cmp = test::run_clinrl("eval compare " + (dir / "ra").string() + " " + (dir / "rb/report.json").string() +
                              " --out " + (dir / "cmp").string());
  INFO(cmp.output);
  REQUIRE(cmp.status == 0);
  CHECK_THAT(cmp.output, Contains("overall_score") && Contains("+0.3750"));
  Json cj = core::read_json_file(dir / "cmp/compare.json");
  CHECK(cj["metrics"][0]["name"].is_string());
  for (const auto& row : cj["metrics"])
    if (row["name"] == "overall_score") CHECK(row["difference"].get<double>() == Approx(0.375));
  CHECK(fs::exists(dir / "cmp/compare.md"));

  // Neither a suite nor a record set.
  test::write_text(dir / "odd.jsonl", "{\"hello\": 1}\n");
  auto odd = test::run_clinrl("eval --suite " + (dir / "odd.jsonl").string() + " --completions " +
                              (dir / "a.jsonl").string() + " --out " + (dir / "ro").string());
  CHECK(odd.status == 2);
  CHECK_THAT(odd.output, Contains("odd.jsonl:1") && Contains("HealthBench") && Contains("record"));
  CHECK_THROWS_WITH(eval::detect_suite_kind(dir / "missing.jsonl"), Contains("missing.jsonl"));
  // Replay with a subsample is refused.
  auto sub = test::run_clinrl("eval --suite " + suite + " --completions " + (dir / "a.jsonl").string() + " --out " +
                              (dir / "rs").string() + " --examples 1");
  CHECK(sub.status == 2);
  CHECK_THAT(sub.output, Contains("--examples"));
  // The effective config: flags over --set over defaults (--print-config is
  // deprecated for config show --kind eval, which has no eval flags).
  auto cfg = test::run_clinrl("eval --print-config --set n_repeats=2 --n-repeats 3 --judge local:/nowhere");
  REQUIRE(cfg.status == 0);
  CHECK_THAT(cfg.output, Contains("\"n_repeats\": 3") && Contains("\"grader\": \"llm\"") &&
                             Contains("\"judge_model\": \"local:/nowhere\"") &&
                             Contains("clinrl: --print-config is deprecated, use clinrl config show --kind eval"));
  // Nothing to evaluate.
  auto none = test::run_clinrl("eval --suite " + suite + " --out " + (dir / "rn").string());
  CHECK(none.status == 2);
  CHECK_THAT(none.output, Contains("--checkpoint") && Contains("--completions"));
}
