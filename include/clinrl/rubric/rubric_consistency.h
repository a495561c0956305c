#pragma once
// How far a second rubric generator (the LLM one) agrees with the rule
// generator: per dimension, the share of its items that have the same
// intent (criterion_overlap.h: same dimension, same sign of points, content-
// word overlap >= min_overlap) as some rule item of the same record.
// Items are counted under their own dimension; the overall share pools them.
#include <map>
#include <optional>
#include <string>

#include "clinrl/core/json_io.h"
#include "clinrl/rubric/rubric_item.h"

namespace clinrl::rubric {

struct MatchShare {
  size_t items = 0;
  size_t matched = 0;
  // matched / items; none without items.
  std::optional<double> share() const;
  core::Json to_json() const;  // {"items", "matched", "share" (null without items)}
};

class ConsistencyReport {
 public:
  explicit ConsistencyReport(double min_overlap);

  // Counts each of `items` against the rule rubric of the same record.
  void add(const Rubric& items, const Rubric& rule_items);

  double min_overlap() const { return min_overlap_; }
  const MatchShare& overall() const { return overall_; }
  // Every dimension of dimensions(), also those without items.
  const MatchShare& dimension(const std::string& name) const;

  // {"min_overlap", "overall": MatchShare, "per_dimension": {name: MatchShare}} in dimensions() order.
  core::Json to_json() const;

 private:
  double min_overlap_;
  MatchShare overall_;
  std::map<std::string, MatchShare> per_dimension_;
};

}  // namespace clinrl::rubric
