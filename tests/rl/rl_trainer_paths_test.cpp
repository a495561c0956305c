// GrpoTrainer end to end on the paths a default run does not take: the KL
// reference, dynamic sampling's extra generation rounds, num_iterations > 1
// through grpo_update, mask_truncated, adaptive record sampling, turn-level
// credit and the exclusion of degenerate turns. Each assertion fails when its
// feature is switched off.
#include <catch2/catch.hpp>

#include <filesystem>

#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/grpo_trainer.h"
#include "clinrl/rl/rubric_scorer.h"
#include "rl/rl_policy_fixture.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

struct Trainer {
  test::TempDir dir;
  std::vector<records::Record> records;
  std::vector<std::shared_ptr<const sim::PatientSimulator>> sims;
  model::ChatModel policy;
  rl::TrainConfig config;
  std::unique_ptr<rl::EpisodeScorer> scorer;

  explicit Trainer(const std::function<void(rl::TrainConfig&)>& configure) : records(load()), sims(simulators(records)),
      policy(test::tiny_policy(dir.path(), sims)) {
    config.run.seed = 5;
    config.sim.max_turns = 3;
    config.grpo.group_size = 2;
    config.grpo.records_per_step = 2;
    config.grpo.micro_batch_size = 2;
    config.grpo.optimizer.lr = 1e-2;
    config.grpo_steps = 3;
    config.rollout.max_turn_tokens = 8;
    config.rollout.max_episode_tokens = 256;
    // Rewards that vary within a group, so every step updates: -n/32 for n response tokens.
    config.grpo.reward.length_weight = 1;
    config.grpo.reward.length_max_tokens = 32;
    config.grpo.reward.length_cache_tokens = 32;
    configure(config);
    rl::ScorerOptions scoring;
    scoring.turn_rubrics = config.grpo.credit == "turn";  // as grpo_stage asks for them
    scoring.max_turns = config.sim.max_turns;
    scorer = rl::make_rubric_scorer(records, scoring);
  }
  static std::vector<records::Record> load() {
    auto all = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.train.jsonl");
    all.resize(4);
    return all;
  }
  static std::vector<std::shared_ptr<const sim::PatientSimulator>> simulators(const std::vector<records::Record>& r) {
    sim::SimOptions o;
    o.max_turns = 3;
    return rl::make_simulators(r, o);
  }
  std::vector<rl::StepMetrics> run(int steps) {
    rl::GrpoTrainer trainer(policy, config, sims, *scorer, dir / "run");
    std::vector<rl::StepMetrics> out;
    for (int s = 0; s < steps; ++s) out.push_back(trainer.step(s));
    return out;
  }
};

}  // namespace

TEST_CASE("trainer paths: kl_beta > 0 loads the frozen reference and reports a KL that grows from 0", "[rl]") {
  Trainer t([](rl::TrainConfig& c) { c.grpo.kl_beta = 0.1; });
  auto steps = t.run(2);
  REQUIRE(steps[0].kl.has_value());
  CHECK(*steps[0].kl == Approx(0.0).margin(1e-5));  // the policy is the reference at step 1
  REQUIRE(steps[1].kl.has_value());
  CHECK(*steps[1].kl > 1e-6);  // after one update they differ
  Trainer off([](rl::TrainConfig&) {});
  const auto plain = off.run(2);
  CHECK(*plain[1].kl == 0.0);  // no reference, no KL
}

TEST_CASE("trainer paths: dynamic sampling generates more rounds when groups have zero reward variance", "[rl]") {
  // A random tiny policy often ends both episodes of a group with the same rubric score.
  Trainer t([](rl::TrainConfig& c) {
    c.grpo.reward.length_weight = 0;  // the rubric score alone
    c.grpo.dynamic_sampling = true;
    c.grpo.max_resample_batches = 3;
  });
  auto steps = t.run(3);
  int64_t extra_rounds = 0;
  for (const auto& m : steps) {
    INFO("rounds " << m.generation_rounds << ", zero-variance share " << m.zero_variance_fraction);
    CHECK(m.generation_rounds >= 1);
    CHECK(m.generation_rounds <= 4);
    CHECK(m.groups_trained <= 2);
    extra_rounds += m.generation_rounds - 1;
    if (m.zero_variance_fraction == 0) CHECK(m.generation_rounds == 1);
  }
  CHECK(extra_rounds > 0);
  Trainer off([](rl::TrainConfig& c) { c.grpo.reward.length_weight = 0; });
  for (const auto& m : off.run(3)) CHECK(m.generation_rounds == 1);
}

