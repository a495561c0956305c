#include <catch2/catch.hpp>

#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/token_logprobs.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/rollout.h"
#include "rl/rl_policy_fixture.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

using test::tiny_policy;

TEST_CASE("rollout: episodes finish, masks line up, and sampled log-probs equal the training recomputation",
          "[rl]") {
  test::TempDir dir;
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(2);
  sim::SimOptions sim_options;
  sim_options.max_turns = 3;
  auto sims = rl::make_simulators(records, sim_options);
  auto policy = tiny_policy(dir.path(), sims);

  rl::RolloutOptions options;
  options.max_turn_tokens = 12;
  options.max_episode_tokens = 400;
  options.system_prompt = "You are a doctor.";
  std::vector<rl::EpisodeJob> jobs;
  for (uint64_t i = 0; i < 4; ++i) jobs.push_back({sims[i % 2], 100 + i});
  auto episodes = rl::roll_out(policy, jobs, options, 9);
  REQUIRE(episodes.size() == 4);
  for (const auto& e : episodes) {
    CHECK((e.truncated || !e.transcript.termination_reason.empty()));
    CHECK(e.tokens.ids.size() == e.tokens.policy_mask.size());
    CHECK(e.tokens.ids.size() == e.tokens.old_logp.size());
    CHECK(e.doctor_turns >= 1);
    CHECK(e.tokens.policy_tokens() >= e.doctor_turns);
    CHECK(e.tokens.policy_tokens() <= e.doctor_turns * options.max_turn_tokens);

    // The KV-cached, turn-by-turn log-probs equal one full forward pass.
    auto ids = torch::tensor(e.tokens.ids, torch::kInt64).unsqueeze(0);
    torch::NoGradGuard no_grad;
    auto logp = model::token_logprobs(policy.model, ids)[0];
    double worst = 0;
    for (size_t t = 0; t < e.tokens.ids.size(); ++t)
      if (e.tokens.policy_mask[t])
        worst = std::max(worst, std::abs(logp[static_cast<int64_t>(t)].item<double>() - e.tokens.old_logp[t]));
    CHECK(worst < 1e-4);
  }

  SECTION("the same seeds replay the same episodes") {
    auto again = rl::roll_out(policy, jobs, options, 9);
    for (size_t i = 0; i < episodes.size(); ++i) CHECK(again[i].tokens.ids == episodes[i].tokens.ids);
  }
  SECTION("re-encoding every turn gives the same greedy dialogue as keeping the cache") {
    options.sampler.temperature = 0;
    auto cached = rl::roll_out(policy, jobs, options, 9);
    auto reencoded = rl::roll_out_reencoding(policy, jobs, options, 9);
    for (size_t i = 0; i < cached.size(); ++i) CHECK(cached[i].tokens.ids == reencoded[i].tokens.ids);
  }
}
