#pragma once
// When two rubric items ask for the same thing: a lexical proxy over their
// criterion texts. The LLM rubric generator drops proposals that repeat a
// rule item, and its consistency report counts proposals that agree with one.
//   content words: stemmed_words(criterion) without function words ("the",
//                  "about", "such", ...) and without "patient", which almost
//                  every criterion names
//   overlap:       Jaccard |A n B| / |A u B| of the two content-word sets
//                  (0 when either set is empty)
//   same intent at threshold t: both items have the same dimension, their
//                  points have the same sign, and overlap >= t
// A paraphrase with other words ("Asks when the pain started" for "Asks
// about the onset of the symptoms") is not recognised: shares built on this
// rule are a lower bound on semantic agreement.
#include <set>
#include <string>
#include <string_view>

#include "clinrl/rubric/rubric_item.h"

namespace clinrl::rubric {

std::set<std::string> content_words(std::string_view criterion);

// Jaccard overlap of the content words of two criterion texts, in [0, 1].
double criterion_overlap(std::string_view a, std::string_view b);

bool same_intent(const RubricItem& a, const RubricItem& b, double min_overlap);

// The first item of `rubric` with the same intent as `item`, or nullptr.
const RubricItem* find_same_intent(const RubricItem& item, const Rubric& rubric, double min_overlap);

}  // namespace clinrl::rubric
