#include "clinrl/rl/rubric_scorer.h"

#include <map>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rubric/generator.h"
#include "clinrl/rubric/rule_grader.h"

namespace clinrl::rl {
namespace {

// A rubric divided between the two graders, with each part's positions in
// the whole (so the verdicts merge back in rubric order).
struct SplitRubric {
  rubric::Rubric whole;
  rubric::Rubric rule_items, judge_items;
  std::vector<size_t> rule_index, judge_index;
  rubric::CompiledRubric compiled;  // of rule_items
};

SplitRubric split_rubric(rubric::Rubric items, const std::string& grader, const rubric::RuleGrader& rules) {
  SplitRubric s;
  for (size_t i = 0; i < items.size(); ++i) {
    const bool by_rules = grader == "rules" || (grader == "mixed" && items[i].match);
    (by_rules ? s.rule_items : s.judge_items).push_back(items[i]);
    (by_rules ? s.rule_index : s.judge_index).push_back(i);
  }
  s.compiled = rules.compile(s.rule_items);
  s.whole = std::move(items);
  return s;
}

// A record's rubric and a one-item rubric that decides whether the
// DIAGNOSIS line names the record's diagnosis.
struct RecordRubrics {
  SplitRubric rubric;
  rubric::CompiledRubric diagnosis;
};

// One rubric to grade over one conversation, and where its verdicts go.
struct Task {
  const SplitRubric* rubric = nullptr;
  const core::Conversation* conversation = nullptr;
  const std::string* label = nullptr;
  rubric::GradeResult* out = nullptr;
};

class RubricScorer : public EpisodeScorer {
 public:
  RubricScorer(const std::vector<records::Record>& records, const ScorerOptions& options) : options_(options) {
    if (options_.grader != "rules" && !options_.judge)
      throw UserError(core::format("grader '{}' needs a judge model: configure the judge section", options_.grader));
    turn_options_.max_turns = options_.max_turns;
    auto rubrics = record_rubrics(records, options_.rubrics_path);
    for (size_t r = 0; r < records.size(); ++r) {
      const auto& record = records[r];
      RecordRubrics rr;
      rr.rubric = split_rubric(std::move(rubrics[r].rubrics), options_.grader, rules_);
      core::Json names = core::Json::array({record.diagnosis.name});
      for (const auto& s : record.diagnosis.synonyms) names.push_back(s);
      core::Json item = {{"criterion", "Names the correct diagnosis"},
                         {"points", 1},
                         {"tags", core::Json::array()},
                         {"match", {{"diagnosis", names}}}};
      rr.diagnosis = rules_.compile({rubric::RubricItem::from_json(item, "diagnosis check of " + record.id)});
      if (!rubrics_.emplace(record.id, std::move(rr)).second)
        throw UserError(core::format("record id {} occurs twice: each record needs its own rubric", record.id));
    }
  }

  const rubric::Rubric& rubric_of(const std::string& record_id) const override { return find(record_id).rubric.whole; }

