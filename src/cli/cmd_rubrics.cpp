// clinrl rubrics generate|suite: clinical rubrics and HealthBench-format suites from records.
#include <iostream>

#include "clinrl/records/record_io.h"
#include "clinrl/rubric/rubric_files.h"
#include "command.h"

namespace clinrl::cli {
namespace {

// The records of every --records file, in order.
std::vector<records::Record> load_all(const std::vector<std::string>& files) {
  std::vector<records::Record> out;
  for (const auto& file : files)
    for (auto& r : records::load_records(file)) out.push_back(std::move(r));
  return out;
}

const bool group = register_group("rubrics", "generate clinical rubrics and suites from records");

const bool generate = register_command({"rubrics generate", "write one rubric per record (JSONL)",
    [](CLI::App& app) {
      struct Args {
        std::vector<std::string> records;
        std::string out;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--records", a->records, "record files (JSONL)")->required();
      app.add_option("--out", a->out, "rubrics file to write (JSONL)")->required();
      app.callback([a] {
        auto rubrics = rubric::generate_rubrics(load_all(a->records));
        rubric::save_record_rubrics(a->out, rubrics);
        size_t items = 0;
        for (const auto& r : rubrics) items += r.rubrics.size();
        std::cout << "wrote " << rubrics.size() << " rubrics (" << items << " items) to " << a->out << "\n";
      });
    }});

const bool suite = register_command({"rubrics suite", "write a HealthBench-format single-turn suite from records",
    [](CLI::App& app) {
      struct Args {
        std::vector<std::string> records;
        std::string out;
        bool no_system = false;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--records", a->records, "record files (JSONL)")->required();
      app.add_option("--out", a->out, "suite file to write (JSONL)")->required();
      app.add_flag("--no-system-prompt", a->no_system, "leave out the doctor instructions");
      app.callback([a] {
        rubric::SuiteOptions options;
        options.system_prompt = !a->no_system;
        auto suite = rubric::generate_suite(load_all(a->records), {}, options);
        rubric::save_suite(a->out, suite);
        std::cout << "wrote " << suite.examples.size() << " examples to " << a->out << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
