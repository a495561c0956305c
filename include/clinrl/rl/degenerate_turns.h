#pragma once
// Degenerate doctor turns (Baichuan-M2 leaves them out of the update): text
// the policy should never be reinforced for, whatever the episode's reward.
//   repetition      a word 3-gram occurs 3 or more times in the turn, or the
//                   turn repeats an earlier doctor turn of the episode word for word
//   role inversion  a line starts with a speaker label ("patient:", "doctor:",
//                   "user:", "assistant:", "system:") or the text holds a
//                   chat-template marker ("<|im_start|>", "<|start_header_id|>", ...)
//   runaway length  the turn used its whole token budget (rollout.max_turn_tokens)
// Checked in that order; the first that applies names the turn.
#include <cstdint>
#include <string>
#include <vector>

namespace clinrl::rl {

enum class Degeneracy { none, repetition, role_inversion, runaway_length };
const char* degeneracy_name(Degeneracy d);

// `earlier` holds the episode's doctor turns before this one.
Degeneracy classify_doctor_turn(const std::string& text, const std::vector<std::string>& earlier, int64_t tokens,
                                int64_t max_turn_tokens);

struct DegenerateCounts {
  int64_t turns = 0;  // doctor turns looked at
  int64_t repetition = 0, role_inversion = 0, runaway_length = 0;
  int64_t degenerate() const { return repetition + role_inversion + runaway_length; }
  void add(Degeneracy d);
};

}  // namespace clinrl::rl
