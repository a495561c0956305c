#include <catch2/catch.hpp>

#include "clinrl/model/generation.h"
#include "clinrl/model/token_logprobs.h"
#include "model/model_fixtures.h"

using namespace clinrl;

namespace {

torch::Tensor full_logits(model::Transformer& m, const std::vector<int64_t>& ids) {
  torch::NoGradGuard g;
  auto t = torch::tensor(ids, torch::kInt64).unsqueeze(0);
  return m->forward(t).logits[0].to(torch::kFloat32);  // [T, V]
}

float max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }

model::SamplerOptions greedy() {
  model::SamplerOptions s;
  s.temperature = 0;
  return s;
}

model::StopOptions max_tokens(int64_t n) {
  model::StopOptions s;
  s.max_new_tokens = n;
  return s;
}

}  // namespace

TEST_CASE("generation: cached and uncached logits agree to 1e-5", "[model]") {
  auto m = test::tiny_model();
  std::vector<int64_t> ids = {3, 17, 8, 44, 2, 9, 9, 30, 12, 5, 60, 1};
  auto full = full_logits(m, ids);
  model::SessionOptions so;
  so.initial_capacity = 4;  // forces the cache to grow
  so.prefill_chunk = 3;     // and the prompt to be prefilled in pieces
  model::GenerationSession session(m, so);
  auto s = session.add();
  session.append(s, {ids.begin(), ids.begin() + 5});
  CHECK(max_diff(session.next_logits({s})[0], full[4]) < 1e-5);
  for (size_t t = 5; t < ids.size(); ++t) {
    session.append(s, {ids[t]});
    CHECK(max_diff(session.next_logits({s})[0], full[t]) < 1e-5);
  }
}

TEST_CASE("generation: a padded batch equals each sequence alone", "[model]") {
  auto m = test::tiny_model();
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {7, 8, 9, 10, 11, 12, 13}, {40}};
  model::GenerationSession batch(m);
  std::vector<int64_t> seqs;
  for (const auto& p : prompts) {
    seqs.push_back(batch.add());
    batch.append(seqs.back(), p);
  }
  auto together = batch.generate(seqs, greedy(), max_tokens(6));
  for (size_t i = 0; i < prompts.size(); ++i) {
    model::GenerationSession alone(m);
    auto s = alone.add();
    alone.append(s, prompts[i]);
    auto one = alone.generate({s}, greedy(), max_tokens(6))[0];
    CHECK(one.tokens == together[i].tokens);
    for (size_t t = 0; t < one.logprobs.size(); ++t) CHECK(one.logprobs[t] == Approx(together[i].logprobs[t]).margin(1e-5));
  }
}

TEST_CASE("generation: multi-turn continuation equals running the full text", "[model]") {
  auto m = test::tiny_model(2);
  model::GenerationSession session(m);
  auto a = session.add(), b = session.add(), c = session.add();
  session.append({a, b, c}, {{5, 6, 7}, {9, 9}, {30, 31, 32, 33}});
  auto turn1 = session.generate({a, b, c}, greedy(), max_tokens(4));
  session.release(c);                               // c's dialogue ended
  session.append({a, b}, {{20, 21}, {22, 23, 24, 25, 26}});  // patient replies of different lengths
  auto turn2 = session.generate({a, b}, greedy(), max_tokens(5));
  auto d = session.add();                           // reuses c's slot
  session.append(d, {4, 4, 4});
  auto turn_d = session.generate({d, a}, greedy(), max_tokens(3));
  for (int i = 0; i < 2; ++i) {
    int64_t s = i == 0 ? a : b;
    const auto& all = session.tokens(s);
    // Turn 2 regenerated from the full text of the dialogue so far, without a cache history.
    size_t tail = i == 0 ? turn_d[1].tokens.size() : 0;
    size_t start2 = all.size() - tail - turn2[i].tokens.size();
    model::GenerationSession fresh(m);
    auto f = fresh.add();
    fresh.append(f, {all.begin(), all.begin() + start2});
    auto redo = fresh.generate({f}, greedy(), max_tokens(static_cast<int64_t>(turn2[i].tokens.size())))[0];
    CHECK(redo.tokens == turn2[i].tokens);
    auto full = full_logits(m, all);
    auto lsm = torch::log_softmax(full, -1);
    for (size_t t = 0; t < turn2[i].tokens.size(); ++t)
      CHECK(lsm[start2 + t - 1][all[start2 + t]].item<float>() == Approx(turn2[i].logprobs[t]).margin(1e-5));
    // The continued cache still gives the uncached logits of the whole dialogue.
    CHECK(max_diff(session.next_logits({s})[0], full[all.size() - 1]) < 1e-5);
  }
  // Sequence d in c's old slot matches a fresh run.
  model::GenerationSession fresh(m);
  auto f = fresh.add();
  fresh.append(f, {4, 4, 4});
  CHECK(fresh.generate({f}, greedy(), max_tokens(3))[0].tokens == turn_d[0].tokens);
}

