#pragma once
// Two eval reports side by side. For every metric either report carries:
// A, B, the difference B - A, the combined bootstrap noise
// sqrt(std_A^2 + std_B^2), and whether |B - A| exceeds z times that noise
// (z = 1.96: a two-sided 95% normal interval of the difference of two
// independent means). Without noise (bootstrap off, or a metric only one
// report has) the significance is undecided.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/report.h"

namespace clinrl::eval {

struct MetricComparison {
  std::string name;
  std::optional<double> a, b;  // clipped means; empty when the report lacks the metric
  double std_a = 0, std_b = 0;
  size_t n_a = 0, n_b = 0;
  std::optional<double> difference;   // b - a
  std::optional<double> noise;        // sqrt(std_a^2 + std_b^2)
  std::optional<bool> significant;    // |difference| > z * noise; empty when undecided
};

struct Comparison {
  std::string a_source, b_source;
  double z = 1.96;
  std::vector<MetricComparison> rows;  // A's metric order, then those only B has

  core::Json to_json() const;
  std::string table() const;     // aligned plain text for the terminal
  std::string markdown() const;
};

Comparison compare_reports(const EvalReport& a, const EvalReport& b, const std::string& a_source,
                           const std::string& b_source, double z = 1.96);

// compare.json and compare.md in `out` (an atomic report directory, report_writer.h).
void write_comparison(const std::filesystem::path& out, const Comparison& comparison);

}  // namespace clinrl::eval
