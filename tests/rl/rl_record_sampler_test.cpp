#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <set>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/rl/grpo_options.h"
#include "clinrl/rl/record_sampler.h"

using namespace clinrl;
using rl::RecordSampler;
using rl::RecordSampling;

namespace {

// floor 1/4, decay 1/2, reward range [0, 1]: every figure below is exact in binary.
rl::AdaptiveSamplingOptions exact_options() {
  rl::AdaptiveSamplingOptions o;
  o.decay = 0.5;
  o.prior_reward = 0.5;
  o.prior_zero_variance = 0.0;
  o.floor = 0.25;
  o.reward_low = 0.0;
  o.reward_high = 1.0;
  return o;
}

core::Json state_of(const std::vector<double>& mean, const std::vector<double>& zero_variance) {
  return core::Json{{"records", mean.size()},
                    {"reward_mean", mean},
                    {"zero_variance_rate", zero_variance},
                    {"groups_played", std::vector<int64_t>(mean.size(), 1)}};
}

RecordSampler adaptive(const std::vector<double>& mean, const std::vector<double>& zero_variance,
                       rl::AdaptiveSamplingOptions o = exact_options()) {
  RecordSampler s(mean.size(), RecordSampling::adaptive, o);
  s.load_json(state_of(mean, zero_variance), "test");
  return s;
}

// GrpoTrainer::sample_records before record_sampling existed, verbatim.
std::vector<size_t> old_sample_records(uint64_t seed, int64_t step, int round, size_t records, int count) {
  Rng rng = Rng::stream(seed, "grpo-records", static_cast<uint64_t>(step) * 64 + static_cast<uint64_t>(round));
  std::vector<size_t> order(records);
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order.begin(), order.end());
  std::vector<size_t> out;
  for (int i = 0; i < count; ++i) out.push_back(order[static_cast<size_t>(i) % order.size()]);
  return out;
}

}  // namespace

TEST_CASE("record sampler: hand-computed weights", "[rl]") {
  // m = 0, z = 1:    f = 1,    h = 1                          -> w = 1/4 + 3/4 * 1     = 1
  // m = 1/2, z = 0:  f = 1/2,  h = 1/2                        -> w = 1/4 + 3/4 * 1/2   = 0.625
  // m = 1, z = 1:    f = 0,    h = 0                          -> w = 1/4 (the floor)
  // m = 3/4, z = 1/2: f = 1/4, h = 1/4 * (1 - 1/2 * 3/4) = 0.15625 -> w = 1/4 + 3/4 * 0.15625 = 0.3671875
  // m = -3 (below reward_low), z = 0: f clamps to 1           -> w = 1
  // m = 2 (above reward_high), z = 0: f clamps to 0           -> w = 1/4
  auto s = adaptive({0.0, 0.5, 1.0, 0.75, -3.0, 2.0}, {1.0, 0.0, 1.0, 0.5, 0.0, 0.0});
  CHECK(s.weights() == std::vector<double>{1.0, 0.625, 0.25, 0.3671875, 1.0, 0.25});
  // exp of the entropy of w / sum(w)
  const double total = 1.0 + 0.625 + 0.25 + 0.3671875 + 1.0 + 0.25;
  double entropy = 0;
  for (double w : {1.0, 0.625, 0.25, 0.3671875, 1.0, 0.25}) entropy -= w / total * std::log(w / total);
  CHECK(s.effective_records() == Approx(std::exp(entropy)).epsilon(1e-12));
  CHECK(s.effective_records() < 6.0);

  // Another reward range: [-1, 3]; m = 1 is halfway.
  auto o = exact_options();
  o.reward_low = -1;
  o.reward_high = 3;
  auto wide = adaptive({1.0, 3.0, -1.0}, {0.0, 0.0, 0.0}, o);
  CHECK(wide.weights() == std::vector<double>{0.625, 0.25, 1.0});

  // Equal weights (records never played): every record counts fully.
  RecordSampler fresh(5, RecordSampling::adaptive, exact_options());
  CHECK(fresh.weights() == std::vector<double>(5, 0.625));  // prior m = 1/2, z = 0
  CHECK(fresh.effective_records() == Approx(5.0).epsilon(1e-12));
  RecordSampler uniform(7, RecordSampling::uniform, exact_options());
  CHECK(uniform.effective_records() == 7.0);
}

