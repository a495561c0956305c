#pragma once
// A patient worded by a language model. The rule engine still decides what
// the patient says this turn; the LLM only words it for the persona, seeing
// the doctor's question, the persona and the turn's content (never the rest
// of the record). A FactChecker rejects a reply that asserts anything else;
// the LLM is asked again with the reasons, and after `max_attempts` the rule
// wording is used (or the turn fails, when fallback is off).
#include <atomic>
#include <memory>
#include <mutex>

#include "clinrl/core/language_model.h"
#include "clinrl/sim/fact_checker.h"
#include "clinrl/sim/realiser.h"
#include "clinrl/sim/sim_options.h"

namespace clinrl::sim {

struct LlmPatientStats {
  size_t turns = 0;             // turns worded through the LLM
  size_t requests = 0;          // LLM calls
  size_t rejected = 0;          // replies the fact checker rejected
  size_t backend_errors = 0;    // calls that threw (counted as failed attempts)
  size_t fallbacks = 0;         // turns that used the rule wording
  double seconds_waiting = 0;   // summed over calls (concurrent calls overlap)
};

class LlmRealiser final : public Realiser {
 public:
  LlmRealiser(std::shared_ptr<core::LanguageModel> model, std::shared_ptr<const Lexicon> lexicon,
              LlmPatientOptions options);
  void realise(const RealisationInput& in, Rng& rng, std::vector<Statement>& out) const override;
  LlmPatientStats stats() const;
  // The backend's concurrency when its chat() is thread-safe, else 1.
  int concurrency() const override;

  // The request for one turn (exposed for tests and logs).
  static core::Conversation prompt(const RealisationInput& in, const std::vector<Statement>& rule_statements);

 private:
  std::shared_ptr<core::LanguageModel> model_;
  std::shared_ptr<const Realiser> rules_;
  FactChecker checker_;
  LlmPatientOptions options_;
  mutable std::mutex model_mutex_;  // held around calls to a backend that is not concurrent()
  mutable std::atomic<size_t> turns_{0}, requests_{0}, rejected_{0}, errors_{0}, fallbacks_{0};
  mutable std::atomic<int64_t> wait_us_{0};
};

}  // namespace clinrl::sim
