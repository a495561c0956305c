#include "clinrl/sim/sim_options.h"

#include <stdexcept>

#include "clinrl/core/config.h"

namespace clinrl::sim {

void PersonaOptions::validate() const {
  core::check_choice("mode", mode, {"sample", "fixed"});
  fixed.validate();
  validate_persona_weights(weights);
}

void SimOptions::validate() const {
  if (max_turns < 2) throw std::invalid_argument(core::format("max_turns must be >= 2, got {}", max_turns));
  if (repeat_limit < 2) throw std::invalid_argument(core::format("repeat_limit must be >= 2, got {}", repeat_limit));
  if (invalid_limit < 1) throw std::invalid_argument(core::format("invalid_limit must be >= 1, got {}", invalid_limit));
  if (broad_extra_facts < 0)
    throw std::invalid_argument(core::format("broad_extra_facts must be >= 0, got {}", broad_extra_facts));
  if (max_utterance_chars < 16)
    throw std::invalid_argument(core::format("max_utterance_chars must be >= 16, got {}", max_utterance_chars));
  core::check_choice("unrecorded_policy", unrecorded_policy, {"negative", "unknown"});
  core::check_choice("patient", patient, {"rules", "llm"});
  if (patient == "llm" && llm_patient.backend.backend.empty())
    throw std::invalid_argument(
        "patient is llm: name its model in llm_patient.backend (http(s)://HOST:PORT/v1, local:DIR or a checkpoint "
        "directory)");
}

}  // namespace clinrl::sim
