#include "clinrl/eval/report_writer.h"

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/eval/html_report.h"

namespace fs = std::filesystem;

namespace clinrl::eval {

ReportDirectoryWriter::ReportDirectoryWriter(fs::path out) : out_(std::move(out)) {
  if (out_.empty()) throw UserError("--out: give a report directory");
  if (!out_.has_filename()) out_ = out_.parent_path();  // "dir/" -> "dir"
  std::error_code ec;
  if (fs::exists(out_, ec)) {
    if (!fs::is_directory(out_, ec))
      throw UserError(core::format("--out {}: exists and is not a directory", out_.string()));
    bool empty = fs::is_empty(out_, ec);
    if (!empty && !fs::exists(out_ / "report.json") && !fs::exists(out_ / "compare.json"))
      throw UserError(core::format("--out {}: a non-empty directory that holds no eval report; the report directory "
                                   "is replaced as a whole, so choose a new or empty one",
                                   out_.string()));
  }
  staged_ = core::sibling_temp_path(out_);
  fs::create_directories(staged_, ec);
  if (ec) throw UserError(core::format("cannot create {}: {}", staged_.string(), ec.message()));
}

ReportDirectoryWriter::~ReportDirectoryWriter() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staged_, ec);
  }
}

void ReportDirectoryWriter::add(const std::string& name, std::string_view content) {
  if (committed_) throw std::logic_error("ReportDirectoryWriter::add after commit");
  core::write_file_atomic(staged_ / name, content);
}

void ReportDirectoryWriter::commit() {
  core::replace_directory_atomic(staged_, out_);
  committed_ = true;
}

void write_report(const fs::path& out, const EvalReport& report, const std::vector<core::Json>& results,
                  const std::vector<MetricCurve>& curves) {
  ReportDirectoryWriter writer(out);
  writer.add("report.json", core::dump_json(report.to_json(), 2) + "\n");
  writer.add("report.md", render_markdown(report));
  writer.add("report.html", render_html(report, results, curves));
  std::string lines;
  for (const auto& row : results) lines += core::dump_json(row) + "\n";
  writer.add("results.jsonl", lines);
  writer.commit();
}

}  // namespace clinrl::eval
