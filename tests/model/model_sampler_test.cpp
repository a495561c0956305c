#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "clinrl/model/sample_noise.h"
#include "clinrl/model/sampler.h"

using namespace clinrl;

namespace {
model::SampledToken draw(const std::vector<float>& logits, model::SamplerOptions o, Rng& rng,
                         const std::vector<int64_t>& history = {}) {
  return model::sample_token(logits.data(), static_cast<int64_t>(logits.size()), o, rng, history);
}

std::vector<float> logs(const std::vector<double>& p) {
  std::vector<float> out;
  for (double x : p) out.push_back(static_cast<float>(std::log(x)));
  return out;
}

// `n` rows of the same logits, row r keyed r: one batched call.
std::map<int64_t, int> batched_histogram(const std::vector<float>& logits, const model::SamplerOptions& o, int n) {
  auto row = torch::tensor(logits).unsqueeze(0);
  std::vector<model::SampleRow> rows;
  for (int r = 0; r < n; ++r) rows.push_back({o, static_cast<uint64_t>(r) * 7919 + 1, 3, nullptr});
  std::map<int64_t, int> h;
  for (const auto& t : model::sample_tokens(row.expand({n, row.size(1)}).contiguous(), rows).to_host()) h[t.token]++;
  return h;
}
}  // namespace

TEST_CASE("sampler: greedy takes the argmax and reports the model log-prob", "[model]") {
  std::vector<float> logits = {0.0f, 2.0f, 1.0f, 2.0f};
  model::SamplerOptions o;
  o.temperature = 0;
  Rng rng(1);
  auto t = draw(logits, o, rng);
  CHECK(t.token == 1);  // lowest id on ties
  double lse = std::log(1 + 2 * std::exp(2.0) + std::exp(1.0));
  CHECK(t.logprob == Approx(2.0 - lse).epsilon(1e-6));
}

TEST_CASE("sampler: repetition penalty divides positive and multiplies negative logits", "[model]") {
  std::vector<float> logits = {3.0f, 2.0f, -1.0f};
  model::SamplerOptions o;
  o.temperature = 0;
  o.repetition_penalty = 2.0;
  Rng rng(1);
  CHECK(draw(logits, o, rng, {0}).token == 1);      // 3/2 = 1.5 < 2
  CHECK(draw(logits, o, rng, {0, 1}).token == 0);   // 1.5 > 1
  std::vector<float> negative = {-1.0f, -1.5f};
  CHECK(draw(negative, o, rng, {0}).token == 1);    // -1 * 2 = -2 < -1.5
  CHECK(draw(negative, o, rng, {5, -1}).token == 0);  // ids outside the vocabulary are ignored
}

TEST_CASE("sampler: top-k, top-p and min-p keep exactly the expected tokens", "[model]") {
  auto logits = logs({0.5, 0.25, 0.125, 0.125});
  auto histogram = [&](model::SamplerOptions o) {
    Rng rng = Rng::stream(3, "test");
    std::map<int64_t, int> h;
    for (int i = 0; i < 4000; ++i) h[draw(logits, o, rng).token]++;
    return h;
  };
  model::SamplerOptions o;
  o.top_k = 2;
  auto h = histogram(o);
  CHECK(h.size() == 2);
  CHECK(h[0] == Approx(4000 * 2.0 / 3).epsilon(0.05));
  o = {};
  o.top_p = 0.7;  // 0.5 + 0.25 reaches 0.7
  h = histogram(o);
  CHECK(h.size() == 2);
  o = {};
  o.min_p = 0.3;  // cut 0.15: drops the two 0.125 tokens
  h = histogram(o);
  CHECK(h.size() == 2);
  o = {};
  h = histogram(o);
  CHECK(h.size() == 4);
  CHECK(h[2] == Approx(500).epsilon(0.15));
  o.temperature = 0.01;  // nearly greedy
  h = histogram(o);
  CHECK(h[0] == 4000);
}

TEST_CASE("sampler: batched filters never pick outside the kept set and match its renormalised frequencies", "[model]") {
  // probabilities 0.4, 0.1, 0.3, 0.2: descending order is ids 0, 2, 3, 1
  auto logits = logs({0.4, 0.1, 0.3, 0.2});
  const int n = 20000;
  model::SamplerOptions o;
  o.top_k = 2;  // ids 0 and 2, renormalised 4/7 and 3/7
  auto h = batched_histogram(logits, o, n);
  CHECK(h.size() == 2);
  CHECK(h.count(0) == 1);
  CHECK(h.count(2) == 1);
  CHECK(h[0] == Approx(n * 4.0 / 7).epsilon(0.03));
  o = {};
  o.top_p = 0.75;  // mass before id 3 is 0.7 < 0.75: keeps 0, 2, 3
  h = batched_histogram(logits, o, n);
  CHECK(h.size() == 3);
  CHECK(h.count(1) == 0);
  CHECK(h[3] == Approx(n * 0.2 / 0.9).epsilon(0.05));
  o = {};
  o.min_p = 0.6;  // cut 0.24: keeps 0 and 2
  h = batched_histogram(logits, o, n);
  CHECK(h.size() == 2);
  CHECK(h.count(3) == 0);
  o = {};
  o.top_k = 3;
  o.top_p = 0.5;  // top-k keeps 0, 2, 3; top-p then stops after 0.4 + 0.3
  h = batched_histogram(logits, o, n);
  CHECK(h.size() == 2);
  o = {};
  o.temperature = 0.5;  // p^2 renormalised: 0.16, 0.01, 0.09, 0.04 over 0.30
  h = batched_histogram(logits, o, n);
  CHECK(h[0] == Approx(n * 0.16 / 0.30).epsilon(0.03));
  CHECK(h[1] == Approx(n * 0.01 / 0.30).epsilon(0.2));
  CHECK(h[2] == Approx(n * 0.09 / 0.30).epsilon(0.05));
}