TEST_CASE("generation: log-probs of sampled tokens equal token_logprobs of the text", "[model]") {
  auto m = test::tiny_model(5);
  model::GenerationSession session(m);
  auto s = session.add();
  session.append(s, {11, 12, 13});
  model::SamplerOptions sampler;
  sampler.seed = 4;
  auto g = session.generate({s}, sampler, max_tokens(8))[0];
  auto ids = torch::tensor(session.tokens(s), torch::kInt64).unsqueeze(0);
  torch::NoGradGuard ng;
  auto lp = model::token_logprobs(m, ids, {}, 3);
  for (size_t t = 0; t < g.tokens.size(); ++t) CHECK(lp[0][3 + t].item<float>() == Approx(g.logprobs[t]).margin(1e-5));
}

TEST_CASE("generation: greedy is deterministic and a sample depends on its seed, not its neighbours", "[model]") {
  auto m = test::tiny_model(6);
  auto run = [&](std::vector<std::vector<int64_t>> prompts, const model::SamplerOptions& sampler) {
    model::GenerationSession session(m);
    std::vector<int64_t> seqs;
    for (auto& p : prompts) {
      seqs.push_back(session.add());
      session.append(seqs.back(), p);
    }
    return session.generate(seqs, sampler, max_tokens(10));
  };
  auto g1 = run({{1, 2}, {3}}, greedy());
  auto g2 = run({{1, 2}, {3}}, greedy());
  CHECK(g1[0].tokens == g2[0].tokens);
  CHECK(g1[1].tokens == g2[1].tokens);
  model::SamplerOptions sampler;
  sampler.seed = 11;
  sampler.top_k = 20;
  sampler.top_p = 0.9;
  auto with_neighbour = run({{1, 2}, {3}}, sampler);
  auto other_neighbour = run({{1, 2}, {50, 51, 52, 53}}, sampler);
  CHECK(with_neighbour[0].tokens == other_neighbour[0].tokens);
  sampler.seed = 12;
  auto reseeded = run({{1, 2}, {3}}, sampler);
  CHECK(reseeded[0].tokens != with_neighbour[0].tokens);
}

TEST_CASE("generation: stop reasons and streaming", "[model]") {
  auto m = test::tiny_model(7);
  model::GenerationSession session(m);
  auto s = session.add();
  session.append(s, {1, 2, 3});
  auto probe = session.generate({s}, greedy(), max_tokens(5))[0];
  CHECK(probe.stop_reason == model::StopReason::max_new_tokens);
  CHECK(probe.tokens.size() == 5);

  auto again = [&](model::StopOptions stop, const model::DecodeFn& decode = {}, const model::TokenCallback& cb = {}) {
    model::GenerationSession fresh(m);
    auto f = fresh.add();
    fresh.append(f, {1, 2, 3});
    return fresh.generate({f}, greedy(), stop, decode, cb)[0];
  };
  model::StopOptions eos = max_tokens(5);
  eos.eos_ids = {probe.tokens[2]};
  auto e = again(eos);
  CHECK(e.stop_reason == model::StopReason::eos);
  CHECK(e.tokens.size() == 3);  // stops at the first occurrence, keeps the EOS token

  model::StopOptions ss = max_tokens(5);
  ss.stop_strings = {"<" + std::to_string(probe.tokens[1]) + ">"};
  auto decode = [](const std::vector<int64_t>& t) {
    std::string out;
    for (auto x : t) out += "<" + std::to_string(x) + ">";
    return out;
  };
  std::vector<int64_t> streamed;
  auto st = again(ss, decode, [&](int64_t, int64_t tok, float, const std::vector<model::SampledToken>&) { streamed.push_back(tok); });
  CHECK(st.stop_reason == model::StopReason::stop_string);
  CHECK(st.tokens.size() <= 2);
  CHECK(streamed == st.tokens);
  CHECK_THROWS(again(ss));  // stop strings without a decoder
}

