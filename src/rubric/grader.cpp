#include "clinrl/rubric/grader.h"

#include "clinrl/rubric/scoring.h"

namespace clinrl::rubric {

size_t GradeResult::ungraded() const {
  size_t n = 0;
  for (const auto& g : items) n += g.met ? 0 : 1;
  return n;
}

std::vector<bool> GradeResult::graded_met() const {
  std::vector<bool> out;
  for (const auto& g : items)
    if (g.met) out.push_back(*g.met);
  return out;
}

Rubric GradeResult::graded_items(const Rubric& rubric) const {
  Rubric out;
  for (size_t i = 0; i < items.size() && i < rubric.size(); ++i)
    if (items[i].met) out.push_back(rubric[i]);
  return out;
}

std::vector<GradeResult> Grader::grade_batch(const std::vector<GradeJob>& jobs) {
  std::vector<GradeResult> out;
  out.reserve(jobs.size());
  for (const auto& job : jobs) out.push_back(grade(*job.conversation, *job.rubric));
  return out;
}

std::optional<double> graded_score(const Rubric& rubric, const GradeResult& result) {
  return rubric_score(result.graded_items(rubric), result.graded_met());
}

}  // namespace clinrl::rubric
