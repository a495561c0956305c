#include "clinrl/model/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "clinrl/core/strings.h"
#include "clinrl/model/sample_noise.h"

namespace clinrl::model {

void SamplerOptions::validate() const {
  if (!(temperature >= 0) || !std::isfinite(temperature))
    throw std::invalid_argument(core::format("temperature must be >= 0, got {}", temperature));
  if (top_k < 0) throw std::invalid_argument(core::format("top_k must be >= 0, got {}", top_k));
  if (!(top_p > 0 && top_p <= 1)) throw std::invalid_argument(core::format("top_p must be in (0, 1], got {}", top_p));
  if (!(min_p >= 0 && min_p < 1)) throw std::invalid_argument(core::format("min_p must be in [0, 1), got {}", min_p));
  if (!(repetition_penalty > 0) || !std::isfinite(repetition_penalty))
    throw std::invalid_argument(core::format("repetition_penalty must be > 0, got {}", repetition_penalty));
}

std::vector<SampledToken> SampledTokens::to_host() const {
  auto ids = tokens.to(torch::kCPU).contiguous();
  auto lps = logprobs.to(torch::kCPU).contiguous();
  std::vector<SampledToken> out(static_cast<size_t>(ids.numel()));
  for (size_t b = 0; b < out.size(); ++b) out[b] = {ids.data_ptr<int64_t>()[b], lps.data_ptr<float>()[b]};
  return out;
}

namespace {

// Columns of the per-row parameter table sent to the device in one copy.
enum Column { kTemperature, kTopK, kTopP, kMinP, kPenalty, kGreedy, kColumns };

// HF/CTRL repetition penalty on each row's history: positive logits divided,
// negative ones multiplied. History ids outside [0, V) are ignored.
torch::Tensor apply_penalty(const torch::Tensor& z, const std::vector<SampleRow>& rows, const torch::Tensor& params) {
  const int64_t B = z.size(0), V = z.size(1);
  size_t longest = 0;
  for (const auto& r : rows)
    if (r.options.repetition_penalty != 1.0 && r.history) longest = std::max(longest, r.history->size());
  if (longest == 0) return z;
  // Padding and out-of-range ids point at an extra column that is dropped.
  std::vector<int64_t> hist(static_cast<size_t>(B) * longest, V);
  for (int64_t b = 0; b < B; ++b) {
    const auto& r = rows[b];
    if (r.options.repetition_penalty == 1.0 || !r.history) continue;
    for (size_t i = 0; i < r.history->size(); ++i) {
      int64_t t = (*r.history)[i];
      if (t >= 0 && t < V) hist[b * longest + i] = t;
    }
  }
  auto idx = torch::tensor(hist, torch::kInt64).view({B, static_cast<int64_t>(longest)}).to(z.device());
  auto seen = torch::zeros({B, V + 1}, z.options().dtype(torch::kBool)).scatter_(1, idx, true).narrow(1, 0, V);
  auto p = params.select(1, kPenalty).unsqueeze(1);
  return torch::where(seen, torch::where(z < 0, z * p, z / p), z);
}

// -inf outside each row's kept set: the top_k best, then the smallest prefix
// reaching top_p of the (temperature-scaled) mass, then those with at least
// min_p times the best probability. Ties are ordered lowest id first.
torch::Tensor apply_filters(const torch::Tensor& zt, const torch::Tensor& params) {
  const int64_t V = zt.size(1);
  auto sorted = torch::sort(zt, /*stable=*/true, /*dim=*/1, /*descending=*/true);
  auto values = std::get<0>(sorted), order = std::get<1>(sorted);
  auto probs = (values - torch::logsumexp(zt, 1, true)).exp_();  // [B, V], descending
  auto rank = torch::arange(V, zt.options()).unsqueeze(0);      // float32 ranks are exact below 2^24
  auto keep = rank < params.select(1, kTopK).unsqueeze(1);
  auto mass_before = torch::cumsum(probs, 1) - probs;
  keep = keep.logical_and_(mass_before < params.select(1, kTopP).unsqueeze(1));
  keep = keep.logical_and_(probs >= params.select(1, kMinP).unsqueeze(1) * probs.narrow(1, 0, 1));
  auto kept = torch::zeros_like(keep).scatter_(1, order, keep);
  return zt.masked_fill(kept.logical_not(), -std::numeric_limits<float>::infinity());
}

}  // namespace

SampledTokens sample_tokens(const torch::Tensor& logits, const std::vector<SampleRow>& rows) {
  TORCH_CHECK(logits.dim() == 2, "sample_tokens: logits must be [batch, vocab], got ", logits.sizes());
  TORCH_CHECK(logits.size(0) == static_cast<int64_t>(rows.size()), "sample_tokens: ", rows.size(),
              " rows of options for ", logits.size(0), " rows of logits");
  torch::NoGradGuard no_grad;
  const int64_t B = logits.size(0), V = logits.size(1);
  const auto dev = logits.device();
  auto raw = logits.to(torch::kFloat32);

  bool any_sampled = false, any_filter = false;
  std::vector<float> table(static_cast<size_t>(B * kColumns));
  std::vector<uint64_t> keys(B);
  std::vector<int64_t> counters(B);
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t b = 0; b < B; ++b) {
    const auto& o = rows[b].options;
    float* t = table.data() + b * kColumns;
    t[kTemperature] = o.greedy() ? 1.0f : static_cast<float>(o.temperature);
    t[kTopK] = o.top_k > 0 ? static_cast<float>(std::min(o.top_k, V)) : static_cast<float>(V);
    t[kTopP] = o.top_p < 1.0 ? static_cast<float>(o.top_p) : inf;  // off: not even rounding drops the tail
    t[kMinP] = static_cast<float>(o.min_p);
    t[kPenalty] = static_cast<float>(o.repetition_penalty);
    t[kGreedy] = o.greedy() ? 1.0f : 0.0f;
    keys[b] = rows[b].key;
    counters[b] = rows[b].counter;
    any_sampled = any_sampled || !o.greedy();
    any_filter = any_filter || (!o.greedy() && o.filters());
  }
  auto params = torch::from_blob(table.data(), {B, kColumns}, torch::kFloat32).to(dev);  // one copy for all rows

  auto z = apply_penalty(raw, rows, params);
  auto chosen = z.argmax(1);  // greedy: lowest id on ties
  if (any_sampled) {
    auto zt = z / params.select(1, kTemperature).unsqueeze(1);
    if (any_filter) zt = apply_filters(zt, params);
    auto ids = torch::arange(V, torch::TensorOptions().dtype(torch::kInt64).device(dev)).unsqueeze(0).expand({B, V});
    auto drawn = (zt + gumbel_from_bits(noise_bits(keys, counters, ids))).argmax(1);
    chosen = torch::where(params.select(1, kGreedy) > 0, chosen, drawn);
  }
  SampledTokens out;
  out.tokens = chosen;
  out.logprobs = (raw.gather(1, chosen.unsqueeze(1)) - torch::logsumexp(raw, 1, true)).squeeze(1);
  return out;
}

SampledToken sample_token(const float* logits, int64_t vocab, const SamplerOptions& options, Rng& rng,
                          const std::vector<int64_t>& history) {
  auto t = torch::from_blob(const_cast<float*>(logits), {1, vocab}, torch::kFloat32);
  SampleRow row{options, rng.next_u64(), 0, &history};
  return sample_tokens(t, {row}).to_host()[0];
}

}  // namespace clinrl::model
