#include "clinrl/rubric/criterion_overlap.h"

#include "clinrl/rubric/lexicon.h"

namespace clinrl::rubric {

namespace {

// Words that carry no clinical content in a criterion (already stemmed).
const std::set<std::string>& function_words() {
  static const std::set<std::string> words = {
      "a",    "an",   "the",  "of",      "to",        "for",  "and", "or",  "about", "such", "as",
      "on",   "in",   "with", "by",      "at",        "from", "any", "that", "this", "it",   "its",
      "is",   "are",  "be",   "their",   "his",       "her",  "if",  "e",   "g",     "eg",
      "patient"};
  return words;
}

}  // namespace

std::set<std::string> content_words(std::string_view criterion) {
  std::set<std::string> out;
  for (auto& w : stemmed_words(criterion)) {
    // stem() leaves a possessive as "patient'": the noun is what counts.
    if (w.size() > 1 && w.back() == '\'') w.pop_back();
    if (!function_words().count(w)) out.insert(std::move(w));
  }
  return out;
}

double criterion_overlap(std::string_view a, std::string_view b) {
  auto wa = content_words(a), wb = content_words(b);
  if (wa.empty() || wb.empty()) return 0;
  size_t common = 0;
  for (const auto& w : wa) common += wb.count(w);
  return static_cast<double>(common) / static_cast<double>(wa.size() + wb.size() - common);
}

bool same_intent(const RubricItem& a, const RubricItem& b, double min_overlap) {
  if (!a.dimension || a.dimension != b.dimension) return false;
  if ((a.points > 0) != (b.points > 0) || (a.points < 0) != (b.points < 0)) return false;
  return criterion_overlap(a.criterion, b.criterion) >= min_overlap;
}

const RubricItem* find_same_intent(const RubricItem& item, const Rubric& rubric, double min_overlap) {
  for (const auto& other : rubric)
    if (same_intent(item, other, min_overlap)) return &other;
  return nullptr;
}

}  // namespace clinrl::rubric
