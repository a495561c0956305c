// GRPO must learn a tiny task: a context-free "policy" (one learnable logits
// vector over 16 tokens) writes two turns of two tokens, with two "simulator"
// tokens in between that carry no loss; the reward is 1 when token 5 appears
// in the policy's own tokens. The loss, advantages, schedule and optimizer are
// the real ones; sampling uses clinrl::Rng, so the run is deterministic.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "clinrl/core/rng.h"
#include "clinrl/rl/advantages.h"
#include "clinrl/rl/grpo_loss.h"
#include "clinrl/rl/lr_schedule.h"
#include "clinrl/rl/optimizer.h"

using namespace clinrl;

namespace {

constexpr int64_t kVocab = 16;
constexpr int64_t kLength = 6;
constexpr int64_t kTarget = 5;
const bool kPolicyToken[kLength] = {true, true, false, false, true, true};

int64_t sample(const std::vector<double>& probs, Rng& rng) {
  double u = rng.uniform(), acc = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    acc += probs[i];
    if (u < acc) return static_cast<int64_t>(i);
  }
  return static_cast<int64_t>(probs.size()) - 1;
}

struct RunResult {
  std::vector<double> reward_per_step;
  // Largest change of the first step's gradient when every simulator token is
  // replaced by another: 0 when they carry no loss, as they must not.
  double simulator_token_effect = -1;
};

RunResult train(rl::GrpoOptions options, int steps, uint64_t seed) {
  auto logits = torch::zeros({kVocab}, torch::kDouble).requires_grad_(true);
  options.optimizer.total_steps = steps;
  auto adam = rl::make_adamw({}, {logits}, options.optimizer);
  const int episodes = options.episodes_per_step();
  RunResult result;
  for (int step = 0; step < steps; ++step) {
    // Roll out with the current policy.
    auto probs_t = torch::softmax(logits.detach(), 0);
    std::vector<double> probs(probs_t.data_ptr<double>(), probs_t.data_ptr<double>() + kVocab);
    auto tokens = torch::zeros({episodes, kLength}, torch::kLong);
    auto mask = torch::zeros({episodes, kLength}, torch::kDouble);
    std::vector<double> rewards(static_cast<size_t>(episodes), 0.0);
    for (int e = 0; e < episodes; ++e) {
      Rng rng = Rng::stream(seed, "learning-episode", static_cast<uint64_t>(step * episodes + e));
      for (int64_t t = 0; t < kLength; ++t) {
        // Simulator tokens are uniform and do not count towards the reward.
        int64_t token = kPolicyToken[t] ? sample(probs, rng) : static_cast<int64_t>(rng.below(kVocab));
        tokens[e][t] = token;
        mask[e][t] = kPolicyToken[t] ? 1.0 : 0.0;
        if (kPolicyToken[t] && token == kTarget) rewards[static_cast<size_t>(e)] = 1.0;
      }
    }
    result.reward_per_step.push_back(std::accumulate(rewards.begin(), rewards.end(), 0.0) / episodes);
    auto adv = rl::compute_advantages(rewards, options.group_size, rl::parse_advantage_scale(options.scale),
                                      options.std_eps);
    auto advantages = torch::tensor(adv.values, torch::kDouble);
    auto old_logp = torch::log_softmax(logits.detach(), 0).index({tokens});
    if (step == 0) {
      auto gradient = [&](const torch::Tensor& toks) {
        rl::GrpoLossInput in;
        in.logp = torch::log_softmax(logits, 0).index({toks});
        in.old_logp = torch::log_softmax(logits.detach(), 0).index({toks});
        in.advantages = advantages;
        in.loss_mask = mask;
        return torch::autograd::grad({rl::grpo_loss(in, options).loss}, {logits})[0];
      };
      auto others = tokens.clone();
      for (int e = 0; e < episodes; ++e)
        for (int64_t t = 0; t < kLength; ++t)
          if (!kPolicyToken[t]) others[e][t] = (tokens[e][t].item<int64_t>() + 7) % kVocab;
      result.simulator_token_effect = (gradient(tokens) - gradient(others)).abs().max().item<double>();
    }
    // num_iterations passes over the same rollouts, ratios against old_logp.
    for (int it = 0; it < options.num_iterations; ++it) {
      rl::GrpoLossInput in;
      in.logp = torch::log_softmax(logits, 0).index({tokens});
      in.old_logp = old_logp;
      in.advantages = advantages;
      in.loss_mask = mask;
      auto r = rl::grpo_loss(in, options);
      rl::check_finite_loss(r.loss, step);
      adam->zero_grad();
      r.loss.backward();
      rl::clip_gradients({logits}, options.optimizer.grad_clip, step);
      rl::set_learning_rate(*adam, rl::learning_rate_at(options.optimizer, step));
      adam->step();
    }
  }
  return result;
}

double mean_of(const std::vector<double>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(to), 0.0) /
         static_cast<double>(to - from);
}

std::string curve(const std::vector<double>& v) {
  std::string out;
  for (double x : v) out += std::to_string(x).substr(0, 4) + " ";
  return out;
}

rl::GrpoOptions tiny_options() {
  rl::GrpoOptions o;
  o.group_size = 8;
  o.records_per_step = 4;
  o.eps_low = 0.2;
  o.eps_high = 0.28;
  o.num_iterations = 2;
  o.optimizer.lr = 0.05;
  o.optimizer.warmup_steps = 2;
  o.optimizer.min_lr_ratio = 0.5;
  o.optimizer.weight_decay = 0.0;
  return o;
}

}  // namespace

TEST_CASE("grpo learning: the reward of a tiny task rises clearly", "[rl]") {
  for (std::string agg : {"token_mean", "seq_mean_token_mean", "seq_mean_token_sum_norm"}) {
    INFO(agg);
    auto o = tiny_options();
    o.aggregation = agg;
    o.max_length_norm = 4;
    o.scale = agg == "seq_mean_token_sum_norm" ? "none" : "group";
    auto r = train(o, 30, 11);
    const double first = mean_of(r.reward_per_step, 0, 5);
    const double last = mean_of(r.reward_per_step, 25, 30);
    WARN(agg << ": mean reward, first 5 steps " << first << ", last 5 steps " << last << "; curve " << curve(r.reward_per_step));
    CHECK(first < 0.45);  // chance level 1 - (15/16)^4 = 0.228
    CHECK(last > first + 0.3);
    CHECK(last > 0.85);
  }
}

TEST_CASE("grpo learning: the simulator's tokens carry no loss", "[rl]") {
  auto r = train(tiny_options(), 1, 11);
  CHECK(r.simulator_token_effect == 0.0);
}

TEST_CASE("grpo learning: the same seed gives the same run", "[rl]") {
  auto o = tiny_options();
  auto a = train(o, 5, 3);
  auto b = train(o, 5, 3);
  CHECK(a.reward_per_step == b.reward_per_step);
}
