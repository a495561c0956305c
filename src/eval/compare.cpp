#include "clinrl/eval/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "clinrl/eval/report_writer.h"

namespace clinrl::eval {
namespace {

// Bootstrap stds below this are rounding noise of identical resample means.
constexpr double kNoNoise = 1e-12;

std::string fmt(const std::optional<double>& v, bool sign = false) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.4f" : "%.4f", *v);
  return buf;
}

std::string verdict(const MetricComparison& m) {
  if (!m.significant) return "?";
  return *m.significant ? "yes" : "no";
}

core::Json optional_json(const std::optional<double>& v) { return v ? core::Json(*v) : core::Json(nullptr); }

}  // namespace

Comparison compare_reports(const EvalReport& a, const EvalReport& b, const std::string& a_source,
                           const std::string& b_source, double z) {
  Comparison out;
  out.a_source = a_source;
  out.b_source = b_source;
  out.z = z;
  std::vector<std::string> names;
  for (const auto& m : a.metrics.metrics) names.push_back(m.name);
  for (const auto& m : b.metrics.metrics)
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  for (const auto& name : names) {
    MetricComparison row;
    row.name = name;
    if (const auto* m = a.metrics.find(name)) {
      row.a = m->mean_clipped;
      row.std_a = m->bootstrap_std;
      row.n_a = m->n_samples;
    }
    if (const auto* m = b.metrics.find(name)) {
      row.b = m->mean_clipped;
      row.std_b = m->bootstrap_std;
      row.n_b = m->n_samples;
    }
    if (row.a && row.b) {
      row.difference = *row.b - *row.a;
      row.noise = std::sqrt(row.std_a * row.std_a + row.std_b * row.std_b);
      if (*row.noise > kNoNoise) row.significant = std::abs(*row.difference) > z * *row.noise;
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

core::Json Comparison::to_json() const {
  core::Json rows_json = core::Json::array();
  for (const auto& r : rows)
    rows_json.push_back({{"name", r.name},
                         {"a", optional_json(r.a)},
                         {"b", optional_json(r.b)},
                         {"std_a", r.std_a},
                         {"std_b", r.std_b},
                         {"n_a", r.n_a},
                         {"n_b", r.n_b},
                         {"difference", optional_json(r.difference)},
                         {"noise", optional_json(r.noise)},
                         {"significant", r.significant ? core::Json(*r.significant) : core::Json(nullptr)}});
  return {{"format", "clinrl-eval-compare"}, {"a", a_source}, {"b", b_source}, {"z", z}, {"metrics", rows_json}};
}

std::string Comparison::table() const {
  size_t width = 6;
  for (const auto& r : rows) width = std::max(width, r.name.size());
  std::ostringstream s;
  char head[256];
  std::snprintf(head, sizeof head, "%-*s %9s %9s %9s %9s %6s\n", static_cast<int>(width), "metric", "A", "B", "B-A",
                "noise", "sig");
  s << "A: " << a_source << "\nB: " << b_source << "\n" << head;
  for (const auto& r : rows) {
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %9s %9s %9s %9s %6s\n", static_cast<int>(width), r.name.c_str(),
                  fmt(r.a).c_str(), fmt(r.b).c_str(), fmt(r.difference, true).c_str(), fmt(r.noise).c_str(),
                  verdict(r).c_str());
    s << line;
  }
  char foot[160];
  std::snprintf(foot, sizeof foot, "noise = sqrt(std_A^2 + std_B^2) of the bootstrap; sig: |B-A| > %.2f x noise\n", z);
  s << foot;
  return s.str();
}

std::string Comparison::markdown() const {
  std::ostringstream s;
  s << "# clinrl eval compare\n\n- A: `" << a_source << "`\n- B: `" << b_source << "`\n\n"
    << "noise = sqrt(std_A² + std_B²) of the bootstrap stds; significant when |B − A| > " << z
    << " × noise (? = no noise to judge by).\n\n"
    << "| metric | A | B | B − A | noise | significant |\n|---|---:|---:|---:|---:|:---:|\n";
  for (const auto& r : rows)
    s << "| " << r.name << " | " << fmt(r.a) << " | " << fmt(r.b) << " | " << fmt(r.difference, true) << " | "
      << fmt(r.noise) << " | " << verdict(r) << " |\n";
  return s.str();
}

}  // namespace clinrl::eval

namespace clinrl::eval {

void write_comparison(const std::filesystem::path& out, const Comparison& comparison) {
  ReportDirectoryWriter writer(out);
  writer.add("compare.json", core::dump_json(comparison.to_json(), 2) + "\n");
  writer.add("compare.md", comparison.markdown());
  writer.commit();
}

}  // namespace clinrl::eval
