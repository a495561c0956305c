// clinrl sim audit: fact precision, leakage, recall, persona effect and
// determinism of the simulator over record files.
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/core/json_io.h"
#include "clinrl/sim/audit.h"
#include "clinrl/sim/record_choice.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

const bool group = register_group("sim", "patient simulator tools");

struct AuditArgs {
  std::vector<std::string> records, personas;
  std::string out;
  ConfigArgs config;  // a sim config
  uint64_t seed = 1;
  size_t rows = 20;
};

const bool registered = register_command({"sim audit", "probe every topic of each record; report precision, leakage, recall",
    [](CLI::App& app) {
      auto a = std::make_shared<AuditArgs>();
      app.add_option("--records", a->records, "record file(s) (JSONL)")->required();
      app.add_option("--out", a->out, "report file to write (JSON, the full report)");
      add_deprecated_option(app, "--json", a->out, "--out");
      app.add_option("--personas", a->personas, "personas to probe with (default: every preset)");
      app.add_option("--seed", a->seed, "episode seed");
      app.add_option("--rows", a->rows, "record rows in the table");
      add_sim_config_args(app, a->config);
      app.callback([a] {
        auto options = core::load_config<sim::SimOptions>(a->config.file(), a->config.overrides);
        std::vector<std::filesystem::path> files(a->records.begin(), a->records.end());
        auto records = sim::read_record_files(files);
        auto dir = options.lexicon_path();
        auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(dir));
        auto probe = sim::ProbeBook::load(dir / "probe_questions.json");
        sim::AuditOptions audit;
        audit.seed = a->seed;
        if (!a->personas.empty()) audit.personas = a->personas;
        auto report = sim::audit_records(records, lexicon, options, audit, probe);
        std::cout << sim::audit_table(report, a->rows);
        if (!a->out.empty()) {
          core::write_json_file_atomic(a->out, sim::audit_to_json(report));
          std::cout << "report written to " << a->out << "\n";
        }
      });
    }});

}  // namespace
}  // namespace clinrl::cli