TEST_CASE("trainer paths: num_iterations 2 moves the policy away from the rollout's log-probs within a step", "[rl]") {
  Trainer two([](rl::TrainConfig& c) { c.grpo.num_iterations = 2; });
  Trainer one([](rl::TrainConfig&) {});
  const auto a = two.run(1)[0];
  const auto b = one.run(1)[0];
  REQUIRE(a.approx_kl.has_value());
  REQUIRE(b.approx_kl.has_value());
  // One pass sees ratios of 1 (old log-probs = current, up to rounding); the second pass does not.
  CHECK(std::abs(*b.approx_kl) < 1e-5);
  CHECK(*a.approx_kl > 10 * std::abs(*b.approx_kl));
  CHECK(*a.train_tokens == 2 * *b.train_tokens);  // the same tokens, twice
}

TEST_CASE("trainer paths: mask_truncated takes truncated episodes out of the loss", "[rl]") {
  // Episodes of at most 200 tokens: room for a doctor turn or two, not for the whole consultation.
  auto tight = [](rl::TrainConfig& c) {
    c.rollout.max_episode_tokens = 200;
    c.sft.row_length = 200;
  };
  Trainer masked([&](rl::TrainConfig& c) {
    tight(c);
    c.grpo.mask_truncated = true;
  });
  Trainer kept(tight);
  const auto m = masked.run(1)[0];
  const auto k = kept.run(1)[0];
  REQUIRE(k.truncated_fraction == 1.0);
  REQUIRE(m.truncated_fraction == 1.0);
  REQUIRE(k.grad_norm.has_value());
  REQUIRE(m.grad_norm.has_value());
  CHECK(*k.grad_norm > 0);
  CHECK(*m.grad_norm == 0.0);  // no token carries loss
  CHECK(*m.loss == 0.0);
}

TEST_CASE("trainer paths: credit turn reinforces each turn by its own advantage, changing the update", "[rl]") {
  Trainer episode([](rl::TrainConfig&) {});
  Trainer turn([](rl::TrainConfig& c) {
    c.grpo.credit = "turn";
    c.grpo.turn_outcome_mix = 0.5;
  });
  const auto a = episode.run(1), b = turn.run(1);
  // The same episodes (same seeds, same starting weights) ...
  CHECK(a[0].reward_mean == b[0].reward_mean);
  CHECK(a[0].doctor_turns == b[0].doctor_turns);
  REQUIRE(a[0].grad_norm.has_value());
  REQUIRE(b[0].grad_norm.has_value());
  // ... and a different gradient.
  CHECK(std::abs(*a[0].grad_norm - *b[0].grad_norm) > 1e-6);
}

TEST_CASE("trainer paths: exclude_degenerate takes runaway turns out of the update", "[rl]") {
  // A random policy with an 8-token turn budget runs every turn to the cap.
  Trainer counted([](rl::TrainConfig&) {});
  const auto plain = counted.run(1);
  REQUIRE(plain[0].doctor_turns > 0);
  REQUIRE(plain[0].degenerate_runaway_length == plain[0].doctor_turns);
  CHECK(plain[0].degenerate_fraction == 1.0);
  CHECK_FALSE(plain[0].degenerate_excluded);
  REQUIRE(plain[0].grad_norm.has_value());
  CHECK(*plain[0].grad_norm > 0);
  Trainer excluded([](rl::TrainConfig& c) { c.grpo.exclude_degenerate = true; });
  const auto out = excluded.run(1);
  CHECK(out[0].degenerate_excluded);
  CHECK(out[0].degenerate_runaway_length == plain[0].degenerate_runaway_length);
  REQUIRE(out[0].grad_norm.has_value());
  CHECK(*out[0].grad_norm == 0.0);
  CHECK(*out[0].loss == 0.0);
}

TEST_CASE("trainer paths: adaptive record sampling learns from every group played, dropped ones too", "[rl]") {
  Trainer t([](rl::TrainConfig& c) {
    c.grpo.reward.length_weight = 0;  // the rubric score alone: zero-variance groups are common
    c.grpo.dynamic_sampling = true;
    c.grpo.max_resample_batches = 3;
    c.grpo.record_sampling = "adaptive";
  });
  rl::GrpoTrainer trainer(t.policy, t.config, t.sims, *t.scorer, t.dir / "run");
  int64_t trained = 0;
  bool dropped = false;
  for (int s = 0; s < 3; ++s) {
    const rl::StepMetrics m = trainer.step(s);
    trained += m.groups_trained;
    dropped = dropped || m.zero_variance_fraction > 0;
    REQUIRE(m.sampling_effective_records.has_value());
    CHECK(*m.sampling_effective_records > 0);
    CHECK(*m.sampling_effective_records <= 4.0 + 1e-9);  // 4 training records
    if (s == 0) CHECK(*m.sampling_effective_records == Approx(4.0));  // all at the prior: equal weights
    CHECK(m.hardest_decile_reward.has_value());
  }
  const core::Json state = rl::read_trainer_state(trainer.save(3, core::Json(nullptr)))["record_sampler"];
  int64_t played = 0;
  for (const auto& n : state["groups_played"]) played += n.get<int64_t>();
  INFO("groups played " << played << ", trained " << trained);
  CHECK(dropped);
  CHECK(played > trained);  // the dropped zero-variance groups count too
}
