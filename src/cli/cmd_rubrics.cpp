// clinrl rubrics generate|suite: clinical rubrics (rules, plus an LLM's proposals with --llm) and
// HealthBench-format suites from records.
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "clinrl/records/record_io.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/llm_rubric_generator.h"
#include "clinrl/rubric/rubric_files.h"
#include "command.h"
#include "language_model_args.h"

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

// "points: 2, dimension: 1"
std::string by_reason(const std::map<std::string, size_t>& counts) {
  std::vector<std::string> parts;
  for (const auto& [reason, n] : counts) parts.push_back(core::format("{}: {}", reason, n));
  return core::join(parts, ", ");
}

// "66.7%", or "-" without items.
std::string percent(const rubric::MatchShare& s) {
  auto share = s.share();
  if (!share) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << 100 * *share << "%";
  return out.str();
}

void print_llm_summary(const rubric::LlmRubricCounts& c, const rubric::ConsistencyReport& report) {
  std::cout << "llm rubrics: " << c.records << " records, " << c.requests << " requests, " << c.proposed
            << " proposed, " << c.invalid << " invalid";
  if (c.invalid) std::cout << " (" << by_reason(c.invalid_by_reason) << ")";
  std::cout << ", " << c.duplicates() << " duplicates (" << c.duplicates_of_rules << " of rule items, " << c.repeated
            << " repeated), " << c.written << " written";
  if (c.unparseable_replies) std::cout << "; " << c.unparseable_replies << " unparseable replies (no LLM items)";
  std::cout << "\n"
            << core::format("consistency: LLM items matching a rule item of the same record in dimension and intent "
                            "(same sign, overlap >= {}):\n",
                            report.min_overlap());
  auto line = [](const std::string& name, const rubric::MatchShare& s) {
    std::cout << "  " << std::left << std::setw(20) << name << std::right << std::setw(5) << s.matched << " / "
              << std::left << std::setw(5) << s.items << std::right << percent(s) << "\n";
  };
  for (const auto& d : rubric::dimensions()) line(d, report.dimension(d));
  line("overall", report.overall());
}

struct GenerateArgs {
  std::vector<std::string> records;
  std::string out;
  LanguageModelArgs llm;
  std::string report;
  bool llm_only = false;
  rubric::LlmRubricOptions options;
};

// The rule items, plus with --llm the LLM's (rubric/llm_rubric_generator.h).
void run_generate(const GenerateArgs& a) {
  auto records = load_all(a.records);
  if (!a.llm.given()) {
    auto rubrics = rubric::generate_rubrics(records);
    rubric::save_record_rubrics(a.out, rubrics);
    size_t items = 0;
    for (const auto& r : rubrics) items += r.rubrics.size();
    std::cout << "wrote " << rubrics.size() << " rubrics (" << items << " items) to " << a.out << "\n";
    return;
  }
  a.options.validate();  // before a local model is loaded
  auto model = a.llm.open();
  auto run = rubric::generate_llm_rubrics(records, *model, a.options);
  auto rows = run.rows(a.llm_only);
  rubric::save_record_rubrics(a.out, rows);
  auto report = run.consistency(a.options.intent_overlap);
  print_llm_summary(run.counts, report);
  if (!a.report.empty()) {
    core::Json j = {{"counts", run.counts.to_json()},
                    {"duplicate_overlap", a.options.duplicate_overlap},
                    {"consistency", report.to_json()}};
    core::write_json_file_atomic(a.report, j);
    std::cout << "wrote report to " << a.report << "\n";
  }
  size_t items = 0;
  for (const auto& r : rows) items += r.rubrics.size();
  std::cout << "wrote " << rows.size() << " rubrics (" << items << " items: " << (a.llm_only ? 0 : run.counts.rule_items)
            << " rule, " << run.counts.written << " LLM) to " << a.out << "\n";
}

const bool generate = register_command({"rubrics generate",
    "write one rubric per record (JSONL); with --llm, an LLM's items after the rule items",
    [](CLI::App& app) {
      auto a = std::make_shared<GenerateArgs>();
      app.add_option("--records", a->records, "record files (JSONL)")->required();
      app.add_option("--out", a->out, "rubrics file to write (JSONL)")->required();
      a->llm.add_to(app, "llm", "the LLM that proposes rubric items");
      app.add_option("--report", a->report, "counts and consistency report to write (JSON)");
      app.add_flag("--llm-only", a->llm_only, "write the LLM items alone, without the rule items");
      app.add_option("--max-items", a->options.max_items, "items asked for per record")->capture_default_str();
      app.add_option("--max-attempts", a->options.max_attempts, "tries per record for an unparseable reply")
          ->capture_default_str();
      app.add_option("--duplicate-overlap", a->options.duplicate_overlap,
                     "criterion overlap at which a proposal duplicates a rule item")
          ->capture_default_str();
      app.add_option("--intent-overlap", a->options.intent_overlap,
                     "criterion overlap at which a proposal matches a rule item in the report")
          ->capture_default_str();
      // The LLM options mean nothing without an LLM.
      for (const char* name : {"--report", "--llm-only", "--max-items", "--max-attempts", "--duplicate-overlap",
                               "--intent-overlap", "--llm-model", "--llm-api-key-env"})
        app.get_option(name)->needs(app.get_option("--llm"));
      app.callback([a] { run_generate(*a); });
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
