#pragma once
// The realisation seam: the rule engine decides WHAT the patient says (which
// facts, denials, refusals); a Realiser decides HOW (wording for a persona).
// A later LLM-backed realiser plugs in here, behind a fact checker, while the
// gating stays in the rule engine.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clinrl/core/rng.h"
#include "clinrl/records/record.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/persona.h"

namespace clinrl::sim {

enum class ContentKind : uint8_t {
  kGreeting,            // opening pleasantry
  kChiefComplaint,      // the record's chief_complaint field (opening without a chief_complaint fact)
  kFact,                // a recorded history fact
  kResult,              // a recorded measurement (test, exam, vital sign)
  kResultNotInRecord,   // a measurement the record lacks: "normal", flagged
  kUnrecordedNegative,  // a denial of an item the record does not mention (policy "negative"), flagged
  kUnrecordedUnknown,   // "I'm not sure" about an item the record does not mention
  kWithheld,            // a sensitive fact the persona will not disclose yet
  kNothingMore,         // a broad question with nothing left to add
  kNotUnderstood,       // no question recognised
  kAcknowledge,         // empathy only, or the diagnosis turn
  kInvalid,             // empty or garbage doctor turn
  kRepetition,          // the doctor repeated itself too often
  kFinalTurn,           // instruction to the doctor: a diagnosis is now required
  kFiller,              // persona wording that states nothing (openers, worries)
};
const char* content_kind_name(ContentKind kind);

struct Content {
  ContentKind kind = ContentKind::kFiller;
  int fact = -1;         // index into record.facts for kFact / kResult / kWithheld
  bool repeated = false; // the fact was stated before in this episode
  std::string subject;   // the item for unrecorded / not-in-record content ("fever", "test:zinc")
};

// One piece of a patient turn with where it came from; the turn's text is the
// statements' texts joined by single spaces.
struct Statement {
  ContentKind kind = ContentKind::kFiller;
  int fact = -1;
  std::string subject;
  std::string text;
};

struct RealisationInput {
  const records::Record* record = nullptr;
  const Persona* persona = nullptr;
  const std::vector<Content>* content = nullptr;
  bool opening = false;
  std::string_view doctor_utterance;  // what the patient answers; empty for the opening
  const std::vector<uint8_t>* revealed = nullptr;  // per record fact: disclosed so far, this turn included
};

class Realiser {
 public:
  virtual ~Realiser() = default;
  // Appends the statements for `in.content` to `out`; all randomness from `rng`.
  virtual void realise(const RealisationInput& in, Rng& rng, std::vector<Statement>& out) const = 0;
  // How many episodes may call realise() at once with profit (a served
  // model words several replies in parallel); 1 = no point in threads.
  virtual int concurrency() const { return 1; }
};

// The embedded rule-based wording (data/sim/persona_phrases.json).
std::shared_ptr<const Realiser> make_rule_realiser(std::shared_ptr<const Lexicon> lexicon);

// The wording of a fact for a persona's health literacy (falls back to the other wording).
std::string fact_wording(const records::Fact& fact, const Persona& persona);

}  // namespace clinrl::sim
