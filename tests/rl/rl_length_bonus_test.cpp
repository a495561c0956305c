#include <catch2/catch.hpp>

#include "clinrl/rl/reward_terms.h"

using namespace clinrl;

TEST_CASE("length bonus: Baichuan-M2's 4 / sqrt(tokens) above the group's 0.2-quantile, by hand", "[rl]") {
  rl::RewardOptions o;
  o.length_bonus_coefficient = 0.5;
  o.length_bonus_threshold = 0.4;
  // Sorted scores 0.3 0.6 0.8 0.9: the 0.2-quantile sits at 0.6 of the way
  // from the first to the second, 0.3 + 0.6 * 0.3 = 0.48.
  const std::vector<double> scores = {0.9, 0.6, 0.8, 0.3};
  CHECK(rl::quantile(scores, 0.2) == Approx(0.48).margin(1e-15));
  const std::vector<int64_t> tokens = {16, 25, 100, 4};
  auto bonus = rl::length_bonus(scores, tokens, o);
  REQUIRE(bonus.size() == 4);
  CHECK(bonus[0] == Approx(0.5 * 4.0 / 4.0).margin(1e-15));   // 0.5
  CHECK(bonus[1] == Approx(0.5 * 4.0 / 5.0).margin(1e-15));   // 0.4
  CHECK(bonus[2] == Approx(0.5 * 4.0 / 10.0).margin(1e-15));  // 0.2
  CHECK(bonus[3] == 0.0);                                     // below the quantile

  o.length_bonus_threshold = 0.48;  // the quantile must exceed the threshold
  for (double b : rl::length_bonus(scores, tokens, o)) CHECK(b == 0.0);
  o.length_bonus_threshold = 0.4;
  o.length_bonus_coefficient = 0;  // off
  for (double b : rl::length_bonus(scores, tokens, o)) CHECK(b == 0.0);
}

TEST_CASE("length bonus: the quantile's end points and a one-token reply", "[rl]") {
  CHECK(rl::quantile({2.0, 1.0, 3.0}, 0.0) == 1.0);
  CHECK(rl::quantile({2.0, 1.0, 3.0}, 1.0) == 3.0);
  CHECK(rl::quantile({2.0, 1.0, 3.0}, 0.5) == 2.0);
  CHECK_THROWS(rl::quantile({}, 0.5));
  rl::RewardOptions o;
  o.length_bonus_coefficient = 1;
  o.length_bonus_threshold = 0;
  auto bonus = rl::length_bonus({1.0, 1.0}, {1, 0}, o);  // empty responses count as one token
  CHECK(bonus[0] == 4.0);
  CHECK(bonus[1] == 4.0);
}
