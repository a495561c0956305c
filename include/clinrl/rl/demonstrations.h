#pragma once
// SFT demonstrations: the scripted expert doctor plays episodes against the
// simulator on the training records; the finished dialogues become chat
// transcripts whose doctor tokens carry the SFT loss.
#include <memory>
#include <string>
#include <vector>

#include "clinrl/model/chat_template.h"
#include "clinrl/records/record.h"
#include "clinrl/rl/expert_doctor.h"
#include "clinrl/rl/sequence_packing.h"
#include "clinrl/sim/episode.h"
#include "clinrl/sim/simulator.h"

namespace clinrl::rl {

// Builds one simulator per record (shared by every episode of that record);
// `realiser` words the patient (null: the rule wording).
std::vector<std::shared_ptr<const sim::PatientSimulator>> make_simulators(
    const std::vector<records::Record>& records, const sim::SimOptions& options,
    std::shared_ptr<const sim::Realiser> realiser = nullptr);

struct Demonstration {
  sim::Episode episode;
  bool diagnosis_correct = true;
};

// `count` expert episodes, cycling through the simulators; episode i uses the
// streams (seed, "expert"/"demo-episode", i), so the set is reproducible.
std::vector<Demonstration> play_demonstrations(
    const std::vector<std::shared_ptr<const sim::PatientSimulator>>& simulators, const QuestionBook& book,
    const ExpertOptions& options, int64_t count, uint64_t seed);

// The plain text of the dialogues (for training a tokenizer).
std::vector<std::string> demonstration_texts(const std::vector<Demonstration>& demos, const std::string& system_prompt);

// Chat-template tokens with the doctor's tokens marked for loss.
std::vector<TokenizedDialogue> tokenize_demonstrations(const std::vector<Demonstration>& demos,
                                                       const model::ChatTemplate& chat,
                                                       const std::string& system_prompt);

}  // namespace clinrl::rl
