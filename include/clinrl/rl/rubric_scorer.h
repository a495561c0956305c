#pragma once
// The EpisodeScorer of training and evaluation: each record's rubric
// (generated, or from a rubric file), graded over the finished dialogue by
// the rule grader, the LLM judge, or both (items with a match block by
// rules, the rest by the judge). Whether the diagnosis is correct is always
// decided by the rule check against the record's diagnosis and synonyms.
#include <memory>
#include <string>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/rl/episode_scorer.h"
#include "clinrl/rubric/grader.h"
#include "clinrl/rubric/rubric_files.h"

namespace clinrl::rl {

struct ScorerOptions {
  std::string grader = "rules";     // rules | llm | mixed (RewardOptions::grader)
  rubric::Grader* judge = nullptr;  // for llm and mixed; must outlive the scorer
  // Every doctor turn is also graded against the context-specific rubric
  // generated from the dialogue before it (Baichuan-M2's per-turn rubrics);
  // `max_turns` is the simulator's turn cap.
  bool turn_rubrics = false;
  int max_turns = 12;
  std::string rubrics_path;  // a rubric file (rubrics.path); "" = generate each record's rubric
};

std::unique_ptr<EpisodeScorer> make_rubric_scorer(const std::vector<records::Record>& records,
                                                  const ScorerOptions& options = {});

// The rubric of every record: from `path` (UserError naming the file and the
// record id when one is missing, or the line of a malformed entry) or generated.
std::vector<rubric::RecordRubric> record_rubrics(const std::vector<records::Record>& records, const std::string& path);

}  // namespace clinrl::rl
