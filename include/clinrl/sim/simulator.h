#pragma once
// The patient simulator environment, after open_spiel's Game/State split:
// PatientSimulator is immutable (record, options, lexicon and a precompiled
// topic index) and shared across threads; EpisodeState is one consultation.
//
//   auto sim = PatientSimulator::create(record, lexicon, options);
//   EpisodeState ep = sim->new_episode();
//   PatientTurn opening = ep.reset(seed);
//   while (!turn.done) turn = ep.step(doctor_utterance);
//   const Episode& e = ep.transcript();
//
// The same record, options, persona, seed and doctor turns give the same
// transcript byte for byte: all randomness comes from the episode's stream.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/sim/episode.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/persona.h"
#include "clinrl/sim/realiser.h"
#include "clinrl/sim/sim_options.h"
#include "clinrl/sim/termination_gate.h"
#include "clinrl/sim/understanding.h"

namespace clinrl::sim {

// What a patient turn carried besides its text (for the trainer, the grader and the audit).
struct TurnMetadata {
  std::vector<std::string> asked_topics;          // topic keys understood in the doctor turn
  std::vector<std::string> unrecorded_negatives;  // items denied without a record entry (flagged)
  std::vector<std::string> unrecorded_unknowns;   // items answered "not sure" without a record entry
  std::vector<std::string> not_in_record;         // measurements answered "normal" without a record entry
  std::vector<std::string> withheld_fact_ids;     // sensitive facts the persona withheld
  std::vector<Statement> statements;              // the text, piece by piece, with provenance
  bool broad = false;                             // a broad question ("tell me more")
  bool understood = true;                         // something was asked or requested
  bool invalid_input = false;                     // empty or garbage doctor turn
  bool final_turn_warning = false;                // the reply asks for the diagnosis now
};

struct PatientTurn {
  std::string text;
  std::vector<std::string> revealed_fact_ids;
  bool done = false;
  std::string reason;  // termination reason when done (termination_reasons())
  TurnMetadata metadata;
};

class EpisodeState;
namespace detail {
class FactIndex;
}

class PatientSimulator : public std::enable_shared_from_this<PatientSimulator> {
 public:
  // Validates the options; `realiser` defaults to the rule realiser.
  static std::shared_ptr<const PatientSimulator> create(records::Record record, std::shared_ptr<const Lexicon> lexicon,
                                                        SimOptions options,
                                                        std::shared_ptr<const Realiser> realiser = nullptr);
  EpisodeState new_episode() const;

  const records::Record& record() const { return record_; }
  const SimOptions& options() const { return options_; }
  const Lexicon& lexicon() const { return *lexicon_; }
  const Realiser& realiser() const { return *realiser_; }

  // The precompiled index of the record (which facts answer which question):
  // internal to the sim module (src/sim/fact_index.h), read by EpisodeState and the audit.
  const detail::FactIndex& index() const { return *index_; }

  PatientSimulator(const PatientSimulator&) = delete;
  PatientSimulator& operator=(const PatientSimulator&) = delete;

 private:
  PatientSimulator() = default;

  records::Record record_;
  SimOptions options_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::shared_ptr<const Realiser> realiser_;
  std::shared_ptr<const detail::FactIndex> index_;  // over record_ and *lexicon_
};

class EpisodeState {
 public:
  explicit EpisodeState(std::shared_ptr<const PatientSimulator> simulator);

  // Starts an episode; the persona comes from the options (sampled from the
  // seed, or fixed) unless given. Returns the opening statement.
  PatientTurn reset(uint64_t seed);
  PatientTurn reset(uint64_t seed, const Persona& persona);
  // One doctor turn. Any text is accepted (garbage is a handled case); calling
  // step after the episode ended is a std::logic_error.
  PatientTurn step(std::string_view doctor_utterance);

  const Episode& transcript() const { return episode_; }
  bool done() const { return done_; }
  int doctor_turns() const { return doctor_turns_; }
  const Persona& persona() const { return episode_.persona; }
  const PatientSimulator& simulator() const { return *sim_; }
  EpisodeState clone() const { return *this; }
  // Heap and inline bytes this episode holds (not the shared simulator).
  size_t memory_bytes() const;

 private:
  void begin(uint64_t seed, const Persona& persona);
  void reveal(const std::vector<uint16_t>& facts, std::vector<Content>& content, PatientTurn& turn);
  void unrecorded(const std::string& item, bool attribute, std::vector<Content>& content, PatientTurn& turn);
  bool handle_measurement(std::string_view line, std::vector<Content>& content, PatientTurn& turn);
  void finish_turn(std::vector<Content>& content, PatientTurn& turn, bool opening, std::string_view utterance = {});
  void note_topic(const std::string& key, PatientTurn& turn);
  // A readable, non-final doctor turn: measurement requests, then the questions it asks.
  void answer(std::string_view utterance, std::vector<std::string>& tokens, std::vector<Content>& content,
              PatientTurn& turn);
  void answer_broad(std::vector<Content>& content, PatientTurn& turn);
  void end(const char* reason, PatientTurn& turn);

  std::shared_ptr<const PatientSimulator> sim_;
  Rng rng_;
  Episode episode_;
  std::vector<uint8_t> revealed_;  // per record fact
  TerminationGate gate_;
  int doctor_turns_ = 0;
  uint8_t trust_cues_ = 0;  // bit 0: empathy shown, bit 1: question explained
  bool started_ = false;
  bool done_ = false;
};

}  // namespace clinrl::sim
