#include <catch2/catch.hpp>

#include <functional>

#include "clinrl/core/config.h"
#include "clinrl/rl/reward_terms.h"
#include "clinrl/rl/train_config.h"
#include "support/test_support.h"

using namespace clinrl;
using clinrl::rl::TrainConfig;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path preset(const std::string& name) {
  return std::filesystem::path(CLINRL_SOURCE_DIR) / "configs" / "grpo" / name;
}

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("grpo options: defaults are valid and round-trip through JSON", "[rl]") {
  rl::GrpoOptions o;
  CHECK_NOTHROW(core::validate_all(o));
  auto j = core::to_json_value(o);
  CHECK(j["dual_clip"].is_null());
  CHECK(j["optimizer"]["lr"] == 1e-6);
  rl::GrpoOptions back;
  core::from_json_value(j, back, "grpo", "test");
  CHECK(core::to_json_value(back) == j);
}

TEST_CASE("grpo options: the presets load and say what they promise", "[rl]") {
  auto b = core::load_config<TrainConfig>(preset("baichuan_m2.json")).grpo;
  CHECK(b.kl_beta == 0);
  CHECK_FALSE(b.uses_reference());
  CHECK(b.eps_low == 0.2);
  CHECK(b.eps_high == 0.28);
  CHECK(b.aggregation == "seq_mean_token_sum_norm");
  CHECK(b.scale == "none");

  auto d = core::load_config<TrainConfig>(preset("dapo.json")).grpo;
  CHECK(d.aggregation == "token_mean");
  CHECK(d.eps_high > d.eps_low);
  CHECK(d.dynamic_sampling);
  CHECK(d.kl_beta == 0);

  auto g = core::load_config<TrainConfig>(preset("grpo_original.json")).grpo;
  CHECK(g.aggregation == "seq_mean_token_mean");
  CHECK(g.scale == "group");
  CHECK(g.kl_beta == 0.04);
  CHECK(g.uses_reference());
  CHECK(g.eps_low == g.eps_high);
}

TEST_CASE("grpo options: a run config extends a preset and overrides keys", "[rl]") {
  test::TempDir dir;
  test::write_text(dir / "run.json",
                   "{\"extends\": \"" + preset("dapo.json").string() +
                       "\", \"run\": {\"name\": \"x\"}, \"grpo\": {\"group_size\": 4, \"optimizer\": {\"lr\": 0.001}}}");
  auto c = core::load_config<TrainConfig>(dir / "run.json", {"grpo.eps_high=0.3"});
  CHECK(c.grpo.group_size == 4);
  CHECK(c.grpo.optimizer.lr == 0.001);
  CHECK(c.grpo.eps_high == 0.3);
  CHECK(c.grpo.dynamic_sampling);  // from the preset
  CHECK(c.run.name == "x");
}

TEST_CASE("grpo options: invalid values name the key", "[rl]") {
  auto load = [](std::vector<std::string> overrides) {
    return [overrides] { core::load_config<TrainConfig>(std::nullopt, overrides); };
  };
  CHECK_THAT(config_error(load({"grpo.dual_clip=0.5"})), Contains("'grpo'") && Contains("dual_clip must be > 1"));
  CHECK_THAT(config_error(load({"grpo.aggregation=seq_mean"})), Contains("token_mean"));
  CHECK_THAT(config_error(load({"grpo.scale=std"})), Contains("scale must be one of group, batch, none"));
  CHECK_THAT(config_error(load({"grpo.group_size=1"})), Contains("group_size must be >= 2"));
  CHECK_THAT(config_error(load({"grpo.optimizer.warmup_steps=500"})), Contains("grpo.optimizer"));
  CHECK_THAT(config_error(load({"grpo.eps_hihg=0.3"})), Contains("did you mean 'grpo.eps_high'"));
  CHECK_THAT(config_error(load({"grpo.reward.length_cache_tokens=0"})), Contains("length_cache_tokens"));
  CHECK(config_error(load({"grpo.dual_clip=3", "grpo.kl_beta=0.1"})).empty());
}

TEST_CASE("reward terms: format, soft overlong length and per-turn terms", "[rl]") {
  using rl::overlong_term;
  CHECK(overlong_term(100, 4096, 1024) == 0.0);
  CHECK(overlong_term(3072, 4096, 1024) == 0.0);
  CHECK(overlong_term(3584, 4096, 1024) == -0.5);
  CHECK(overlong_term(4096, 4096, 1024) == -1.0);
  CHECK(overlong_term(5000, 4096, 1024) == -1.0);

  rl::RewardOptions o;  // all terms off
  rl::RewardInputs in;
  in.rubric = 0.6;
  in.has_diagnosis = false;
  in.response_tokens = 3584;
  in.turn_scores = {0.5, 1.0};
  CHECK(rl::combine_reward(in, o).total == 0.6);

  o.format_penalty = 0.5;
  o.length_weight = 0.5;
  o.length_max_tokens = 4096;
  o.length_cache_tokens = 1024;
  o.turn_rubric_weight = 0.2;
  auto r = rl::combine_reward(in, o);
  CHECK(r.format == -0.5);
  CHECK(r.length == -0.25);
  CHECK(r.turn == Approx(0.15));
  CHECK(r.total == Approx(0.6 - 0.5 - 0.25 + 0.15).margin(1e-12));

  // The outcome term: only a right diagnosis earns it.
  o = rl::RewardOptions{};
  o.diagnosis_weight = 0.5;
  in.has_diagnosis = true;
  CHECK(rl::combine_reward(in, o).total == 0.6);
  in.diagnosis_correct = true;
  r = rl::combine_reward(in, o);
  CHECK(r.diagnosis == 0.5);
  CHECK(r.total == Approx(1.1).margin(1e-12));
}
