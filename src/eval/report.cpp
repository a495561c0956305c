#include "clinrl/eval/report.h"

#include <ctime>
#include <sstream>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace fs = std::filesystem;

namespace clinrl::eval {
namespace {

constexpr const char* kFormat = "clinrl-eval-report";

const std::vector<std::string>& group_order() {
  static const std::vector<std::string> order = {"summary", "axis",  "theme",   "dimension",
                                                 "specialty", "level", "cluster", "physician_agreed_category",
                                                 "other"};
  return order;
}

const core::Json& require(const core::Json& j, const char* key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end()) throw UserError(core::format("{}: not a clinrl eval report: missing key '{}'", source, key));
  return *it;
}

std::string fixed(double v, int digits = 4) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

// Markdown table cells must not contain a pipe or a line break.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string metric_group(const std::string& name) {
  static const std::vector<std::string> summary = {"overall_score", "diagnosis_accuracy", "must_ask_coverage", "turns"};
  for (const auto& s : summary)
    if (name == s) return "summary";
  auto colon = name.find(':');
  if (colon != std::string::npos) {
    std::string prefix = name.substr(0, colon);
    for (const auto& g : group_order())
      if (g == prefix) return g;
  }
  return "other";
}

std::vector<std::string> metric_groups(const rubric::ScoreReport& metrics) {
  std::vector<std::string> out;
  for (const auto& g : group_order())
    for (const auto& m : metrics.metrics)
      if (metric_group(m.name) == g) {
        out.push_back(g);
        break;
      }
  return out;
}

std::string metric_label(const std::string& name) {
  std::string group = metric_group(name);
  if (group == "summary" || group == "other") return name;
  return name.substr(group.size() + 1);
}

core::Json EvalReport::to_json() const {
  core::Json list = core::Json::array();
  for (const auto& m : metrics.metrics)
    list.push_back({{"name", m.name},
                    {"mean", m.mean_clipped},
                    {"raw_mean", m.raw_mean},
                    {"n_samples", m.n_samples},
                    {"bootstrap_std", m.bootstrap_std}});
  return {{"format", kFormat},
          {"version", 1},
          {"kind", kind},
          {"created", created},
          {"metrics", list},
          {"flat", metrics.flat()},
          {"repeat_scores", repeat_scores},
          {"counts", counts},
          {"timings", timings},
          {"sources", sources},
          {"config", config}};
}

EvalReport EvalReport::from_json(const core::Json& j, const std::string& source) {
  if (!j.is_object() || j.value("format", std::string()) != kFormat)
    throw UserError(core::format("{}: not a clinrl eval report (expected \"format\": \"{}\")", source, kFormat));
  EvalReport r;
  r.kind = require(j, "kind", source).get<std::string>();
  r.created = j.value("created", std::string());
  const core::Json& list = require(j, "metrics", source);
  if (!list.is_array()) throw UserError(core::format("{}: metrics: expected an array", source));
  for (size_t i = 0; i < list.size(); ++i) {
    const core::Json& m = list[i];
    std::string where = core::format("{}: metrics[{}]", source, i);
    if (!m.is_object() || !m.contains("name") || !m["name"].is_string() || !m.contains("mean") ||
        !m["mean"].is_number() || !m.contains("n_samples") || !m["n_samples"].is_number_integer() ||
        !m.contains("bootstrap_std") || !m["bootstrap_std"].is_number())
      throw UserError(core::format("{}: expected {{name, mean, n_samples, bootstrap_std}}", where));
    rubric::MetricSummary s;
    s.name = m["name"].get<std::string>();
    s.mean_clipped = m["mean"].get<double>();
    s.raw_mean = m.value("raw_mean", s.mean_clipped);
    s.n_samples = m["n_samples"].get<size_t>();
    s.bootstrap_std = m["bootstrap_std"].get<double>();
    r.metrics.metrics.push_back(std::move(s));
  }
  if (j.contains("repeat_scores") && j["repeat_scores"].is_array())
    for (const auto& v : j["repeat_scores"])
      if (v.is_number()) r.repeat_scores.push_back(v.get<double>());
  for (auto [key, field] : {std::pair{"counts", &r.counts}, std::pair{"timings", &r.timings},
                            std::pair{"sources", &r.sources}, std::pair{"config", &r.config}})
    if (j.contains(key) && j[key].is_object()) *field = j[key];
  return r;
}

EvalReport EvalReport::load(const fs::path& path) {
  fs::path file = fs::is_directory(path) ? path / "report.json" : path;
  if (!fs::exists(file)) throw UserError(core::format("{}: no eval report there (report.json)", path.string()));
  return from_json(core::read_json_file(file), file.string());
}

std::string render_markdown(const EvalReport& report) {
  std::ostringstream md;
  md << "# clinrl eval report (" << report.kind << ")\n\n";
  if (!report.created.empty()) md << "Created " << report.created << ".\n\n";
  for (auto it = report.sources.begin(); it != report.sources.end(); ++it)
    if (it.value().is_string() && !it.value().get<std::string>().empty())
      md << "- " << it.key() << ": `" << it.value().get<std::string>() << "`\n";
  for (auto it = report.counts.begin(); it != report.counts.end(); ++it)
    md << "- " << it.key() << ": "
       << (it.value().is_string() ? it.value().get<std::string>() : core::dump_json(it.value())) << "\n";
  if (report.timings.contains("total_seconds") && report.timings["total_seconds"].is_number())
    md << "- total time: " << fixed(report.timings["total_seconds"].get<double>(), 2) << " s\n";
  md << "\nMeans are clipped to [0, 1] (HealthBench); ± is the bootstrap std of the mean; n is the number of "
        "samples ((example, repeat) pairs or episodes) that carry the metric.\n";
  for (const auto& group : metric_groups(report.metrics)) {
    md << "\n## " << group << "\n\n| metric | mean | ± bootstrap std | n |\n|---|---:|---:|---:|\n";
    for (const auto& m : report.metrics.metrics)
      if (metric_group(m.name) == group)
        md << "| " << cell(metric_label(m.name)) << " | " << fixed(m.mean_clipped) << " | " << fixed(m.bootstrap_std)
           << " | " << m.n_samples << " |\n";
  }
  if (report.repeat_scores.size() > 1) {
    md << "\n## overall score per repeat\n\n| repeat | overall_score |\n|---:|---:|\n";
    for (size_t r = 0; r < report.repeat_scores.size(); ++r)
      md << "| " << r << " | " << fixed(report.repeat_scores[r]) << " |\n";
  }
  return md.str();
}

}  // namespace clinrl::eval
