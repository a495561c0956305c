// clinrl simulate: play the doctor against a simulated patient, interactively
// or from a script; the episode can be saved as JSON.
#include <fstream>
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/sim/llm_realiser.h"
#include "clinrl/sim/record_choice.h"
#include "clinrl/sim/simulator.h"
#include "command.h"
#include "language_model_args.h"

namespace clinrl::cli {
namespace {

struct SimulateArgs {
  std::vector<std::string> records;
  std::string record_id, persona, script, out;
  ConfigArgs config;  // a sim config
  uint64_t seed = 1;
  bool show_facts = false;
  LanguageModelArgs patient_llm;
};

void print_turn(const sim::PatientTurn& turn, bool show_facts) {
  std::cout << "Patient: " << turn.text << "\n";
  if (show_facts) {
    const auto& m = turn.metadata;
    std::cout << "  [facts: " << (turn.revealed_fact_ids.empty() ? "-" : core::join(turn.revealed_fact_ids, ", ")) << "]";
    if (!m.asked_topics.empty()) std::cout << " [asked: " << core::join(m.asked_topics, ", ") << "]";
    if (!m.withheld_fact_ids.empty()) std::cout << " [withheld: " << core::join(m.withheld_fact_ids, ", ") << "]";
    if (!m.unrecorded_negatives.empty()) std::cout << " [unrecorded negative: " << core::join(m.unrecorded_negatives, ", ") << "]";
    if (!m.not_in_record.empty()) std::cout << " [not in record: " << core::join(m.not_in_record, ", ") << "]";
    std::cout << "\n";
  }
  if (turn.done) std::cout << "(episode ended: " << turn.reason << ")\n";
}

const bool registered = register_command({"simulate", "talk to a simulated patient (interactive, or --script FILE)",
    [](CLI::App& app) {
      auto a = std::make_shared<SimulateArgs>();
      app.add_option("--records", a->records, "record file(s) (JSONL)")->required();
      app.add_option("--record", a->record_id, "record id (default: the first record)");
      app.add_option("--persona", a->persona, "persona preset or axis=value,... (default: sampled per the sim config)");
      app.add_option("--seed", a->seed, "episode seed");
      app.add_option("--script", a->script, "doctor utterances, one per line (blank lines skipped)");
      app.add_flag("--show-facts", a->show_facts, "print revealed fact ids and flags after each reply");
      app.add_option("--out", a->out, "episode file to write (JSON)");
      add_sim_config_args(app, a->config);
      a->patient_llm.add_to(app, "patient-llm", "an LLM that words the patient's replies (behind the fact checker)");
      app.callback([a] {
        auto options = core::load_config<sim::SimOptions>(a->config.file(), a->config.overrides);
        std::vector<std::filesystem::path> files(a->records.begin(), a->records.end());
        auto records = sim::read_record_files(files);
        const auto& record = sim::choose_record(records, a->record_id);
        auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(options.lexicon_path()));
        std::shared_ptr<sim::LlmRealiser> llm_patient;
        if (a->patient_llm.given())
          llm_patient = std::make_shared<sim::LlmRealiser>(std::shared_ptr<core::LanguageModel>(a->patient_llm.open()),
                                                           lexicon, options.llm_patient);
        auto simulator = sim::PatientSimulator::create(record, lexicon, options, llm_patient);
        sim::EpisodeState episode = simulator->new_episode();
        sim::PatientTurn opening =
            a->persona.empty() ? episode.reset(a->seed) : episode.reset(a->seed, sim::parse_persona(a->persona));
        std::cout << "Record " << record.id << ", persona " << episode.persona().describe() << ", seed " << a->seed
                  << "\n";
        print_turn(opening, a->show_facts);

        std::ifstream script;
        if (!a->script.empty()) {
          script.open(a->script);
          if (!script) throw UserError(core::format("{}: cannot open the script", a->script));
        }
        std::istream& in = a->script.empty() ? std::cin : script;
        bool interactive = a->script.empty();
        std::string line;
        while (!episode.done()) {
          if (interactive) std::cout << "Doctor> " << std::flush;
          if (!std::getline(in, line)) {
            std::cout << (interactive ? "\n(end of input: episode left unfinished)\n" : "(end of script: episode unfinished)\n");
            break;
          }
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (!interactive && core::trim(line).empty()) continue;
          if (!interactive) std::cout << "Doctor: " << line << "\n";
          print_turn(episode.step(line), a->show_facts);
        }
        if (llm_patient) {
          auto st = llm_patient->stats();
          std::cout << "(LLM patient: " << st.turns << " turns, " << st.requests << " requests, " << st.rejected
                    << " replies rejected by the fact checker, " << st.backend_errors << " backend errors, "
                    << st.fallbacks << " turns in the rule wording)\n";
        }
        if (!a->out.empty()) {
          core::write_json_file_atomic(a->out, sim::episode_to_json(episode.transcript()));
          std::cout << "episode saved to " << a->out << "\n";
        }
      });
    }});

}  // namespace
}  // namespace clinrl::cli
