#include "clinrl/eval/run_curves.h"

#include <algorithm>
#include <cmath>

namespace fs = std::filesystem;

namespace clinrl::eval {

std::optional<fs::path> find_run_directory(const fs::path& checkpoint) {
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(checkpoint, ec);
  if (ec) dir = checkpoint;
  for (int up = 0; up < 4 && !dir.empty(); ++up) {
    if (fs::is_regular_file(dir / "metrics.jsonl", ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

std::vector<MetricCurve> metric_curves(const std::vector<core::Json>& rows) {
  std::vector<std::string> names;
  for (const auto& row : rows)
    for (auto it = row.begin(); it != row.end(); ++it)
      if (it.key() != "step" && it.value().is_number() && std::find(names.begin(), names.end(), it.key()) == names.end())
        names.push_back(it.key());
  auto reward = std::find(names.begin(), names.end(), "reward_mean");
  if (reward != names.end()) std::rotate(names.begin(), reward, reward + 1);
  std::vector<MetricCurve> out;
  for (const auto& name : names) {
    MetricCurve c;
    c.name = name;
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      double x = row.contains("step") && row["step"].is_number() ? row["step"].get<double>() : static_cast<double>(i);
      double y = row.contains(name) && row[name].is_number() ? row[name].get<double>() : NAN;
      c.points.emplace_back(x, y);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace clinrl::eval
