#include <catch2/catch.hpp>

#include "clinrl/rl/dynamic_sampling.h"

using namespace clinrl::rl;

TEST_CASE("dynamic sampling: zero-variance groups are dropped and more are requested", "[rl]") {
  DynamicSampler s(3, 2);
  CHECK(s.needs_more());
  CHECK(s.groups_to_request() == 3);
  auto kept = s.offer({{1, 1}, {0, 1}, {0, 0}, {1, 0}});
  CHECK(kept == std::vector<size_t>{1, 3});
  CHECK(s.kept() == 2);
  CHECK(s.needs_more());
  CHECK(s.groups_to_request() == 1);
  // Second round: one informative group fills the batch, the surplus one is discarded.
  kept = s.offer({{0.5, 0.5}, {0.2, 0.7}, {1, 0}});
  CHECK(kept == std::vector<size_t>{1});
  CHECK(s.full());
  CHECK_FALSE(s.needs_more());
  CHECK(s.rounds() == 2);
  CHECK(s.groups_seen() == 7);
  CHECK(s.zero_variance_groups() == 3);
  CHECK(s.zero_variance_fraction() == Approx(3.0 / 7.0));
}

TEST_CASE("dynamic sampling: the cap stops resampling with a partial batch", "[rl]") {
  DynamicSampler s(2, 1);  // at most 2 rounds
  CHECK(s.offer({{1, 1}, {0, 0}}).empty());
  CHECK(s.needs_more());
  CHECK(s.offer({{0.3, 0.3}, {0.5, 1.0}}) == std::vector<size_t>{1});
  CHECK(s.exhausted());
  CHECK_FALSE(s.full());
  CHECK_FALSE(s.needs_more());
  CHECK(s.kept() == 1);
  CHECK_THROWS_AS(s.offer({{0, 1}}), std::logic_error);
  CHECK_THROWS_AS(DynamicSampler(0, 1), std::invalid_argument);
}

TEST_CASE("dynamic sampling: variance test tolerates rounding", "[rl]") {
  CHECK_FALSE(has_reward_variance({0.1 + 0.2, 0.3}));
  CHECK_FALSE(has_reward_variance({}));
  CHECK(has_reward_variance({0.0, 1e-6}));
  CHECK(DynamicSampler(1, 0).zero_variance_fraction() == 0.0);
}

TEST_CASE("keep_all keeps every group of its one round and still counts zero variance", "[rl]") {
  auto s = DynamicSampler::keep_all(3);
  CHECK(s.groups_to_request() == 3);
  auto kept = s.offer({{1, 1}, {0, 1}, {0, 0}});
  CHECK(kept == std::vector<size_t>{0, 1, 2});
  CHECK(s.full());
  CHECK_FALSE(s.needs_more());
  CHECK(s.zero_variance_fraction() == Approx(2.0 / 3.0));
}
