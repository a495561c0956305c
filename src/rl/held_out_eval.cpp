#include "clinrl/dist/process_group.h"
#include "clinrl/rl/held_out_eval.h"

#include "clinrl/core/atomic_file.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/dialogue_eval.h"
#include "clinrl/rl/rubric_scorer.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

core::Json score_to_json(const HeldOutScore& s) {
  return {{"rubric", s.rubric},
          {"diagnosis_accuracy", s.diagnosis_accuracy},
          {"must_ask_coverage", s.must_ask_coverage},
          {"turns", s.turns},
          {"episodes", s.episodes},
          {"rubric_std", s.rubric_std},
          {"diagnosis_accuracy_std", s.diagnosis_accuracy_std},
          {"must_ask_coverage_std", s.must_ask_coverage_std}};
}

}  // namespace

HeldOutResult evaluate_held_out(model::ChatModel& policy, const TrainConfig& config, const RunData& data,
                                const fs::path& run_dir, const RewardTrend& reward_trend,
                                const Verifiers& verifiers) {
  std::vector<records::Record> test = data.test;
  if (config.eval.records > 0 && static_cast<size_t>(config.eval.records) < test.size())
    test.resize(static_cast<size_t>(config.eval.records));
  auto sims = make_simulators(test, config.sim, verifiers.patient());
  auto scorer = make_rubric_scorer(test, scorer_options(config, verifiers, false));
  auto score = [&](model::ChatModel& p) {
    return evaluate_dialogues(p, sims, *scorer, config.rollout, config.eval.episodes_per_record, config.run.seed)
        .summary;
  };
  HeldOutResult result;
  core::Json eval = core::Json::object();
  const fs::path sft_dir = run_dir / "sft";
  if (fs::exists(sft_dir / "model.safetensors")) {
    model::ChatModel sft_policy = model::ChatModel::load(sft_dir, config.policy.load);
    result.sft = score(sft_policy);
    eval["sft"] = score_to_json(*result.sft);
  }
  result.final_policy = score(policy);
  eval["grpo"] = score_to_json(result.final_policy);
  eval["reward_first5"] = reward_trend.first.mean;
  eval["reward_last5"] = reward_trend.last.mean;
  eval["reward_gain_standard_error"] = reward_trend.standard_error();
  if (dist::world().is_main()) core::write_json_file_atomic(run_dir / "eval.json", eval);  // every rank evaluates; rank 0 writes
  return result;
}

}  // namespace clinrl::rl
