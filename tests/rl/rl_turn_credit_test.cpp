// Turn-level credit (rl/turn_credit.h) and degenerate doctor turns
// (rl/degenerate_turns.h), by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "clinrl/rl/degenerate_turns.h"
#include "clinrl/rl/grpo_loss.h"
#include "clinrl/rl/turn_credit.h"

using namespace clinrl::rl;

namespace {

// One group of two episodes: turn scores {1, 0} and {0.5}, episode advantages {0.3, -0.3}.
// Pool {1, 0, 0.5}: mean 0.5, sample std sqrt((0.25 + 0.25 + 0) / 2) = 0.5.
TurnCreditInputs two_episodes(AdvantageScale scale, double mix) {
  TurnCreditInputs in;
  in.turn_scores = {{1.0, 0.0}, {0.5}};
  in.episode_advantages = {0.3, -0.3};
  in.group_size = 2;
  in.scale = scale;
  in.std_eps = 1e-6;
  in.outcome_mix = mix;
  return in;
}

}  // namespace

TEST_CASE("turn credit: scale none is the turn score minus the mean of the group's turns", "[rl]") {
  const auto a = turn_advantages(two_episodes(AdvantageScale::none, 0.5));
  REQUIRE(a.size() == 2);
  REQUIRE(a[0].size() == 2);
  REQUIRE(a[1].size() == 1);
  CHECK(a[0][0] == 0.5);                                 // an early turn: its own advantage only
  CHECK(a[0][1] == Approx(0.5 * -0.5 + 0.5 * 0.3).margin(1e-15));  // final turn: -0.1
  CHECK(a[1][0] == Approx(0.5 * 0.0 + 0.5 * -0.3).margin(1e-15));  // -0.15
}

TEST_CASE("turn credit: scale group divides by the sample std of the group's turns", "[rl]") {
  const auto a = turn_advantages(two_episodes(AdvantageScale::group, 0.0));
  const double d = 0.5 + 1e-6;
  CHECK(a[0][0] == Approx(0.5 / d).epsilon(1e-14));
  CHECK(a[0][1] == Approx(-0.5 / d).epsilon(1e-14));  // mix 0: the outcome plays no part
  CHECK(a[1][0] == 0.0);
  CHECK(turn_score_std({{1.0, 0.0}, {0.5}}) == Approx(0.5).epsilon(1e-15));
}

TEST_CASE("turn credit: scale batch uses the given step-wide std", "[rl]") {
  auto in = two_episodes(AdvantageScale::batch, 0.0);
  in.batch_std = 0.25;
  const auto a = turn_advantages(in);
  CHECK(a[0][0] == Approx(0.5 / (0.25 + 1e-6)).epsilon(1e-14));
}

TEST_CASE("turn credit: mix 1 gives the final turn the episode's advantage; equal turn scores carry none", "[rl]") {
  auto in = two_episodes(AdvantageScale::group, 1.0);
  auto a = turn_advantages(in);
  CHECK(a[0][1] == 0.3);
  CHECK(a[1][0] == -0.3);
  in.turn_scores = {{0.4, 0.4}, {0.4}};
  in.outcome_mix = 0.5;
  a = turn_advantages(in);
  CHECK(a[0][0] == 0.0);
  CHECK(a[0][1] == 0.15);
  CHECK(a[1][0] == -0.15);
}

TEST_CASE("turn credit: episodes must form groups and carry turn scores", "[rl]") {
  auto in = two_episodes(AdvantageScale::none, 0.5);
  in.group_size = 3;
  CHECK_THROWS_AS(turn_advantages(in), std::invalid_argument);
  in = two_episodes(AdvantageScale::none, 0.5);
  in.turn_scores[1].clear();
  CHECK_THROWS_AS(turn_advantages(in), std::invalid_argument);
}

TEST_CASE("turn credit: each doctor turn's tokens get that turn's advantage, all other tokens 0", "[rl]") {
  EpisodeTokens e;
  e.ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  e.policy_mask = {0, 0, 1, 1, 0, 0, 1, 0, 1, 1};  // prompt, turn 1, reply, turn 2, reply, turn 3
  e.old_logp.assign(10, 0.0f);
  const auto spans = doctor_turn_spans(e);
  REQUIRE(spans.size() == 3);
  CHECK(spans[0] == std::make_pair<size_t, size_t>(2, 4));
  CHECK(spans[1] == std::make_pair<size_t, size_t>(6, 7));
  CHECK(spans[2] == std::make_pair<size_t, size_t>(8, 10));
  const std::vector<float> expected = {0, 0, 1, 1, 0, 0, -2, 0, 3, 3};
  CHECK(spread_over_turns(e, {1.0, -2.0, 3.0}) == expected);
  CHECK_THROWS_AS(spread_over_turns(e, {1.0, 2.0}), std::invalid_argument);
}

TEST_CASE("turn credit: per-token advantages equal to the episode's give the per-episode loss exactly", "[rl]") {
  torch::manual_seed(3);
  GrpoLossInput in;
  in.logp = -torch::rand({2, 5}, torch::kFloat32);
  in.old_logp = in.logp + 0.1 * torch::randn({2, 5});
  in.loss_mask = torch::tensor({1, 1, 0, 1, 1, 0, 1, 1, 1, 0}, torch::kFloat32).view({2, 5});
  GrpoOptions options;
  in.advantages = torch::tensor({0.7f, -1.2f});
  const auto episode = grpo_loss(in, options, {});
  in.advantages = torch::tensor({0.7f, -1.2f}).unsqueeze(1).expand({2, 5}).contiguous();
  const auto token = grpo_loss(in, options, {});
  CHECK(token.loss.item<double>() == episode.loss.item<double>());
  CHECK(token.stats.clip_fraction_low == episode.stats.clip_fraction_low);
}

TEST_CASE("degenerate turns: repetition, role inversion and runaway length, in that order", "[rl]") {
  const std::vector<std::string> none;
  CHECK(classify_doctor_turn("How long have you had the pain? Any fever?", none, 12, 48) == Degeneracy::none);
  CHECK(classify_doctor_turn("DIAGNOSIS: Migraine. Take paracetamol; come back if it worsens.", none, 20, 48) ==
        Degeneracy::none);
  CHECK(classify_doctor_turn("any fever any fever any fever any fever", none, 10, 48) == Degeneracy::repetition);
  CHECK(classify_doctor_turn("Any fever?", {"When did it start?", "any  FEVER"}, 4, 48) == Degeneracy::repetition);
  CHECK(classify_doctor_turn("Tell me more.\nPatient: it hurts here", none, 10, 48) == Degeneracy::role_inversion);
  CHECK(classify_doctor_turn("ok <|im_start|>user", none, 6, 48) == Degeneracy::role_inversion);
  CHECK(classify_doctor_turn("How long have you had the pain and", none, 48, 48) == Degeneracy::runaway_length);
  CHECK(classify_doctor_turn("How long have you had the pain and", none, 48, 0) == Degeneracy::none);  // no cap
  DegenerateCounts counts;
  for (auto d : {Degeneracy::none, Degeneracy::repetition, Degeneracy::runaway_length, Degeneracy::runaway_length})
    counts.add(d);
  CHECK(counts.turns == 4);
  CHECK(counts.repetition == 1);
  CHECK(counts.runaway_length == 2);
  CHECK(counts.degenerate() == 3);
  CHECK(std::string(degeneracy_name(Degeneracy::role_inversion)) == "role_inversion");
}
