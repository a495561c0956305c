#include "clinrl/rl/metrics_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/progress.h"
#include "clinrl/core/strings.h"

namespace fs = std::filesystem;

namespace clinrl::rl {

MetricsWriter::MetricsWriter(fs::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw UserError(core::format("cannot open {} for appending: {}", path_.string(), std::strerror(errno)));
}

MetricsWriter::~MetricsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void MetricsWriter::append(const core::Json& row) {
  if (!row.is_object() || !row.contains("step") || !row["step"].is_number_integer())
    throw std::invalid_argument("metrics row must be an object with an integer \"step\"");
  core::Json clean = core::Json::object();
  for (auto it = row.begin(); it != row.end(); ++it) {
    const auto& v = it.value();
    if (v.is_object() || v.is_array())
      throw std::invalid_argument(core::format("metrics key '{}' is not a scalar: keys must be flat", it.key()));
    bool non_finite = v.is_number_float() && !std::isfinite(v.get<double>());
    clean[it.key()] = non_finite ? core::Json(nullptr) : v;
  }
  std::string line = core::dump_json(clean) + "\n";
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError(core::format("cannot append to {}: {}", path_.string(), std::strerror(errno)));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::vector<core::Json> read_metrics(const fs::path& path) {
  std::vector<core::Json> rows;
  if (!fs::exists(path)) return rows;
  std::vector<core::JsonlProblem> problems;
  size_t last_line = 0;
  core::read_jsonl(
      path,
      [&](size_t line, core::Json&& value) {
        last_line = line;
        rows.push_back(std::move(value));
      },
      [&](const core::JsonlProblem& problem) {
        last_line = problem.line;
        problems.push_back(problem);
      });
  for (const auto& problem : problems) {
    if (problem.line == last_line) {
      log::warn("{}:{}: skipping an incomplete last line ({})", path.string(), problem.line, problem.message);
      continue;
    }
    throw UserError(core::format("{}:{}: {}", path.string(), problem.line, problem.message));
  }
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].is_object() || !rows[i].contains("step") || !rows[i]["step"].is_number_integer())
      throw UserError(core::format("{}: row {} has no integer \"step\"", path.string(), i + 1));
  return rows;
}

void truncate_metrics_after(const fs::path& path, int64_t last_step) {
  std::vector<core::Json> kept;
  for (auto& row : read_metrics(path))
    if (row["step"].get<int64_t>() <= last_step) kept.push_back(std::move(row));
  core::write_jsonl_atomic(path, kept);
}

std::string format_duration(double seconds) { return core::format_duration(seconds); }

std::string format_progress(const ProgressInfo& info) {
  char reward[64];
  std::snprintf(reward, sizeof reward, "%.3f ± %.3f", info.reward_mean, info.reward_std);
  char pace[32];
  std::snprintf(pace, sizeof pace, "%.2f s/step", info.seconds_per_step);
  const double eta = info.seconds_per_step * static_cast<double>(std::max<int64_t>(0, info.total_steps - info.step));
  return core::format("step {}/{} | reward {} | {} | ETA {}", info.step, info.total_steps, reward, pace,
                      format_duration(eta));
}

}  // namespace clinrl::rl
