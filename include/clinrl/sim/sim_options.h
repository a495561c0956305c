#pragma once
// The simulator's config section (embedded in the trainer config as "sim").
#include <filesystem>
#include <string>

#include "clinrl/core/backend_options.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/persona.h"

namespace clinrl::sim {

struct PersonaOptions {
  std::string mode = "sample";  // sample (from weights, per episode seed) | fixed
  Persona fixed;                // used when mode is fixed
  PersonaWeights weights = {{"verbosity", {{"terse", 1}, {"normal", 2}, {"verbose", 1}}},
                            {"anxiety", {{"low", 3}, {"high", 1}}},
                            {"literacy", {{"lay", 3}, {"clinical", 1}}},
                            {"trust", {{"open", 1}, {"guarded", 2}, {"reticent", 1}}},
                            {"recall", {{"good", 3}, {"poor", 1}}},
                            {"style", {{"plain", 2}, {"warm", 1}, {"blunt", 1}, {"rambling", 1}}}};

  template <class V>
  void fields(V& v) {
    v("mode", mode);
    v("fixed", fixed);
    v("weights", weights);
  }
  void validate() const;
};

// How an LLM-worded patient (sim/llm_realiser.h) is asked, and (for runs
// with patient "llm") which model words it: the backend keys of
// core::BackendOptions at this level. `clinrl simulate --patient-llm` and
// `clinrl eval --patient-llm` name the backend on the command line instead.
struct LlmPatientOptions {
  int max_attempts = 3;            // LLM replies tried per turn, including the first
  double temperature = 0.7;
  int max_tokens = 160;
  bool fallback_to_rules = true;   // false: a turn with no accepted reply is an error
  core::BackendOptions backend;    // backend, model, api_key_env, concurrency, timeout_s, max_retries

  template <class V>
  void fields(V& v) {
    v("max_attempts", max_attempts);
    v("temperature", temperature);
    v("max_tokens", max_tokens);
    v("fallback_to_rules", fallback_to_rules);
    backend.fields(v);
  }
  void validate() const;
};

struct SimOptions {
  int max_turns = 12;           // doctor turns; the patient's reply to turn max_turns-1 asks for a diagnosis
  int repeat_limit = 3;         // the episode ends when one doctor utterance has been said this many times
  int invalid_limit = 3;        // ... or after this many empty/garbage doctor turns in a row
  int broad_extra_facts = 1;    // facts a broad question reveals besides the chief complaint
  int max_utterance_chars = 8000;  // longer doctor turns are garbage
  std::string unrecorded_policy = "negative";  // negative ("no, I don't think so", flagged) | unknown ("I'm not sure")
  std::string lexicon_dir;      // "" = data/sim of the source tree
  PersonaOptions persona;
  // rules: the rule wording; llm: llm_patient.backend words every reply,
  // behind the fact checker and the termination gate.
  std::string patient = "rules";
  LlmPatientOptions llm_patient;

  template <class V>
  void fields(V& v) {
    v("max_turns", max_turns);
    v("repeat_limit", repeat_limit);
    v("invalid_limit", invalid_limit);
    v("broad_extra_facts", broad_extra_facts);
    v("max_utterance_chars", max_utterance_chars);
    v("unrecorded_policy", unrecorded_policy);
    v("lexicon_dir", lexicon_dir);
    v("persona", persona);
    v("patient", patient);
    v("llm_patient", llm_patient);
  }
  void validate() const;
  // The lexicon folder these options name: lexicon_dir, or the source tree's data/sim.
  std::filesystem::path lexicon_path() const {
    return lexicon_dir.empty() ? Lexicon::default_dir() : std::filesystem::path(lexicon_dir);
  }
};

}  // namespace clinrl::sim
