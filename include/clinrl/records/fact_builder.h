#pragma once
// Facts written in code (the importer, the synthesiser, tests) name every
// field they set instead of passing nine positional arguments:
//
//   Fact f = FactBuilder("neg.fever", "pertinent_negative", {"symptom:fever"})
//                .clinical("denies fever").negative().subject("fever");
//
// id, category and topics are required (Fact::fields() marks them so); the
// rest keep Fact's defaults unless set.
#include <string>
#include <utility>
#include <vector>

#include "clinrl/records/record.h"

namespace clinrl::records {

class FactBuilder {
 public:
  FactBuilder(std::string id, std::string category, std::vector<std::string> topics) {
    fact_.id = std::move(id);
    fact_.category = std::move(category);
    fact_.topics = std::move(topics);
  }

  FactBuilder&& lay(std::string text) && { return set(fact_.lay, std::move(text)); }
  FactBuilder&& clinical(std::string text) && { return set(fact_.clinical, std::move(text)); }
  FactBuilder&& sensitivity(int level) && { return set(fact_.sensitivity, level); }
  FactBuilder&& negative(bool is_negative = true) && { return set(fact_.negative, is_negative); }
  FactBuilder&& subject(std::string name) && { return set(fact_.subject, std::move(name)); }
  FactBuilder&& value(std::string result) && { return set(fact_.value, std::move(result)); }

  // Setters are for temporaries only (`FactBuilder(...).lay(...)`), so the
  // finished fact is moved out, never copied.
  operator Fact() && { return std::move(fact_); }  // NOLINT(google-explicit-constructor): reads as a Fact literal

 private:
  template <class T, class U>
  FactBuilder&& set(T& field, U&& v) {
    field = std::forward<U>(v);
    return std::move(*this);
  }

  Fact fact_;
};

}  // namespace clinrl::records