TEST_CASE("record sampler: the running means by hand", "[rl]") {
  RecordSampler s(2, RecordSampling::adaptive, exact_options());
  CHECK(s.reward_mean(0) == 0.5);  // the prior
  CHECK(s.zero_variance_rate(0) == 0.0);
  CHECK(s.groups_played(0) == 0);
  CHECK_FALSE(s.hardest_decile_reward().has_value());  // nothing played yet
  s.observe(0, {1, 1, 1});  // mean 1, zero variance
  CHECK(s.reward_mean(0) == 0.75);         // 1/2 * 1/2 + 1/2 * 1
  CHECK(s.zero_variance_rate(0) == 0.5);   // 1/2 * 0 + 1/2 * 1
  CHECK(s.groups_played(0) == 1);
  s.observe(0, {0, 1, 0, 1});  // mean 1/2, varies
  CHECK(s.reward_mean(0) == 0.625);        // 1/2 * 3/4 + 1/2 * 1/2
  CHECK(s.zero_variance_rate(0) == 0.25);  // 1/2 * 1/2 + 1/2 * 0
  CHECK(s.groups_played(0) == 2);
  // f = 3/8, h = 3/8 * (1 - 1/4 * 5/8) = 3/8 * 27/32 = 81/256, w = 1/4 + 3/4 * 81/256 = 499/1024
  CHECK(s.weight(0) == 499.0 / 1024.0);
  CHECK(s.reward_mean(1) == 0.5);  // untouched
  CHECK(s.groups_played(1) == 0);
  CHECK_THROWS_AS(s.observe(2, {1, 0}), std::invalid_argument);
}

TEST_CASE("record sampler: a record always solved gets only the floor weight", "[rl]") {
  auto o = exact_options();
  o.prior_reward = 1.0;  // solved from the start: m stays exactly 1
  RecordSampler s(2, RecordSampling::adaptive, o);
  for (int i = 0; i < 10; ++i) s.observe(0, {1, 1, 1, 1});
  CHECK(s.reward_mean(0) == 1.0);
  CHECK(s.weight(0) == o.floor);
  // From the default prior, m climbs to 1 (exactly, after rounding) and z to 1.
  RecordSampler t(1, RecordSampling::adaptive, exact_options());
  for (int i = 0; i < 100; ++i) t.observe(0, {1, 1, 1, 1});
  CHECK(t.reward_mean(0) == 1.0);
  CHECK(t.zero_variance_rate(0) == 1.0);
  CHECK(t.weight(0) == 0.25);
  // Still drawn: the floor keeps it alive.
  Rng rng(1);
  CHECK(t.draw(rng, 1) == std::vector<size_t>{0});
}

TEST_CASE("record sampler: a failing record is drawn more often than a solved one, and none starves", "[rl]") {
  auto o = exact_options();
  o.floor = 0.05;
  // 0: always failed (w 1), 1: always solved (w 0.05), 2: halfway (w 0.525)
  auto s = adaptive({0.0, 1.0, 0.5}, {1.0, 1.0, 0.0}, o);
  std::vector<int> hits(3, 0);
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    Rng rng = Rng::stream(11, "test-draws", static_cast<uint64_t>(i));
    ++hits[s.draw(rng, 1)[0]];
  }
  INFO("hits " << hits[0] << " " << hits[1] << " " << hits[2]);
  CHECK(hits[0] > 10 * hits[1]);
  CHECK(hits[2] > 5 * hits[1]);
  CHECK(hits[1] > 0);
  // p = w / 1.575: expected 2540, 127, 1333 of 4000
  CHECK(hits[0] == Approx(n * 1.0 / 1.575).epsilon(0.06));
  CHECK(hits[1] == Approx(n * 0.05 / 1.575).epsilon(0.35));
}

