#include "clinrl/rubric/rubric_consistency.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/rubric/criterion_overlap.h"

namespace clinrl::rubric {

using core::Json;

std::optional<double> MatchShare::share() const {
  if (items == 0) return std::nullopt;
  return static_cast<double>(matched) / static_cast<double>(items);
}

Json MatchShare::to_json() const {
  auto s = share();
  return {{"items", items}, {"matched", matched}, {"share", s ? Json(*s) : Json(nullptr)}};
}

ConsistencyReport::ConsistencyReport(double min_overlap) : min_overlap_(min_overlap) {
  core::check_range("min_overlap", min_overlap, 0, 1);
  for (const auto& d : dimensions()) per_dimension_[d] = {};
}

void ConsistencyReport::add(const Rubric& items, const Rubric& rule_items) {
  for (const auto& item : items) {
    // Items without a known dimension cannot match (same_intent needs one); they count overall only.
    bool matched = find_same_intent(item, rule_items, min_overlap_) != nullptr;
    overall_.items += 1;
    overall_.matched += matched;
    if (item.dimension) {
      auto it = per_dimension_.find(*item.dimension);
      if (it != per_dimension_.end()) {
        it->second.items += 1;
        it->second.matched += matched;
      }
    }
  }
}

const MatchShare& ConsistencyReport::dimension(const std::string& name) const {
  auto it = per_dimension_.find(name);
  if (it == per_dimension_.end()) throw std::invalid_argument("unknown rubric dimension '" + name + "'");
  return it->second;
}

Json ConsistencyReport::to_json() const {
  Json per = Json::object();
  for (const auto& d : dimensions()) per[d] = per_dimension_.at(d).to_json();
  return {{"min_overlap", min_overlap_}, {"overall", overall_.to_json()}, {"per_dimension", per}};
}

}  // namespace clinrl::rubric
