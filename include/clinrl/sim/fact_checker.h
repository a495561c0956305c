#pragma once
// The fact unit behind an LLM-worded patient (after Baichuan-M2): a free-text
// reply may only assert what the rule engine selected for this turn. The
// checker compares the reply with the turn's statements and the record:
//  - every number in the reply appears in the allowed content;
//  - every symptom the lexicon recognises in the reply is part of the allowed
//    content, with the same polarity (a denied symptom is not affirmed, an
//    affirmed one not denied);
//  - no subject of a record fact outside this turn (a test, a habit, a drug)
//    and no diagnosis name appears unless the allowed content contains it.
// It is lexical: a paraphrase it cannot recognise passes, so it catches the
// common failures (invented symptoms, numbers, leaked results, diagnoses),
// not every possible one.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/realiser.h"

namespace clinrl::sim {

struct FactCheck {
  std::vector<std::string> violations;  // one readable sentence each
  bool ok() const { return violations.empty(); }
};

class FactChecker {
 public:
  explicit FactChecker(std::shared_ptr<const Lexicon> lexicon);

  // `allowed`: the statements the rule engine chose for this turn (texts,
  // facts and subjects); `reply`: the LLM's wording of them; `revealed`
  // (per record fact, may be null): facts disclosed earlier, which the reply
  // may refer back to. The chief complaint is always known.
  FactCheck check(const records::Record& record, const std::vector<Statement>& allowed, std::string_view reply,
                  const std::vector<uint8_t>* revealed = nullptr) const;

 private:
  std::shared_ptr<const Lexicon> lexicon_;
};

}  // namespace clinrl::sim