TEST_CASE("record sampler: draws are without replacement within a step where possible", "[rl]") {
  auto s = adaptive({0.0, 0.1, 0.9, 1.0, 0.5}, {0.0, 0.0, 1.0, 1.0, 0.0});
  Rng rng = Rng::stream(3, "grpo-records", 0);
  auto first = s.draw(rng, 3);
  CHECK(std::set<size_t>(first.begin(), first.end()).size() == 3);
  // A second round of the step takes the two records not drawn yet.
  Rng rng2 = Rng::stream(3, "grpo-records", 1);
  auto second = s.draw(rng2, 2, first);
  std::set<size_t> all(first.begin(), first.end());
  all.insert(second.begin(), second.end());
  CHECK(all.size() == 5);
  // More groups than records: every record once, then the pool refills.
  Rng rng3 = Rng::stream(3, "grpo-records", 2);
  auto many = s.draw(rng3, 7);
  REQUIRE(many.size() == 7);
  CHECK(std::set<size_t>(many.begin(), many.begin() + 5).size() == 5);
  // Every record drawn before in the step: the pool is all of them again.
  Rng rng4 = Rng::stream(3, "grpo-records", 3);
  auto again = s.draw(rng4, 2, {0, 1, 2, 3, 4});
  CHECK(again.size() == 2);
  CHECK(again[0] != again[1]);
}

TEST_CASE("record sampler: the same seed gives the same draws", "[rl]") {
  auto a = adaptive({0.0, 0.1, 0.9, 1.0, 0.5, 0.3}, {0.0, 0.0, 1.0, 1.0, 0.0, 0.5});
  auto b = adaptive({0.0, 0.1, 0.9, 1.0, 0.5, 0.3}, {0.0, 0.0, 1.0, 1.0, 0.0, 0.5});
  for (uint64_t i = 0; i < 20; ++i) {
    Rng r1 = Rng::stream(9, "grpo-records", i);
    Rng r2 = Rng::stream(9, "grpo-records", i);
    CHECK(a.draw(r1, 4) == b.draw(r2, 4));
  }
  Rng r1 = Rng::stream(9, "grpo-records", 0);
  Rng r2 = Rng::stream(10, "grpo-records", 0);
  std::vector<std::vector<size_t>> d1, d2;
  for (int i = 0; i < 5; ++i) {
    d1.push_back(a.draw(r1, 4));
    d2.push_back(a.draw(r2, 4));
  }
  CHECK(d1 != d2);  // another seed, other draws
}

TEST_CASE("record sampler: the state through JSON gives identical weights and draws", "[rl]") {
  RecordSampler s(6, RecordSampling::adaptive, rl::AdaptiveSamplingOptions{});
  // Rewards with long binary expansions, so a lossy round trip would show.
  for (int i = 0; i < 30; ++i) {
    const size_t r = static_cast<size_t>(i * 7 % 6);
    s.observe(r, {1.0 / 3.0 * (i % 3), 0.1 * (i % 5), std::sqrt(2.0) / 2});
  }
  const std::string text = core::dump_json(s.to_json(), 2);
  RecordSampler restored(6, RecordSampling::adaptive, rl::AdaptiveSamplingOptions{});
  restored.load_json(core::parse_json(text, "state.json"), "state.json");
  CHECK(restored.weights() == s.weights());
  for (size_t r = 0; r < 6; ++r) {
    CHECK(restored.reward_mean(r) == s.reward_mean(r));
    CHECK(restored.zero_variance_rate(r) == s.zero_variance_rate(r));
    CHECK(restored.groups_played(r) == s.groups_played(r));
  }
  CHECK(restored.hardest_decile_reward() == s.hardest_decile_reward());
  for (uint64_t i = 0; i < 10; ++i) {
    Rng r1 = Rng::stream(4, "grpo-records", i);
    Rng r2 = Rng::stream(4, "grpo-records", i);
    CHECK(restored.draw(r1, 5, {1}) == s.draw(r2, 5, {1}));
  }
}

