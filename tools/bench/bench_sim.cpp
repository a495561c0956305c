// Patient-simulator throughput on one core and memory per live episode.
//
//   bench_sim [RECORDS.jsonl] [--seconds S]
//
// Records: the file given, else the first data/records/*.jsonl, else one
// built-in record. Doctor turns: the audit's probe questions for each record
// (history questions, broad questions, test requests), replayed episode after
// episode with the default options (turn cap 12). Baseline measured in the
// same run: only tokenising (lower-casing and splitting) the same utterances.
// Prints one JSON object.
#include <chrono>
#include <fstream>
#include <iostream>

#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"
#include "clinrl/records/record_io.h"
#include "clinrl/sim/audit.h"
#include "clinrl/sim/simulator.h"

using namespace clinrl;
using Clock = std::chrono::steady_clock;

namespace {

const char* kBuiltIn = R"json({"id":"bench-1","source":"builtin","chief_complaint":"chest pain",
 "demographics":{"age_years":58,"age_band":"adult","sex":"male"},
 "diagnosis":{"name":"Acute myocardial infarction"},
 "facts":[
  {"id":"cc","category":"chief_complaint","topics":["chief_complaint","symptom:chest pain"],"lay":"I've got a crushing pain in my chest.","clinical":"Central crushing chest pain."},
  {"id":"hpi.onset","category":"hpi","topics":["onset"],"lay":"It started about two hours ago.","clinical":"Onset 2 hours ago."},
  {"id":"hpi.radiation","category":"hpi","topics":["radiation"],"lay":"It goes down my left arm.","clinical":"Radiates to the left arm."},
  {"id":"assoc.sweating","category":"associated_symptom","topics":["symptom:sweating"],"lay":"I've been sweating a lot.","clinical":"Diaphoresis."},
  {"id":"neg.fever","category":"pertinent_negative","topics":["symptom:fever"],"lay":"No fever.","clinical":"No fever.","negative":true},
  {"id":"pmh","category":"past_history","topics":["pmh"],"lay":"I have high blood pressure.","clinical":"Hypertension."},
  {"id":"med","category":"medication","topics":["medications"],"lay":"I take amlodipine.","clinical":"Amlodipine 5 mg."},
  {"id":"smoke","category":"social","topics":["social:tobacco"],"lay":"I smoke twenty a day.","clinical":"Smoker."},
  {"id":"test.troponin","category":"test","topics":["test:troponin"],"subject":"troponin","value":"2.3 ng/mL (elevated)"}]})json";

std::vector<records::Record> load(int argc, char** argv) {
  std::filesystem::path file;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--", 0) != 0 && (i == 1 || std::string(argv[i - 1]) != "--seconds")) file = argv[i];
  if (file.empty()) {
    auto dir = records::default_data_dir() / "records";
    if (std::filesystem::exists(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".jsonl") {
          file = e.path();
          break;
        }
  }
  if (!file.empty()) {
    auto set = records::read_records(file, {false});
    if (!set.records.empty()) {
      std::cerr << "records: " << file.string() << " (" << set.records.size() << ")\n";
      return set.records;
    }
  }
  std::cerr << "records: built-in (1)\n";
  return {records::record_from_json(core::parse_json(kBuiltIn, "builtin"), "builtin")};
}

// The probe's questions for a record, as a flat doctor script.
std::vector<std::string> script_for(const records::Record& r, const sim::ProbeBook& book) {
  std::vector<std::string> out{book.broad};
  for (const auto& f : r.facts)
    for (const auto& t : f.topics) {
      std::string q = book.question(t);
      if (core::starts_with(t, "test:")) q = "REQUEST TEST: " + t.substr(5);
      if (core::starts_with(t, "exam:")) q = "REQUEST EXAM: " + t.substr(5);
      if (!q.empty() && std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
    }
  out.push_back("Any headache? " + book.off_topic[0]);
  out.push_back("REQUEST TEST: " + book.unrecorded_test);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--seconds") seconds = std::stod(argv[i + 1]);
  auto records = load(argc, argv);
  auto dir = sim::Lexicon::default_dir();
  auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(dir));
  auto book = sim::ProbeBook::load(dir / "probe_questions.json");
  sim::SimOptions options;  // defaults: sampled personas, turn cap 12

  auto build_start = Clock::now();
  std::vector<std::shared_ptr<const sim::PatientSimulator>> sims;
  std::vector<std::vector<std::string>> scripts;
  for (const auto& r : records) {
    sims.push_back(sim::PatientSimulator::create(r, lexicon, options));
    scripts.push_back(script_for(r, book));
  }
  double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();

  // ---- simulator turns ----
  size_t turns = 0, episodes = 0, chars = 0;
  auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (size_t k = 0; k < 64; ++k, ++episodes) {
      size_t i = episodes % sims.size();
      sim::EpisodeState ep = sims[i]->new_episode();
      chars += ep.reset(episodes).text.size();
      for (const auto& u : scripts[i]) {
        if (ep.done()) break;
        chars += ep.step(u).text.size();
        ++turns;
      }
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  double turns_per_s = static_cast<double>(turns) / elapsed;

  // ---- baseline: tokenising the same utterances ----
  size_t tokenised = 0, tokens = 0;
  std::vector<std::string> buffer;
  start = Clock::now();
  elapsed = 0;
  while (elapsed < seconds / 2) {
    for (size_t k = 0; k < 64; ++k)
      for (const auto& u : scripts[(tokenised + k) % scripts.size()]) {
        sim::clause_tokens(u, buffer);
        tokens += buffer.size();
        ++tokenised;
      }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  double tokenise_per_s = static_cast<double>(tokenised) / elapsed;

  // ---- memory per live episode (after 8 doctor turns) ----
  std::vector<sim::EpisodeState> live;
  size_t bytes = 0, max_bytes = 0;
  const size_t n_live = 2000;
  live.reserve(n_live);
  for (size_t e = 0; e < n_live; ++e) {
    size_t i = e % sims.size();
    live.push_back(sims[i]->new_episode());
    live.back().reset(e);
    for (size_t t = 0; t < 8 && t < scripts[i].size() && !live.back().done(); ++t) live.back().step(scripts[i][t]);
    size_t b = live.back().memory_bytes();
    bytes += b;
    max_bytes = std::max(max_bytes, b);
  }

  core::Json out;
  out["records"] = records.size();
  out["episodes"] = episodes;
  out["patient_turns"] = turns;
  out["turns_per_s"] = static_cast<long>(turns_per_s);
  out["baseline_tokenise_per_s"] = static_cast<long>(tokenise_per_s);
  out["turn_cost_vs_tokenise"] = tokenise_per_s / turns_per_s;
  out["mean_reply_chars"] = static_cast<double>(chars) / static_cast<double>(turns + episodes);
  out["bytes_per_live_episode_mean"] = bytes / n_live;
  out["bytes_per_live_episode_max"] = max_bytes;
  out["simulator_build_ms_per_record"] = 1000.0 * build_s / static_cast<double>(records.size());
  out["target_turns_per_s"] = 20000;
  out["target_bytes_per_episode"] = 65536;
  std::cout << core::dump_json(out, 2) << "\n";
  return tokens > 0 ? 0 : 1;
}
