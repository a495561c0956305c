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

// A record's generated rubric, compiled once, plus a one-item rubric that
// decides whether the DIAGNOSIS line names the record's diagnosis.
struct RecordRubric {
  rubric::Rubric items;
  rubric::CompiledRubric compiled;
  rubric::CompiledRubric diagnosis;
};

class RubricScorer : public EpisodeScorer {
 public:
  RubricScorer(const std::vector<records::Record>& records, bool turn_rubrics, int max_turns)
      : turn_rubrics_(turn_rubrics) {
    turn_options_.max_turns = max_turns;
    for (const auto& r : records) {
      RecordRubric rr;
      rr.items = rubric::generate_rubric(r);
      rr.compiled = grader_.compile(rr.items);
      core::Json names = core::Json::array({r.diagnosis.name});
      for (const auto& s : r.diagnosis.synonyms) names.push_back(s);
      core::Json item = {{"criterion", "Names the correct diagnosis"},
                         {"points", 1},
                         {"tags", core::Json::array()},
                         {"match", {{"diagnosis", names}}}};
      rr.diagnosis = grader_.compile({rubric::RubricItem::from_json(item, "diagnosis check of " + r.id)});
      if (!rubrics_.emplace(r.id, std::move(rr)).second)
        throw UserError(core::format("record id {} occurs twice: each record needs its own rubric", r.id));
    }
  }

  EpisodeScore score(const records::Record& record, const sim::Episode& episode,
                     const std::string& system_prompt) const override {
    auto it = rubrics_.find(record.id);
    if (it == rubrics_.end()) throw std::invalid_argument(core::format("no rubric for record {}", record.id));
    const RecordRubric& rr = it->second;
    core::Conversation conversation = to_conversation(episode, system_prompt);
    auto result = grader_.grade(conversation, rr.compiled);
    EpisodeScore s;
    s.rubric = rubric::graded_score(rr.items, result).value_or(0.0);
    s.ungraded_items = result.ungraded();
    s.has_diagnosis = !episode.diagnosis.empty();
    auto diagnosis = grader_.grade(conversation, rr.diagnosis);
    s.diagnosis_correct = diagnosis.items[0].met.value_or(false);
    s.must_ask_coverage = sim::must_ask_coverage(episode, record).fraction;
    if (turn_rubrics_) s.turn_scores = turn_scores(record, conversation);
    return s;
  }

 private:
  // Each doctor turn graded against the rubric for "the next reply" of the dialogue before it.
  std::vector<double> turn_scores(const records::Record& record, const core::Conversation& conversation) const {
    std::vector<double> scores;
    for (size_t i = 0; i < conversation.size(); ++i) {
      if (conversation[i].role != "assistant") continue;
      core::Conversation prefix(conversation.begin(), conversation.begin() + static_cast<long>(i));
      auto items = rubric::generate_turn_rubric(record, prefix, turn_options_);
      core::Conversation upto(conversation.begin(), conversation.begin() + static_cast<long>(i) + 1);
      auto result = grader_.grade(upto, grader_.compile(items));
      scores.push_back(rubric::graded_score(items, result).value_or(0.0));
    }
    return scores;
  }

  bool turn_rubrics_ = false;
  rubric::TurnRubricOptions turn_options_;
  rubric::RuleGrader grader_;
  std::map<std::string, RecordRubric> rubrics_;  // by record id
};

}  // namespace

std::unique_ptr<EpisodeScorer> make_rubric_scorer(const std::vector<records::Record>& records, bool turn_rubrics,
                                                  int max_turns) {
  return std::make_unique<RubricScorer>(records, turn_rubrics, max_turns);
}

}  // namespace clinrl::rl
