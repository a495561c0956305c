// clinrl report RUN_DIR [--out DIR]: the training report of a run directory
// (eval/run_report.h), report.html and report.md.
#include <iostream>
#include <memory>

#include "clinrl/eval/run_report.h"
#include "command.h"

namespace clinrl::cli {
namespace {

struct ReportArgs {
  std::string run_dir;
  std::string out;
};

const bool registered = register_command({"report",
    "write the training report of a run directory (report.html, report.md): curves, SFT vs GRPO, samples",
    [](CLI::App& app) {
      auto args = std::make_shared<ReportArgs>();
      app.add_option("run_dir", args->run_dir, "the run directory (holds metrics.jsonl)")->required();
      app.add_option("--out", args->out, "directory to write report.html and report.md into (default: RUN_DIR)");
      app.callback([args] {
        const std::filesystem::path out = std::filesystem::path(args->out.empty() ? args->run_dir : args->out);
        const auto files = eval::write_run_report(args->run_dir, out);
        std::cout << files.html.string() << "\n" << files.markdown.string() << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
