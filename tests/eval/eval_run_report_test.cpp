#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/core/progress.h"
#include "clinrl/eval/run_report.h"
#include "clinrl/eval/svg_chart.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using Catch::Matchers::Contains;

namespace {

// A run directory as the trainer leaves it, by hand: three GRPO steps, two SFT
// steps, eval.json with bootstrap std for the GRPO policy only, and samples
// written at steps 1 and 3.
void write_run(const fs::path& dir) {
  test::write_text(dir / "metrics.jsonl",
                   "{\"step\":1,\"reward_mean\":0.1,\"reward_std\":0.05,\"reward_min\":0.0,\"reward_max\":0.2,"
                   "\"rubric_mean\":0.3,\"entropy\":2.5,\"kl\":null,\"approx_kl\":0.01,\"clip_fraction\":0.0,"
                   "\"grad_norm\":1.5,\"seconds_rollout\":3.0,\"seconds_grade\":0.5,\"seconds_train\":1.0}\n"
                   "{\"step\":2,\"reward_mean\":0.2,\"reward_std\":0.04,\"reward_min\":0.1,\"reward_max\":0.3,"
                   "\"rubric_mean\":0.35,\"entropy\":2.4,\"kl\":0.02,\"approx_kl\":0.02,\"clip_fraction\":0.1,"
                   "\"grad_norm\":1.25,\"seconds_rollout\":2.5,\"seconds_grade\":0.5,\"seconds_train\":1.0}\n"
                   "{\"step\":3,\"reward_mean\":0.3,\"reward_std\":0.03,\"reward_min\":0.2,\"reward_max\":0.4,"
                   "\"rubric_mean\":0.4,\"entropy\":2.3,\"kl\":0.03,\"approx_kl\":0.03,\"clip_fraction\":0.2,"
                   "\"grad_norm\":1.0,\"seconds_rollout\":2.0,\"seconds_grade\":0.5,\"seconds_train\":1.0}\n");
  test::write_text(dir / "sft_metrics.jsonl",
                   "{\"step\":1,\"phase\":\"sft\",\"sft_loss\":7.5,\"lr\":0.001}\n"
                   "{\"step\":2,\"phase\":\"sft\",\"sft_loss\":6.25,\"sft_val_loss\":6.5,\"lr\":0.001}\n");
  test::write_text(dir / "eval.json",
                   "{\"sft\":{\"rubric\":0.25,\"diagnosis_accuracy\":0.5,\"must_ask_coverage\":0.375,\"turns\":4.5,"
                   "\"episodes\":8},"
                   "\"grpo\":{\"rubric\":0.4375,\"rubric_std\":0.0625,\"diagnosis_accuracy\":0.75,"
                   "\"diagnosis_accuracy_std\":0.125,\"must_ask_coverage\":0.5,\"turns\":3.25,\"episodes\":8},"
                   "\"reward_first5\":0.1,\"reward_last5\":0.3}");
  fs::create_directories(dir / "samples");
  test::write_text(dir / "samples" / "step-1.json",
                   "[{\"record_id\":\"rec-early\",\"termination_reason\":\"turn_cap\",\"turns\":["
                   "{\"role\":\"patient\",\"text\":\"I have a <cough> & fever\"},"
                   "{\"role\":\"doctor\",\"text\":\"How long?\"}]}]");
  test::write_text(dir / "samples" / "step-3.json",
                   "[{\"record_id\":\"rec-late\",\"termination_reason\":\"diagnosis\",\"diagnosis\":\"pneumonia\","
                   "\"turns\":[{\"role\":\"patient\",\"text\":\"Cough\"},"
                   "{\"role\":\"doctor\",\"text\":\"DIAGNOSIS: pneumonia.\"}]}]");
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("run report: curves, the SFT vs GRPO comparison and samples in report.html and report.md",
          "[eval][run_report]") {
  test::TempDir dir;
  write_run(dir.path());
  const auto files = eval::write_run_report(dir.path(), dir / "out");
  REQUIRE(files.html == dir / "out" / "report.html");
  const std::string html = test::read_text(files.html);
  const std::string md = test::read_text(files.markdown);

  SECTION("one chart per curve: the reward with its spread, grouped keys, each other key alone") {
    for (const char* title : {"reward (mean, mean ± std, min, max)", "rubric_mean", "entropy", "grad_norm",
                              "clip fractions", "KL", "step time split (s)", "SFT loss (train, validation)", "SFT lr"})
      CHECK_THAT(html, Contains(std::string("role=\"img\" aria-label=\"") + eval::escape_xml(title) + "\">"));
    CHECK(count(html, "class=\"chart line-chart\"") == 9);
    // The reward first, then the headline metrics, the grouped keys and the rest.
    const auto at = [&](const std::string& title) { return html.find("aria-label=\"" + title + "\""); };
    CHECK(at(eval::escape_xml("reward (mean, mean ± std, min, max)")) < at("rubric_mean"));
    CHECK(at("rubric_mean") < at("entropy"));
    CHECK(at("entropy") < at("KL"));
    CHECK(at("KL") < at("clip fractions"));
    CHECK(at("clip fractions") < at("grad_norm"));
    CHECK(at("grad_norm") < at("step time split (s)"));
    // Grouped keys are not drawn again on their own.
    CHECK_THAT(html, !Contains("aria-label=\"reward_std\""));
    CHECK_THAT(html, !Contains("aria-label=\"seconds_train\""));
    CHECK_THAT(html, Contains(">mean + std</text>"));
    CHECK_THAT(html, Contains(">validation</text>"));
  }

  SECTION("the comparison: numbers, and error bars only where eval.json holds a _std key") {
    CHECK_THAT(html, Contains("<tr><td>rubric</td><td class=\"num\">0.2500</td><td class=\"num\">0.4375 ± 0.0625</td>"
                              "<td class=\"num\">+0.1875</td></tr>"));
    CHECK_THAT(html, Contains("<tr><td>turns</td><td class=\"num\">4.5000</td><td class=\"num\">3.2500</td>"
                              "<td class=\"num\">-1.2500</td></tr>"));
    CHECK(count(html, "class=\"chart bar-chart\"") == 2);
    CHECK(count(html, "class=\"errorbar\"") == 2);  // rubric and diagnosis_accuracy of GRPO
    CHECK_THAT(html, Contains("(mean ± bootstrap std)"));
  }

  SECTION("samples of the earliest and latest step side by side, escaped") {
    CHECK_THAT(html, Contains("<div class=\"side\">"));
    CHECK_THAT(html, Contains("<h3>Early: step 1</h3>"));
    CHECK_THAT(html, Contains("<h3>Late: step 3</h3>"));
    CHECK_THAT(html, Contains("patient: I have a &lt;cough&gt; &amp; fever"));
    CHECK_THAT(html, !Contains("<cough>"));
    CHECK_THAT(html, Contains("diagnosis: <b>pneumonia</b>"));
  }

  SECTION("report.md: the comparison and curve tables with the exact values") {
    CHECK_THAT(md, Contains("| metric | SFT | GRPO | GRPO - SFT |\n|---|---:|---:|---:|\n"
                            "| rubric | 0.2500 | 0.4375 ± 0.0625 | +0.1875 |\n"
                            "| diagnosis_accuracy | 0.5000 | 0.7500 ± 0.1250 | +0.2500 |\n"
                            "| must_ask_coverage | 0.3750 | 0.5000 | +0.1250 |\n"
                            "| turns | 4.5000 | 3.2500 | -1.2500 |\n"));
    CHECK_THAT(md, Contains("| reward_mean | 0.1000 | 0.3000 | 0.1000 | 0.3000 |\n"));
    CHECK_THAT(md, Contains("| kl | 0.0200 | 0.0300 | 0.0200 | 0.0300 |\n"));  // the null is skipped
    CHECK_THAT(md, Contains("| sft_loss | 7.5000 | 6.2500 | 6.2500 | 7.5000 |\n"));
    CHECK_THAT(md, Contains("| sft_val_loss | 6.5000 | 6.5000 | 6.5000 | 6.5000 |\n"));
    CHECK_THAT(md, Contains("### Early: step 1\n"));
    CHECK_THAT(md, Contains("- **patient:** I have a \\<cough\\> & fever\n"));
    CHECK_THAT(md, Contains("### Late: step 3\n"));
  }
}

TEST_CASE("run report: without eval.json, SFT metrics or samples the page says so", "[eval][run_report]") {
  test::TempDir dir;
  test::write_text(dir / "metrics.jsonl", "{\"step\":1,\"reward_mean\":0.5}\n");
  eval::write_run_report(dir.path(), dir.path());
  const std::string html = test::read_text(dir / "report.html");
  CHECK_THAT(html, Contains("No <code>eval.json</code> in the run directory."));
  CHECK_THAT(html, Contains("No <code>sft_metrics.jsonl</code> in the run directory."));
  CHECK_THAT(html, Contains("No <code>samples/step-N.json</code> in the run directory."));
  CHECK(count(html, "<svg") == 1);
  CHECK(fs::exists(dir / "report.md"));
}

TEST_CASE("run report: bad input is a UserError naming the file and line", "[eval][run_report]") {
  test::TempDir dir;
  SECTION("no metrics.jsonl") {
    CHECK_THROWS_AS(eval::load_run_report(dir.path()), UserError);
    CHECK_THROWS_WITH(eval::load_run_report(dir.path()), Contains((dir / "metrics.jsonl").string() + " not found"));
  }
  SECTION("a malformed metrics line") {
    test::write_text(dir / "metrics.jsonl", "{\"step\":1,\"reward_mean\":0.1}\n{\"step\":2,\"reward_mean\":\n"
                                            "{\"step\":3,\"reward_mean\":0.3}\n");
    CHECK_THROWS_AS(eval::load_run_report(dir.path()), UserError);
    CHECK_THROWS_WITH(eval::load_run_report(dir.path()), Contains((dir / "metrics.jsonl").string() + ":2:"));
  }
  SECTION("a malformed sample file") {
    write_run(dir.path());
    test::write_text(dir / "samples" / "step-3.json", "{\"not\": \"an array\"}");
    CHECK_THROWS_WITH(eval::load_run_report(dir.path()), Contains("step-3.json: expected an array of episodes"));
  }
  CHECK_FALSE(fs::exists(dir / "report.html"));
}

TEST_CASE("progress: durations, ETA and when a line is due", "[eval][run_report]") {
  CHECK(core::format_duration(45.4) == "45s");
  CHECK(core::format_duration(611) == "10m11s");
  CHECK(core::format_duration(605) == "10m05s");
  CHECK(core::format_duration(7380) == "2h03m");
  CHECK(core::format_duration(-1) == "?");
  CHECK(core::format_eta(0, 10, 5.0) == "?");
  CHECK(core::format_eta(4, 10, 8.0) == "12s");    // 2 s each, 6 left
  CHECK(core::format_eta(10, 10, 20.0) == "0s");
  CHECK(core::format_eta(1, 100, 10.0) == "16m30s");
  CHECK(core::format_rate(3, 2.0, "episodes") == "1.50 episodes/s");
  CHECK(core::format_rate(3, 0.0, "replies") == "0.00 replies/s");

  core::ProgressClock clock(100, 30.0);
  CHECK_FALSE(clock.due(5, 1.0));
  CHECK(clock.due(10, 2.0));  // the first tenth
  CHECK_FALSE(clock.due(11, 3.0));
  CHECK_FALSE(clock.due(19, 31.0));
  CHECK(clock.due(19, 32.5));  // 30 s since the last line
  CHECK(clock.due(25, 33.0));  // the second tenth
  CHECK_FALSE(clock.due(26, 34.0));
  CHECK(clock.due(100, 35.0));  // the end
}
