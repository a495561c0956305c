// clinrl data check: schema validation and a scan for personal identifiers.
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/identifier_check.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

const bool check = register_command({"data check", "validate records and scan text fields for personal identifiers",
    [](CLI::App& app) {
      struct Args {
        std::vector<std::string> files;
        std::vector<std::string> old_files;  // the deprecated positional FILE
        std::string redact;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--records", a->files, "record files (JSONL)");
      add_deprecated_option(app, "file", a->old_files, "--records FILE", "a positional FILE");
      app.add_option("--redact", a->redact, "file to write: a copy of the one record file with identifiers replaced by [CATEGORY] tags");
      app.callback([a] {
        a->files.insert(a->files.end(), a->old_files.begin(), a->old_files.end());
        if (a->files.empty()) throw UserError("give --records FILE...");
        if (!a->redact.empty() && a->files.size() != 1) throw UserError("--redact takes one record file");
        bool clean = true;
        for (const auto& file : a->files) {
          auto report = records::check_records_file(file, a->redact);
          for (const auto& line : report.lines) std::cout << line << "\n";
          std::cout << core::format("{}: {} records, {} schema problems, {} identifier findings{}\n", file, report.records,
                                    report.problems, report.findings,
                                    a->redact.empty() ? "" : core::format("; redacted copy written to {}", a->redact));
          clean = clean && report.problems == 0 && report.findings == 0;
        }
        std::cout.flush();
        if (!clean) std::exit(kFoundProblemsExit);
      });
    }});

}  // namespace
}  // namespace clinrl::cli
