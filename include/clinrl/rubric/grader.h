#pragma once
// The grader interface: a conversation and a rubric in, one verdict per item
// out. An item the grader cannot decide is `ungraded` (met is empty): it is
// counted and reported, never silently treated as false.
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/rubric/rubric_item.h"

namespace clinrl::rubric {

struct ItemGrade {
  std::optional<bool> met;  // empty: ungraded
  std::string explanation;
};

struct GradeResult {
  std::vector<ItemGrade> items;  // one per rubric item, in rubric order

  size_t ungraded() const;
  // criteria_met of the graded items, and the rubric restricted to them.
  std::vector<bool> graded_met() const;
  Rubric graded_items(const Rubric& rubric) const;
};

// HealthBench score over the graded items only (nullopt when they carry no
// positive points); what a reward function uses.
std::optional<double> graded_score(const Rubric& rubric, const GradeResult& result);

// One conversation and the rubric that grades it; `label` (a record id)
// names it in logs. Both pointers must outlive the grading call.
struct GradeJob {
  const core::Conversation* conversation = nullptr;
  const Rubric* rubric = nullptr;
  std::string label;
};

class Grader {
 public:
  virtual ~Grader() = default;
  // `conversation`: {role, content} messages; the doctor is "assistant"
  // (the last assistant turn is the reply under evaluation).
  virtual GradeResult grade(const core::Conversation& conversation, const Rubric& rubric) = 0;
  // Every job's items at once, results in job order. Graders backed by a
  // served model send them as one concurrent batch; this default grades the
  // jobs one by one.
  virtual std::vector<GradeResult> grade_batch(const std::vector<GradeJob>& jobs);
};

}  // namespace clinrl::rubric
