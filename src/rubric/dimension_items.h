#pragma once
// The whole-consultation rubric, one builder per dimension, private to
// src/rubric. generate_rubric (generator.cpp) concatenates them in this order.
// ethics_safety has two builders: the safety advice that goes with the plan
// is always asked for, while consent, confidentiality and the allergy check
// come only with GeneratorOptions::ethics.
#include "clinrl/records/record.h"
#include "clinrl/rubric/generator.h"
#include "clinrl/rubric/lexicon.h"
#include "clinrl/rubric/rubric_item.h"

namespace clinrl::rubric::generated {

// The diagnosis, the differential, a premature diagnosis.
Rubric diagnostic_accuracy_items(const records::Record& r, const GeneratorOptions& options);
// Must-ask topics and red-flag screening.
Rubric inquiry_logic_items(const records::Record& r, const Lexicon& lex);
// Tests, first-line treatment, contraindicated treatments, emergency care or referral.
Rubric treatment_items(const records::Record& r, const GeneratorOptions& options);
// ethics_safety with the plan: no false reassurance in an emergency, safety-netting.
Rubric safety_advice_items(const records::Record& r);
// Empathy, plain language, jargon, overconfidence, dismissiveness (GeneratorOptions::communication).
Rubric communication_items();
// ethics_safety by GeneratorOptions::ethics: consent, confidentiality, checking allergies.
Rubric ethics_items(const records::Record& r, const Lexicon& lex);

}  // namespace clinrl::rubric::generated
