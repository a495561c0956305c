#include "generated_item.h"

#include <algorithm>
#include <set>

#include "clinrl/core/strings.h"
#include "clinrl/rubric/lexicon.h"

namespace clinrl::rubric::generated {

using core::Json;

RubricItem make_item(const std::string& criterion, int points, const std::string& dimension, const std::string& axis,
                     Json match) {
  RubricItem item;
  item.criterion = criterion;
  item.points = std::clamp(points, -10, 10);
  item.tags = {"level:example", "axis:" + axis, "dimension:" + dimension};
  item.dimension = dimension;
  item.match = std::move(match);
  return item;
}

Json phrases_json(const std::vector<std::string>& phrases) {
  Json out = Json::array();
  std::set<std::string> seen;
  for (const auto& p : phrases) {
    std::string t = core::trim(p);
    if (!stemmed_words(t).empty() && seen.insert(core::to_lower(t)).second) out.push_back(t);
  }
  return out;
}

Json ask_match(const std::vector<std::string>& phrases, const char* scope) {
  return {{"any", phrases_json(phrases)}, {"question", true}, {"polarity", "either"}, {"scope", scope}};
}

std::string list_words(const std::vector<std::string>& items, const std::string& last) {
  if (items.empty()) return "";
  if (items.size() == 1) return items[0];
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return core::join(head, ", ") + " " + last + " " + items.back();
}

std::vector<std::string> diagnosis_names(const records::Record& r) {
  std::vector<std::string> names{r.diagnosis.name};
  for (const auto& s : r.diagnosis.synonyms) names.push_back(s);
  return names;
}

}  // namespace clinrl::rubric::generated