  std::vector<EpisodeScore> score(const std::vector<ScoreJob>& jobs, const std::string& system_prompt) const override {
    const size_t n = jobs.size();
    std::vector<core::Conversation> conversations(n);
    std::vector<EpisodeScore> scores(n);
    // Per-turn rubrics: generated per doctor turn, graded over the dialogue up to that turn.
    std::vector<std::vector<SplitRubric>> turn_rubrics(n);
    std::vector<std::vector<core::Conversation>> turn_conversations(n);
    std::vector<std::vector<rubric::GradeResult>> turn_grades(n);
    std::vector<Task> tasks;
    for (size_t j = 0; j < n; ++j) {
      const RecordRubrics& rr = find(jobs[j].record->id);
      conversations[j] = to_conversation(*jobs[j].episode, system_prompt);
      tasks.push_back({&rr.rubric, &conversations[j], &jobs[j].record->id, &scores[j].grades});
      if (!options_.turn_rubrics) continue;
      const core::Conversation& c = conversations[j];
      for (size_t i = 0; i < c.size(); ++i) {
        if (c[i].role != "assistant") continue;
        core::Conversation prefix(c.begin(), c.begin() + static_cast<long>(i));
        turn_rubrics[j].push_back(
            split_rubric(rubric::generate_turn_rubric(*jobs[j].record, prefix, turn_options_), options_.grader, rules_));
        turn_conversations[j].emplace_back(c.begin(), c.begin() + static_cast<long>(i) + 1);
      }
      turn_grades[j].resize(turn_rubrics[j].size());
    }
    // Pointers into the per-job vectors are stable from here on.
    for (size_t j = 0; j < n; ++j)
      for (size_t t = 0; t < turn_rubrics[j].size(); ++t)
        tasks.push_back({&turn_rubrics[j][t], &turn_conversations[j][t], &jobs[j].record->id, &turn_grades[j][t]});
    grade(tasks);

    for (size_t j = 0; j < n; ++j) {
      const RecordRubrics& rr = find(jobs[j].record->id);
      EpisodeScore& s = scores[j];
      s.rubric = rubric::graded_score(rr.rubric.whole, s.grades).value_or(0.0);
      s.rubric_items = rr.rubric.whole.size();
      s.ungraded_items = s.grades.ungraded();
      for (size_t t = 0; t < turn_rubrics[j].size(); ++t) {
        s.turn_scores.push_back(rubric::graded_score(turn_rubrics[j][t].whole, turn_grades[j][t]).value_or(0.0));
        s.rubric_items += turn_rubrics[j][t].whole.size();
        s.ungraded_items += turn_grades[j][t].ungraded();
      }
      s.has_diagnosis = !jobs[j].episode->diagnosis.empty();
      s.diagnosis_correct = rules_.grade(conversations[j], rr.diagnosis).items[0].met.value_or(false);
      s.must_ask_coverage = sim::must_ask_coverage(*jobs[j].episode, *jobs[j].record).fraction;
    }
    return scores;
  }

 private:
  const RecordRubrics& find(const std::string& id) const {
    auto it = rubrics_.find(id);
    if (it == rubrics_.end()) throw std::invalid_argument(core::format("no rubric for record {}", id));
    return it->second;
  }

  // Rule items at once; every judge item of every task in one batch.
  void grade(const std::vector<Task>& tasks) const {
    std::vector<rubric::GradeJob> judge_jobs;
    std::vector<const Task*> judged;
    for (const auto& t : tasks) {
      t.out->items.assign(t.rubric->whole.size(), {});
      if (!t.rubric->rule_items.empty()) {
        auto verdicts = rules_.grade(*t.conversation, t.rubric->compiled);
        for (size_t k = 0; k < verdicts.items.size(); ++k) t.out->items[t.rubric->rule_index[k]] = verdicts.items[k];
      }
      if (!t.rubric->judge_items.empty()) {
        judge_jobs.push_back({t.conversation, &t.rubric->judge_items, *t.label});
        judged.push_back(&t);
      }
    }
    if (judge_jobs.empty()) return;
    auto verdicts = options_.judge->grade_batch(judge_jobs);
    for (size_t k = 0; k < judged.size(); ++k)
      for (size_t i = 0; i < verdicts[k].items.size(); ++i)
        judged[k]->out->items[judged[k]->rubric->judge_index[i]] = verdicts[k].items[i];
  }

  ScorerOptions options_;
  rubric::TurnRubricOptions turn_options_;
  rubric::RuleGrader rules_;
  std::map<std::string, RecordRubrics> rubrics_;  // by record id
};

}  // namespace

std::vector<rubric::RecordRubric> record_rubrics(const std::vector<records::Record>& records, const std::string& path) {
  if (path.empty()) return rubric::generate_rubrics(records);
  std::map<std::string, rubric::Rubric> by_id;
  for (auto& r : rubric::load_record_rubrics(path)) by_id[r.record_id] = std::move(r.rubrics);
  std::vector<rubric::RecordRubric> out;
  out.reserve(records.size());
  for (const auto& record : records) {
    auto it = by_id.find(record.id);
    if (it == by_id.end())
      throw UserError(core::format("rubrics.path {}: no rubric for record {} (every training and evaluation record "
                                   "needs one; `clinrl rubrics generate` writes them)",
                                   path, record.id));
    out.push_back({record.id, it->second});
  }
  return out;
}

std::unique_ptr<EpisodeScorer> make_rubric_scorer(const std::vector<records::Record>& records,
                                                  const ScorerOptions& options) {
  return std::make_unique<RubricScorer>(records, options);
}

}  // namespace clinrl::rl
