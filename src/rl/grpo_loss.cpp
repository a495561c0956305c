#include "clinrl/rl/grpo_loss.h"

#include <algorithm>

namespace clinrl::rl {
namespace {

// bf16/fp16 log-probs are promoted: ratios of nearly equal numbers need fp32.
torch::ScalarType compute_dtype(const torch::Tensor& t) {
  return t.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
}

void check_inputs(const GrpoLossInput& in, const GrpoOptions& options) {
  TORCH_CHECK(in.logp.defined() && in.logp.dim() == 2, "grpo_loss: logp must be [B, T]");
  const auto sizes = in.logp.sizes();
  TORCH_CHECK(in.old_logp.defined() && in.old_logp.sizes() == sizes, "grpo_loss: old_logp must be [B, T] like logp");
  TORCH_CHECK(in.loss_mask.defined() && in.loss_mask.sizes() == sizes, "grpo_loss: loss_mask must be [B, T] like logp");
  TORCH_CHECK(in.advantages.defined() &&
                  ((in.advantages.dim() == 1 && in.advantages.size(0) == sizes[0]) ||
                   (in.advantages.dim() == 2 && in.advantages.sizes() == in.logp.sizes())),
              "grpo_loss: advantages must be [B] or [B, T] with [B, T] = ", in.logp.sizes());
  if (options.kl_beta > 0)
    TORCH_CHECK(in.ref_logp.defined() && in.ref_logp.sizes() == sizes,
                "grpo_loss: kl_beta > 0 needs ref_logp [B, T] like logp");
  if (in.truncated.defined())
    TORCH_CHECK(in.truncated.dim() == 1 && in.truncated.size(0) == sizes[0], "grpo_loss: truncated must be [B]");
  if (in.entropy.defined()) TORCH_CHECK(in.entropy.sizes() == sizes, "grpo_loss: entropy must be [B, T] like logp");
}

double or_local(double given, const torch::Tensor& local) {
  return given > 0 ? given : std::max(1.0, local.item<double>());
}

}  // namespace

torch::Tensor effective_loss_mask(const GrpoLossInput& input, const GrpoOptions& options) {
  auto mask = (input.loss_mask != 0).to(compute_dtype(input.logp));
  if (options.mask_truncated && input.truncated.defined()) {
    auto keep = input.truncated.to(torch::kBool).logical_not().to(mask.scalar_type()).to(mask.device());
    mask = mask * keep.unsqueeze(1);
  }
  return mask;
}

torch::Tensor aggregate_token_losses(const torch::Tensor& token_loss, const torch::Tensor& mask,
                                     const GrpoOptions& options, const LossNormalizer& normalizer) {
  auto masked = token_loss * mask;
  if (options.aggregation == "token_mean") {
    double n = or_local(normalizer.tokens, mask.sum());
    return masked.sum() / n;
  }
  auto row_tokens = mask.sum(1);
  double n_seq = or_local(normalizer.sequences, (row_tokens > 0).sum());
  if (options.aggregation == "seq_mean_token_mean") return (masked.sum(1) / row_tokens.clamp_min(1)).sum() / n_seq;
  if (options.aggregation == "seq_mean_token_sum_norm") return (masked.sum(1) / options.max_length_norm).sum() / n_seq;
  TORCH_CHECK(false, "grpo_loss: unknown aggregation '", options.aggregation, "'");
}

GrpoLossResult grpo_loss(const GrpoLossInput& in, const GrpoOptions& options, const LossNormalizer& normalizer) {
  check_inputs(in, options);
  const auto dtype = compute_dtype(in.logp);
  auto mask = effective_loss_mask(in, options);
  auto on = mask > 0;
  // Masked positions may hold anything (padding, -inf); zeroing them before the
  // maths keeps NaN out of both the loss and its gradient.
  auto zero = torch::zeros_like(mask);
  auto logp = torch::where(on, in.logp.to(dtype), zero);
  auto old_logp = torch::where(on, in.old_logp.detach().to(dtype), zero);
  auto adv = in.advantages.detach().to(dtype).to(mask.device());
  if (adv.dim() == 1) adv = adv.unsqueeze(1);  // [B, 1]: one per episode

  auto log_ratio = logp - old_logp;
  auto ratio = torch::exp(log_ratio);
  auto clipped = torch::clamp(ratio, 1.0 - options.eps_low, 1.0 + options.eps_high);
  auto pg = torch::max(-adv * ratio, -adv * clipped);
  torch::Tensor dual_active;
  if (options.dual_clip) {
    auto cap = -adv * *options.dual_clip;
    dual_active = (adv < 0).logical_and(pg > cap);
    pg = torch::where(adv < 0, torch::min(pg, cap), pg);
  }
  auto token_loss = pg;
  torch::Tensor k3;
  if (options.kl_beta > 0) {
    auto ref = torch::where(on, in.ref_logp.detach().to(dtype), zero);
    auto d = ref - logp;
    k3 = torch::exp(d) - d - 1.0;
    token_loss = token_loss + options.kl_beta * k3;
  }

  GrpoLossResult out;
  out.loss = aggregate_token_losses(token_loss, mask, options, normalizer);
  out.token_loss = (token_loss * mask).detach();

  torch::NoGradGuard no_grad;
  auto masked_sum = [&](const torch::Tensor& x) { return (x.to(dtype) * mask).sum(); };
  auto r = ratio.detach();
  std::vector<torch::Tensor> sums = {
      mask.sum(),
      (mask.sum(1) > 0).sum().to(dtype),
      masked_sum((adv < 0).logical_and(r < 1.0 - options.eps_low)),
      masked_sum((adv > 0).logical_and(r > 1.0 + options.eps_high)),
      dual_active.defined() ? masked_sum(dual_active) : zero.sum(),
      masked_sum(r - 1.0 - log_ratio.detach()),
      k3.defined() ? masked_sum(k3.detach()) : zero.sum(),
      masked_sum(r),
      (r * mask).max(),
      in.entropy.defined() ? masked_sum(in.entropy.detach()) : zero.sum(),
  };
  auto values = torch::stack(sums).to(torch::kCPU, torch::kDouble);
  auto v = values.accessor<double, 1>();
  GrpoLossStats& s = out.stats;
  s.tokens = v[0];
  s.sequences = v[1];
  const double n = std::max(1.0, s.tokens);
  s.clip_fraction_low = v[2] / n;
  s.clip_fraction_high = v[3] / n;
  s.clip_fraction = s.clip_fraction_low + s.clip_fraction_high;
  s.dual_clip_fraction = v[4] / n;
  s.approx_kl = v[5] / n;
  s.kl = v[6] / n;
  s.ratio_mean = v[7] / n;
  s.ratio_max = s.tokens > 0 ? v[8] : 0.0;
  s.has_entropy = in.entropy.defined();
  s.entropy = v[9] / n;
  return out;
}

GrpoLossStats merge_stats(const GrpoLossStats& a, const GrpoLossStats& b) {
  GrpoLossStats m;
  m.tokens = a.tokens + b.tokens;
  m.sequences = a.sequences + b.sequences;
  const double n = std::max(1.0, m.tokens);
  auto w = [&](double x, double y) { return (x * a.tokens + y * b.tokens) / n; };
  m.clip_fraction_low = w(a.clip_fraction_low, b.clip_fraction_low);
  m.clip_fraction_high = w(a.clip_fraction_high, b.clip_fraction_high);
  m.clip_fraction = m.clip_fraction_low + m.clip_fraction_high;
  m.dual_clip_fraction = w(a.dual_clip_fraction, b.dual_clip_fraction);
  m.approx_kl = w(a.approx_kl, b.approx_kl);
  m.kl = w(a.kl, b.kl);
  m.ratio_mean = w(a.ratio_mean, b.ratio_mean);
  m.ratio_max = std::max(a.ratio_max, b.ratio_max);
  m.has_entropy = a.has_entropy || b.has_entropy;
  m.entropy = w(a.entropy, b.entropy);
  return m;
}

torch::Tensor token_entropy(const torch::Tensor& logits) {
  torch::NoGradGuard no_grad;
  auto logp = torch::log_softmax(logits.detach().to(compute_dtype(logits)), -1);
  return -(logp.exp() * logp).sum(-1);
}

}  // namespace clinrl::rl