TEST_CASE("generation: a sampled sequence alone equals the same sequence in a batch of 5 with other neighbours", "[model]") {
  auto m = test::tiny_model(9);
  model::SamplerOptions sampler;
  sampler.temperature = 1.2;
  sampler.top_k = 30;
  sampler.top_p = 0.95;
  sampler.repetition_penalty = 1.1;
  const std::vector<int64_t> prompt = {5, 17, 2, 40};
  auto alone = [&] {
    model::GenerationSession session(m);
    auto s = session.add();
    session.append(s, prompt);
    session.set_rng(s, Rng::stream(77, "request", 0));
    session.set_top_logprobs(s, 3);
    return session.generate({s}, sampler, max_tokens(12))[0];
  }();
  model::GenerationSession session(m);
  std::vector<int64_t> seqs;
  std::vector<model::SamplerOptions> samplers;
  for (int i = 0; i < 5; ++i) {
    seqs.push_back(session.add());
    model::SamplerOptions other;
    other.temperature = 0.7 + 0.2 * i;
    other.seed = static_cast<uint64_t>(i);
    samplers.push_back(other);
  }
  // The sequence of interest is the fourth, with a different id; neighbours
  // have other prompts, lengths, options and max lengths.
  const int mine = 3;
  std::vector<std::vector<int64_t>> prompts = {{1}, {9, 9, 9, 9, 9, 9, 9}, {30, 31}, prompt, {60, 2, 3}};
  for (int i = 0; i < 5; ++i) session.append(seqs[i], prompts[i]);
  session.set_rng(seqs[mine], Rng::stream(77, "request", 0));
  session.set_top_logprobs(seqs[mine], 3);
  samplers[mine] = sampler;
  std::vector<model::StopOptions> stops = {max_tokens(3), max_tokens(20), max_tokens(1), max_tokens(12), max_tokens(7)};
  auto together = session.generate(seqs, samplers, stops);
  CHECK(together[mine].tokens == alone.tokens);
  REQUIRE(together[mine].logprobs.size() == alone.logprobs.size());
  for (size_t t = 0; t < alone.logprobs.size(); ++t) CHECK(together[mine].logprobs[t] == Approx(alone.logprobs[t]).margin(1e-5));
  REQUIRE(alone.top_logprobs.size() == alone.tokens.size());
  for (size_t t = 0; t < alone.tokens.size(); ++t) {
    REQUIRE(alone.top_logprobs[t].size() == 3);
    CHECK(together[mine].top_logprobs[t][0].token == alone.top_logprobs[t][0].token);
    CHECK(alone.top_logprobs[t][0].logprob >= alone.top_logprobs[t][1].logprob);
    CHECK(alone.top_logprobs[t][0].logprob >= alone.logprobs[t] - 1e-6);
  }
  CHECK(together[0].top_logprobs.empty());  // only asked for one sequence
  // And it is really sampled: a greedy run differs.
  model::GenerationSession g(m);
  auto s = g.add();
  g.append(s, prompt);
  CHECK(g.generate({s}, greedy(), max_tokens(12))[0].tokens != alone.tokens);
  CHECK_THROWS_WITH(g.set_top_logprobs(s, 21), Catch::Contains("top_logprobs"));
}
