#pragma once
// The termination gate: when a consultation ends (termination_reasons() in
// sim/episode.h; docs/simulator.md "Termination gate").
//   diagnosis      the doctor wrote "DIAGNOSIS: <text>"
//   repetition     one doctor turn (ignoring punctuation) said repeat_limit times
//   invalid_input  invalid_limit empty or garbage doctor turns in a row
//   turn_cap       max_turns doctor turns; the reply to the turn before asks for the diagnosis
// Each EpisodeState holds its own gate; clone() copies it with the episode.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinrl/sim/sim_options.h"

namespace clinrl::sim {

// What a "DIAGNOSIS:" turn states: the text up to the end of its sentence or
// line, and the rest of the turn as the plan.
struct DiagnosisStatement {
  std::string diagnosis;  // "Acute myocardial infarction" (no trailing '.')
  std::string plan;       // "" when nothing follows
};
// nullopt when the turn has no "DIAGNOSIS:" marker (any case).
std::optional<DiagnosisStatement> find_diagnosis(std::string_view doctor_turn);

// Empty, not UTF-8, longer than max_chars, without letters, with control
// characters, or one unbroken run of 40+ characters.
bool is_invalid_turn(std::string_view doctor_turn, int max_chars);

class TerminationGate {
 public:
  TerminationGate() = default;
  explicit TerminationGate(const SimOptions& options)
      : max_turns_(options.max_turns), repeat_limit_(options.repeat_limit), invalid_limit_(options.invalid_limit) {}

  // An invalid turn: true when it is the invalid_limit-th in a row.
  bool invalid_turn() { return ++invalid_in_a_row_ >= invalid_limit_; }
  // A valid turn, by its clause tokens (sim::clause_tokens): ends a run of
  // invalid turns and counts the turn; true when it has now been said repeat_limit times.
  bool repeated(const std::vector<std::string>& tokens);
  // After `doctor_turns` turns: the cap is reached; the next turn is the last one.
  bool at_turn_cap(int doctor_turns) const { return doctor_turns >= max_turns_; }
  bool last_turn_next(int doctor_turns) const { return doctor_turns == max_turns_ - 1; }

  size_t heap_bytes() const { return said_.capacity() * sizeof(said_[0]); }

 private:
  int max_turns_ = 0, repeat_limit_ = 0, invalid_limit_ = 0;
  std::vector<std::pair<uint64_t, uint16_t>> said_;  // hash of a doctor turn's words -> times said
  int invalid_in_a_row_ = 0;
};

}  // namespace clinrl::sim
