#pragma once
// How the rubric generator writes an item, private to src/rubric: the item
// with its tags, the match blocks the rule grader decides it by, and wording
// helpers. Used by the per-dimension builders (dimension_items.cpp) and the
// per-turn rubric (turn_rubric.cpp).
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/records/record.h"
#include "clinrl/rubric/rubric_item.h"

namespace clinrl::rubric::generated {

// An item of `dimension` tagged with its HealthBench axis; points clamped to -10..10.
RubricItem make_item(const std::string& criterion, int points, const std::string& dimension, const std::string& axis,
                     core::Json match);
// The phrases as a match list: trimmed, without empty or repeated (case-insensitive) ones.
core::Json phrases_json(const std::vector<std::string>& phrases);
// A match block met when the doctor asks (a question) about any of the phrases, in `scope`.
core::Json ask_match(const std::vector<std::string>& phrases, const char* scope = "dialogue");
// "a, b or c".
std::string list_words(const std::vector<std::string>& items, const std::string& last = "or");
// The diagnosis name, then its synonyms.
std::vector<std::string> diagnosis_names(const records::Record& r);

}  // namespace clinrl::rubric::generated
