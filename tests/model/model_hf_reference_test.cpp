#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

#include "clinrl/core/json_io.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/generation.h"
#include "support/test_support.h"

using namespace clinrl;

// What HuggingFace transformers 4.40.2 computed on five tiny random
// checkpoints (../shared/data/model/hf_reference/README.md): logits of an
// unpadded and a left-padded batch, and batch-1 greedy continuations. The
// README's tolerance: |ours - reference| <= 1e-4 * max(1, max_abs_logit);
// greedy ids must match exactly.

namespace {

const char* const kFolders[] = {"qwen2_gqa_tied", "qwen2_gqa_untied", "qwen2_gqa_untied_sharded", "llama_mha_tied",
                                "llama_gqa_untied_bias"};

torch::Tensor int_matrix(const core::Json& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows)
    for (const auto& v : row) flat.push_back(v.get<int64_t>());
  return torch::tensor(flat, torch::kInt64).view({static_cast<int64_t>(rows.size()), -1});
}

// Largest |ours - reference| over a nested list of numbers, skipping nulls.
// `ours(indices)` gives our value at the same place.
double max_error(const core::Json& reference, const std::function<double(const std::vector<int64_t>&)>& ours,
                 std::vector<int64_t>& at, int64_t& compared) {
  double worst = 0;
  if (reference.is_array()) {
    for (size_t i = 0; i < reference.size(); ++i) {
      at.push_back(static_cast<int64_t>(i));
      worst = std::max(worst, max_error(reference[i], ours, at, compared));
      at.pop_back();
    }
  } else if (!reference.is_null()) {
    ++compared;
    worst = std::abs(ours(at) - reference.get<double>());
  }
  return worst;
}

double max_error(const core::Json& reference, const torch::Tensor& ours, int64_t& compared) {
  auto values = ours.to(torch::kFloat64).contiguous();
  std::vector<int64_t> at;
  return max_error(
      reference,
      [&](const std::vector<int64_t>& idx) {
        auto t = values;
        for (auto i : idx) t = t[i];
        return t.item<double>();
      },
      at, compared);
}

// Logits of one batch: [B, T, vocab] from our model for the case's inputs.
torch::Tensor case_logits(model::Transformer& m, const core::Json& c) {
  auto ids = int_matrix(c["input_ids"]);
  if (!c.contains("attention_mask")) return m->forward(ids).logits;
  // The reference's own positions and mask, through the low-level call.
  auto mask = int_matrix(c["attention_mask"]);
  model::ForwardArgs args;
  args.ids = ids;
  args.positions = int_matrix(c["position_ids"]);
  args.mask = model::causal_mask(mask, ids.size(1), ids.device());
  return m->run(args).logits;
}

}  // namespace

TEST_CASE("hf_reference: logits and greedy continuations match transformers on every folder", "[model]") {
  CLINRL_REQUIRE_SHARED(root, "model/hf_reference");
  for (const char* folder : kFolders) {
    INFO("folder " << folder);
    auto dir = root / folder;
    auto reference = core::read_json_file(dir / "reference.json");
    auto m = model::load_checkpoint(dir);
    m->eval();
    torch::NoGradGuard no_grad;
    REQUIRE(reference["cases"].size() == 2);
    for (const auto& c : reference["cases"]) {
      const std::string name = c["name"].get<std::string>();
      INFO("case " << name);
      const double tol = 1e-4 * std::max(1.0, c["max_abs_logit"].get<double>());
      auto logits = case_logits(m, c);  // [B, T, vocab]
      const int64_t T = logits.size(1);
      int64_t compared = 0;
      double last = max_error(c["last_logits"], logits.select(1, T - 1), compared);
      CHECK(compared == logits.size(0) * logits.size(2));
      compared = 0;
      double slice = max_error(c["logits_slice"], logits.narrow(2, 0, 8), compared);
      // Every real position compared; nulls only at padding.
      int64_t real = c.contains("attention_mask") ? int_matrix(c["attention_mask"]).sum().item<int64_t>()
                                                  : logits.size(0) * T;
      CHECK(compared == real * 8);
      CAPTURE(last, slice, tol);
      CHECK(last <= tol);
      CHECK(slice <= tol);

      if (!c.contains("greedy_ids")) continue;
      // Batch 1 per row through the KV-cached session, exactly 16 tokens, no EOS.
      auto prompts = int_matrix(c["input_ids"]);
      auto want_ids = int_matrix(c["greedy_ids"]);
      const int64_t steps = c["greedy_new_tokens"].get<int64_t>();
      model::GenerationSession session(m);
      model::SamplerOptions greedy;
      greedy.temperature = 0;
      model::StopOptions stop;
      stop.max_new_tokens = steps;
      double worst_logprob = 0;
      for (int64_t row = 0; row < prompts.size(0); ++row) {
        INFO("greedy row " << row);
        auto prompt = prompts[row];
        auto seq = session.add();
        session.append(seq, std::vector<int64_t>(prompt.data_ptr<int64_t>(), prompt.data_ptr<int64_t>() + prompt.numel()));
        auto g = session.generate({seq}, greedy, stop).at(0);
        REQUIRE(static_cast<int64_t>(g.tokens.size()) == steps);
        std::vector<int64_t> want(want_ids[row].data_ptr<int64_t>(), want_ids[row].data_ptr<int64_t>() + steps);
        CHECK(g.tokens == want);
        for (int64_t k = 0; k < steps; ++k)
          worst_logprob = std::max(
              worst_logprob, std::abs(static_cast<double>(g.logprobs[k]) - c["greedy_logprobs"][row][k].get<double>()));
        session.release(seq);
      }
      CAPTURE(worst_logprob);
      CHECK(worst_logprob <= tol);
    }
  }
}
