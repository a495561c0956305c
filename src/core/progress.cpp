#include "clinrl/core/progress.h"

#include <cmath>
#include <cstdio>

#include "clinrl/core/strings.h"

namespace clinrl::core {
namespace {

std::string two_digits(int64_t v) { return v < 10 ? "0" + std::to_string(v) : std::to_string(v); }

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return format("{}s", s);
  if (s < 3600) return format("{}m{}s", s / 60, two_digits(s % 60));
  return format("{}h{}m", s / 3600, two_digits((s % 3600) / 60));
}

std::string format_rate(int64_t done, double seconds, const std::string& unit) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
  return format("{} {}/s", buf, unit);
}

std::string format_eta(int64_t done, int64_t total, double elapsed_seconds) {
  if (done <= 0) return "?";
  const int64_t left = total > done ? total - done : 0;
  return format_duration(elapsed_seconds / static_cast<double>(done) * static_cast<double>(left));
}

ProgressClock::ProgressClock(int64_t total, double every_seconds)
    : total_(total), every_seconds_(every_seconds), start_(std::chrono::steady_clock::now()) {}

double ProgressClock::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool ProgressClock::due(int64_t done, double elapsed_seconds) {
  const int64_t tenth = total_ > 0 ? done * 10 / total_ : 10;
  const bool line = done >= total_ || tenth > last_tenth_ || elapsed_seconds - last_line_seconds_ >= every_seconds_;
  if (line) {
    last_tenth_ = tenth;
    last_line_seconds_ = elapsed_seconds;
  }
  return line;
}

}  // namespace clinrl::core
