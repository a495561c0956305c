// clinrl data import: convert external case files into canonical records.
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/agentclinic.h"
#include "clinrl/records/record_io.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

const bool import = register_command({"data import", "convert external cases (--format agentclinic) into canonical records",
    [](CLI::App& app) {
      struct Args {
        std::string format = "agentclinic", out;
        std::vector<std::string> in, old_files;  // old_files: the deprecated positional INPUT
        bool quiet = false;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--format", a->format, "input format (agentclinic)")->capture_default_str();
      app.add_option("--records", a->in, "case files to import (JSONL in --format)");
      add_deprecated_option(app, "input", a->old_files, "--records FILE", "a positional INPUT");
      app.add_option("--out", a->out, "records file to write (JSONL)")->required();
      app.add_flag("--quiet", a->quiet, "print only the summary");
      app.callback([a] {
        if (a->format != "agentclinic") throw UserError(core::format("unknown --format '{}' (known: agentclinic)", a->format));
        a->in.insert(a->in.end(), a->old_files.begin(), a->old_files.end());
        if (a->in.empty()) throw UserError("give --records FILE...");
        std::vector<records::Record> all;
        for (const auto& in : a->in) {
          auto result = records::import_agentclinic(in);
          if (!a->quiet)
            for (const auto& w : result.warnings)
              std::cout << core::format("{}:{}: warning: record '{}': {}\n", in, w.line, w.record_id, w.message);
          for (const auto& r : result.rejections) std::cout << core::format("{}:{}: rejected: {}\n", in, r.line, r.message);
          std::cout << core::format("{}: imported {} ({} with warnings, {} warnings in all), rejected {}\n", in,
                                    result.records.size(), result.cases_with_warnings, result.warnings.size(),
                                    result.rejections.size());
          for (auto& r : result.records) all.push_back(std::move(r));
        }
        records::save_records(a->out, all);
        std::cout << core::format("wrote {} records to {}\n", all.size(), a->out);
      });
    }});

}  // namespace
}  // namespace clinrl::cli
