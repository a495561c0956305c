#pragma once
// The training report of a run directory (`clinrl report RUN_DIR`): one
// self-contained report.html (inline CSS and SVG, no scripts, no external
// resources) and a report.md with the same figures as tables. It shows the
// learning curves of every numeric metrics.jsonl key (related keys share a
// chart: the reward with its spread, the clip fractions, the KL estimates, the
// step time split), the SFT loss curves (sft_metrics.jsonl), the held-out SFT
// vs GRPO comparison (eval.json, with error bars where it holds "<metric>_std"
// keys) and the sample dialogues of the earliest and latest step in samples/.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"

namespace clinrl::eval {

// Sample transcripts the trainer wrote at one step (RUN_DIR/samples/step-N.json).
struct RunSamples {
  int64_t step = 0;
  core::Json episodes = core::Json::array();  // sim::episode_to_json rows
};

struct RunReportData {
  std::filesystem::path run_dir;
  std::vector<core::Json> metrics;      // metrics.jsonl rows (at least one)
  std::vector<core::Json> sft_metrics;  // sft_metrics.jsonl rows; empty when absent
  std::optional<core::Json> eval;       // eval.json
  std::optional<RunSamples> early, late;  // the lowest and highest sample step (late only when they differ)
};

// Dialogues shown per sample step.
constexpr size_t kRunReportSampleEpisodes = 3;

// Reads a run directory. A missing metrics.jsonl, a malformed line of a
// metrics file or a malformed eval.json / sample file is a UserError naming
// the file (and the line).
RunReportData load_run_report(const std::filesystem::path& run_dir);

std::string render_run_report_html(const RunReportData& data);
std::string render_run_report_markdown(const RunReportData& data);

struct RunReportFiles {
  std::filesystem::path html, markdown;
};
// Loads `run_dir` and writes report.html and report.md into `out_dir`
// (created when absent), each atomically.
RunReportFiles write_run_report(const std::filesystem::path& run_dir, const std::filesystem::path& out_dir);

}  // namespace clinrl::eval
