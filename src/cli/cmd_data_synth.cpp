// clinrl data synth | lint-kb: the knowledge base and synthetic records.
#include <iostream>
#include <set>

#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/record_io.h"
#include "clinrl/records/synth.h"
#include "command.h"

namespace clinrl::cli {
namespace {

const bool group = register_group("data", "knowledge base, synthetic records, importers and identifier checks");

const bool synth = register_command({"data synth", "sample synthetic patient records from the knowledge base",
    [](CLI::App& app) {
      struct Args {
        std::string kb = "data/kb", out;
        records::SynthOptions options;
        std::vector<std::string> conditions;
        bool split = false;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--kb", a->kb, "knowledge base directory")->capture_default_str();
      app.add_option("--n", a->options.n, "number of records")->capture_default_str();
      app.add_option("--seed", a->options.seed, "random seed")->capture_default_str();
      app.add_option("--contraindication-rate", a->options.contraindication_rate,
                     "chance of an allergy that rules out a first-line drug")->capture_default_str();
      app.add_option("--val-fraction", a->options.val_fraction, "--split: share of each condition's records for val")->capture_default_str();
      app.add_option("--test-fraction", a->options.test_fraction, "--split: share of each condition's records for test")->capture_default_str();
      app.add_option("--out", a->out, "records file to write (JSONL; with --split the name OUT.train/.val/.test.jsonl derive from)")
          ->required();
      app.add_option("--conditions", a->conditions, "only these condition ids (comma-separated); default all")
          ->delimiter(',');
      app.add_flag("--split", a->split, "write OUT.train/.val/.test.jsonl stratified by condition instead of OUT");
      app.callback([a] {
        core::validate_all(a->options);
        auto kb = records::KnowledgeBase::load(a->kb);
        records::keep_conditions(kb, a->conditions, "--conditions: " + a->kb);
        auto recs = records::synthesise(kb, a->options);
        if (!a->split) {
          records::save_records(a->out, recs);
          std::cout << core::format("wrote {} records to {}\n", recs.size(), a->out);
          return;
        }
        auto s = records::split_by_condition(recs, a->options);
        for (auto [part, set] : {std::pair{"train", &s.train}, {"val", &s.val}, {"test", &s.test}}) {
          auto path = records::split_path(a->out, part);
          records::save_records(path, *set);
          std::cout << core::format("wrote {} {} records to {}\n", set->size(), part, path.string());
        }
      });
    }});

const bool lint = register_command({"data lint-kb", "check the knowledge base for completeness and consistency",
    [](CLI::App& app) {
      auto dir = std::make_shared<std::string>("data/kb");
      app.add_option("--kb", *dir, "knowledge base directory")->capture_default_str();
      app.callback([dir] {
        auto kb = records::KnowledgeBase::load(*dir);
        auto issues = records::lint_kb(kb);
        size_t errors = 0;
        for (const auto& i : issues) {
          errors += i.error ? 1 : 0;
          std::cout << (i.error ? "error: " : "warning: ") << i.where << ": " << i.message << "\n";
        }
        std::set<std::string> specialties;
        for (const auto& c : kb.conditions) specialties.insert(c.specialty);
        std::cout << core::format("{}: {} conditions in {} specialties; {} errors, {} warnings\n", *dir, kb.conditions.size(),
                                  specialties.size(), errors, issues.size() - errors);
        std::cout.flush();
        if (errors > 0) std::exit(kFoundProblemsExit);
      });
    }});

}  // namespace
}  // namespace clinrl::cli
