#pragma once
// Training curves for the HTML report: a run directory's metrics.jsonl (one
// flat row per GRPO step, rl/metrics_log.h) turned into one series per key.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clinrl/core/json_io.h"

namespace clinrl::eval {

// The run directory a checkpoint belongs to: the checkpoint directory itself
// or one of its three nearest ancestors, whichever first holds metrics.jsonl
// (RUN/checkpoints/step-N, RUN/sft, RUN). nullopt when none does.
std::optional<std::filesystem::path> find_run_directory(const std::filesystem::path& checkpoint);

struct MetricCurve {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (step, value); null values are NaN
};

// One curve per key with a numeric value in some row, "step" being the x
// axis (the row index when absent); reward_mean first, then the file's key order.
std::vector<MetricCurve> metric_curves(const std::vector<core::Json>& rows);

}  // namespace clinrl::eval