TEST_CASE("record sampler: a bad state is an error naming the file", "[rl]") {
  RecordSampler s(3, RecordSampling::adaptive, exact_options());
  CHECK_THROWS_WITH(s.load_json(state_of({0.1, 0.2}, {0, 0}), "ck/trainer_state.json"),
                    Catch::Contains("ck/trainer_state.json") && Catch::Contains("saved for 2 training records, this run has 3"));
  CHECK_THROWS_AS(s.load_json(core::Json::array(), "f"), UserError);
  CHECK_THROWS_WITH(s.load_json(state_of({0.1, 0.2, 0.3}, {0, 2, 0}), "f"),
                    Catch::Contains("\"zero_variance_rate\" holds 2"));
  auto missing = state_of({0.1, 0.2, 0.3}, {0, 0, 0});
  missing.erase("groups_played");
  CHECK_THROWS_WITH(s.load_json(missing, "f"), Catch::Contains("\"groups_played\" to be an array of 3 numbers"));
  CHECK(s.reward_mean(0) == 0.5);  // a failed load leaves the state alone
}

TEST_CASE("record sampler: the hardest decile by hand", "[rl]") {
  RecordSampler s(25, RecordSampling::adaptive, exact_options());
  CHECK_FALSE(s.hardest_decile_reward().has_value());
  // 12 records played: the hardest ceil(12 / 10) = 2 count; unplayed ones (at the prior) do not.
  for (size_t r = 0; r < 12; ++r) s.observe(r, {1.0, 1.0});  // m = 3/4
  s.observe(4, {0.0, 0.0});                                   // m = 3/8
  s.observe(9, {0.0, 0.5});                                   // m = 1/2 * 3/4 + 1/2 * 1/4 = 1/2
  CHECK(*s.hardest_decile_reward() == (0.375 + 0.5) / 2);
  RecordSampler one(3, RecordSampling::uniform, exact_options());
  one.observe(1, {0.25, 0.75});  // m = 1/2
  CHECK(*one.hardest_decile_reward() == 0.5);  // one record played: it is the decile
}

TEST_CASE("record sampler: uniform is exactly the old permutation", "[rl]") {
  for (size_t records : {1, 3, 8, 50})
    for (int count : {1, 4, 8, 17})
      for (int64_t step : {0, 1, 7, 1000})
        for (int round : {0, 1, 3}) {
          RecordSampler s(records, RecordSampling::uniform, exact_options());
          // The state and the step's earlier draws do not enter a uniform draw.
          for (size_t r = 0; r < records; ++r) s.observe(r, {static_cast<double>(r % 2), 0.0});
          Rng rng = Rng::stream(42, "grpo-records", static_cast<uint64_t>(step) * 64 + static_cast<uint64_t>(round));
          INFO("records " << records << " count " << count << " step " << step << " round " << round);
          CHECK(s.draw(rng, count, {0}) == old_sample_records(42, step, round, records, count));
        }
  Rng rng(1);
  CHECK(rl::uniform_records(rng, 4, 4).size() == 4);
  RecordSampler none(0, RecordSampling::uniform, exact_options());
  CHECK_THROWS_AS(none.draw(rng, 1), std::invalid_argument);
}

TEST_CASE("record sampler: options are validated with the key's name", "[rl]") {
  rl::GrpoOptions g;
  g.validate();
  CHECK(g.record_sampling == "uniform");
  CHECK(rl::parse_record_sampling("adaptive") == RecordSampling::adaptive);
  CHECK_THROWS_AS(rl::parse_record_sampling("greedy"), std::invalid_argument);
  g.record_sampling = "greedy";
  CHECK_THROWS_WITH(g.validate(), Catch::Contains("record_sampling"));
  rl::AdaptiveSamplingOptions o;
  o.validate();
  o.floor = 0;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("floor must be in (0, 1]"));
  o = {};
  o.decay = 1.0;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("decay"));
  o = {};
  o.reward_low = 1.0;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("reward_high (1) must be greater than reward_low (1)"));
  o = {};
  o.prior_zero_variance = 1.5;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("prior_zero_variance"));
  // Through a config: the section path is named.
  core::Json j = core::to_json_value(rl::GrpoOptions{});
  j["adaptive_sampling"]["floor"] = -1;
  rl::GrpoOptions parsed;
  core::from_json_value(j, parsed, "", "test");
  CHECK_THROWS_WITH(core::validate_all(parsed), Catch::Contains("adaptive_sampling") && Catch::Contains("floor"));
}