TEST_CASE("sampler: top-p orders equal probabilities lowest id first", "[model]") {
  auto logits = logs({0.25, 0.25, 0.25, 0.25});
  model::SamplerOptions o;
  o.top_p = 0.4;  // the mass before the third token is 0.5: keeps ids 0 and 1
  auto h = batched_histogram(logits, o, 4000);
  CHECK(h.size() == 2);
  CHECK(h.count(0) == 1);
  CHECK(h.count(1) == 1);
}

TEST_CASE("sampler: device noise equals the host splitmix64 reference bit for bit", "[model]") {
  std::vector<uint64_t> keys = {0, 1, 0xFFFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 123456789};
  std::vector<int64_t> counters = {0, 7, 1, 4095, 100000};
  auto ids = torch::tensor(std::vector<int64_t>{0, 1, 2, 151935, 8191}).unsqueeze(0).expand({5, 5}).contiguous();
  auto bits = model::noise_bits(keys, counters, ids);
  REQUIRE(bits.sizes() == torch::IntArrayRef({5, 5}));
  for (int b = 0; b < 5; ++b)
    for (int j = 0; j < 5; ++j)
      CHECK(static_cast<uint64_t>(bits[b][j].item<int64_t>()) ==
            model::noise_bits(keys[b], counters[b], ids[b][j].item<int64_t>()));
  CHECK(model::splitmix64(0) == 0xE220A8397B1DCDAFULL);  // splitmix64's first output from state 0
  auto g = model::gumbel_from_bits(bits);
  CHECK(torch::isfinite(g).all().item<bool>());
}

TEST_CASE("sampler: a row's draw does not depend on its batch neighbours or the batch size", "[model]") {
  torch::manual_seed(5);
  const int64_t V = 97;
  auto mine = torch::randn({1, V});
  model::SamplerOptions o;
  o.temperature = 0.9;
  o.top_k = 40;
  o.top_p = 0.95;
  o.repetition_penalty = 1.3;
  std::vector<int64_t> history = {3, 9, 27};
  model::SampleRow row{o, 0xC0FFEE, 12, &history};
  for (int64_t counter = 0; counter < 20; ++counter) {
    row.counter = counter;
    auto alone = model::sample_tokens(mine, {row}).to_host()[0];
    model::SamplerOptions greedy, other;
    greedy.temperature = 0;
    other.temperature = 1.7;
    other.min_p = 0.01;
    std::vector<model::SampleRow> rows = {{greedy, 1, 0, nullptr}, {other, 2, counter, &history}, row,
                                          {o, 3, counter, nullptr}, {other, 0xC0FFEE + 1, counter, nullptr}};
    auto batch = torch::cat({torch::randn({2, V}), mine, torch::randn({2, V})});
    auto together = model::sample_tokens(batch, rows).to_host()[2];
    CHECK(together.token == alone.token);
    CHECK(together.logprob == alone.logprob);
  }
}

TEST_CASE("sampler: only [B] ids and log-probs come back, on the logits' device", "[model]") {
  auto logits = torch::randn({3, 50});
  model::SamplerOptions o;
  o.top_k = 5;
  auto out = model::sample_tokens(logits, {{o, 1, 0, nullptr}, {o, 2, 0, nullptr}, {o, 3, 0, nullptr}});
  CHECK(out.tokens.sizes() == torch::IntArrayRef({3}));
  CHECK(out.logprobs.sizes() == torch::IntArrayRef({3}));
  CHECK(out.tokens.scalar_type() == torch::kInt64);
  CHECK(out.logprobs.scalar_type() == torch::kFloat32);
  CHECK(out.tokens.device() == logits.device());
  auto lsm = torch::log_softmax(logits, 1);
  auto host = out.to_host();
  for (int b = 0; b < 3; ++b) {
    CHECK(host[b].logprob == Approx(lsm[b][host[b].token].item<float>()).margin(1e-6));
    // top-k 5: the draw is among the row's five best
    CHECK((logits[b] > logits[b][host[b].token]).sum().item<int64_t>() < 5);
  }
  CHECK_THROWS_WITH(model::sample_tokens(logits, {{o, 1, 0, nullptr}}), Catch::Contains("rows"));
}

TEST_CASE("sampler: options are validated", "[model]") {
  model::SamplerOptions o;
  o.top_p = 0;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("top_p"));
  o = {};
  o.temperature = -1;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("temperature"));
}
