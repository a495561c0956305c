#pragma once
// Progress lines of long loops (SFT steps, evaluation episodes): when one is
// due, and the ETA from the mean pace so far. The callers log the lines at
// info level through log::.
#include <chrono>
#include <cstdint>
#include <string>

namespace clinrl::core {

// "45s", "10m11s", "2h03m"; "?" when not finite or negative.
std::string format_duration(double seconds);

// "1.50 episodes/s": `done` units of `unit` over `seconds` (0 when no time has passed).
std::string format_rate(int64_t done, double seconds, const std::string& unit);

// The time left at the mean pace so far: elapsed / done * (total - done),
// as format_duration writes it; "?" before the first unit is done.
std::string format_eta(int64_t done, int64_t total, double elapsed_seconds);

// Decides when a progress line is due: at the first update reaching each
// tenth of the total, when `every_seconds` have passed since the last line,
// and at the end (done == total). Elapsed time counts from construction.
class ProgressClock {
 public:
  explicit ProgressClock(int64_t total, double every_seconds = 30.0);
  // `done` units are finished after `elapsed_seconds`; true when a line is due
  // (and then it counts as written).
  bool due(int64_t done, double elapsed_seconds);
  bool due(int64_t done) { return due(done, elapsed_seconds()); }
  double elapsed_seconds() const;
  int64_t total() const { return total_; }

 private:
  int64_t total_;
  double every_seconds_;
  int64_t last_tenth_ = 0;
  double last_line_seconds_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace clinrl::core
