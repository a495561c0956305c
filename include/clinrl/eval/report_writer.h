#pragma once
// Writing a report directory so that readers see the old report or the new
// one whole, never a mix: the files are written (each atomically) into a
// staging directory next to the target, which then replaces the target with
// renames (core::replace_directory_atomic). A writer destroyed before
// commit() (an exception, a kill) leaves the previous report untouched and
// removes its staging directory.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/eval/report.h"
#include "clinrl/eval/run_curves.h"

namespace clinrl::eval {

class ReportDirectoryWriter {
 public:
  // `out` may be absent, empty, or a previous report (it holds report.json or
  // compare.json); anything else (a file, a directory of other things) is a
  // UserError, so a mistyped --out never replaces unrelated files.
  explicit ReportDirectoryWriter(std::filesystem::path out);
  ~ReportDirectoryWriter();
  ReportDirectoryWriter(const ReportDirectoryWriter&) = delete;
  ReportDirectoryWriter& operator=(const ReportDirectoryWriter&) = delete;

  void add(const std::string& name, std::string_view content);
  void commit();
  const std::filesystem::path& staging() const { return staged_; }

 private:
  std::filesystem::path out_, staged_;
  bool committed_ = false;
};

// report.json, report.md, report.html and results.jsonl in `out`.
void write_report(const std::filesystem::path& out, const EvalReport& report, const std::vector<core::Json>& results,
                  const std::vector<MetricCurve>& curves);

}  // namespace clinrl::eval
