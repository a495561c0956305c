#include "clinrl/model/token_logprobs.h"

#include <algorithm>

namespace clinrl::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ChunkedLogprob : public torch::autograd::Function<ChunkedLogprob> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, int64_t chunk) {
    const int64_t N = hidden.size(0);
    auto out = torch::empty({N}, hidden.options().dtype(torch::kFloat32));
    for (int64_t s = 0; s < N; s += chunk) {
      int64_t n = std::min(chunk, N - s);
      auto logits = torch::matmul(hidden.narrow(0, s, n), weight.t()).to(torch::kFloat32);  // [n, V]
      auto picked = logits.gather(1, targets.narrow(0, s, n).unsqueeze(1)).squeeze(1);
      out.narrow(0, s, n).copy_(picked - torch::logsumexp(logits, 1));
    }
    ctx->save_for_backward({hidden, weight, targets});
    ctx->saved_data["chunk"] = chunk;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto hidden = saved[0], weight = saved[1], targets = saved[2];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    auto g = grads[0].to(torch::kFloat32);
    const int64_t N = hidden.size(0);
    auto grad_hidden = torch::empty_like(hidden);
    auto grad_weight = torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32));
    for (int64_t s = 0; s < N; s += chunk) {
      int64_t n = std::min(chunk, N - s);
      auto h = hidden.narrow(0, s, n);
      auto logits = torch::matmul(h, weight.t()).to(torch::kFloat32);
      auto gs = g.narrow(0, s, n).unsqueeze(1);                       // [n, 1]
      // d/dlogits of (logit[target] - logsumexp) = onehot(target) - softmax.
      auto dlogits = torch::softmax(logits, 1).mul_(gs).neg_();
      dlogits.scatter_add_(1, targets.narrow(0, s, n).unsqueeze(1), gs);
      auto d = dlogits.to(weight.scalar_type());
      grad_hidden.narrow(0, s, n).copy_(torch::matmul(d, weight));
      grad_weight.add_(torch::matmul(d.t(), h).to(torch::kFloat32));
    }
    return {grad_hidden, grad_weight.to(weight.scalar_type()), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor chunked_target_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                      const torch::Tensor& targets, int64_t chunk) {
  TORCH_CHECK(chunk > 0, "token_logprobs: chunk must be positive");
  return ChunkedLogprob::apply(hidden, weight, targets, chunk);
}

torch::Tensor token_logprobs(Transformer& model, const torch::Tensor& ids, const torch::Tensor& mask, int64_t chunk) {
  TORCH_CHECK(ids.dim() == 2, "token_logprobs: ids must be [batch, time]");
  const int64_t B = ids.size(0), T = ids.size(1);
  auto out = torch::zeros({B, T}, torch::TensorOptions().dtype(torch::kFloat32).device(ids.device()));
  if (T < 2) return out;
  ForwardArgs args;
  args.ids = ids;
  if (mask.defined()) {
    TORCH_CHECK(mask.sizes() == ids.sizes(), "token_logprobs: mask must match ids");
    args.positions = positions_from_mask(mask.to(ids.device()));
  } else {
    args.positions = torch::arange(T, ids.options().dtype(torch::kInt64)).unsqueeze(0).expand({B, T});
  }
  args.mask = causal_mask(mask, T, ids.device());
  args.logits = false;
  auto hidden = model->run(args).hidden;  // [B, T, H]
  auto h = hidden.narrow(1, 0, T - 1).reshape({B * (T - 1), hidden.size(2)});
  auto targets = ids.narrow(1, 1, T - 1).reshape({B * (T - 1)});
  auto lp = chunked_target_logprobs(h, model->output_weight(), targets, chunk).view({B, T - 1});
  if (mask.defined()) lp = lp * mask.narrow(1, 1, T - 1).to(lp.device()).to(torch::kFloat32);
  out = torch::cat({out.narrow(1, 0, 1), lp}, 1);
  return out;
}

std::vector<std::vector<SampledToken>> TopTokens::to_host() const {
  auto i = ids.to(torch::kCPU).contiguous();
  auto l = logprobs.to(torch::kCPU).contiguous();
  const int64_t B = i.size(0), n = i.size(1);
  std::vector<std::vector<SampledToken>> out(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < n; ++k) out[b].push_back({i.data_ptr<int64_t>()[b * n + k], l.data_ptr<float>()[b * n + k]});
  return out;
}

namespace {
// The n best of rows of log-probs: a stable descending sort orders ties
// lowest id first (topk promises no order on ties).
TopTokens best_of(const torch::Tensor& lp, int64_t n) {
  auto sorted = torch::sort(lp, /*stable=*/true, /*dim=*/1, /*descending=*/true);
  return {std::get<1>(sorted).narrow(1, 0, n).contiguous(), std::get<0>(sorted).narrow(1, 0, n).contiguous()};
}
}  // namespace

TopTokens top_token_logprobs(const torch::Tensor& logits, int64_t n) {
  TORCH_CHECK(logits.dim() == 2, "top_token_logprobs: logits must be [batch, vocab], got ", logits.sizes());
  TORCH_CHECK(n >= 1 && n <= logits.size(1), "top_token_logprobs: n must be in [1, vocab], got ", n);
  torch::NoGradGuard no_grad;
  return best_of(torch::log_softmax(logits.to(torch::kFloat32), 1), n);
}

ScoredSequence score_sequence(Transformer& model, const torch::Tensor& ids, int64_t top_n, int64_t chunk) {
  TORCH_CHECK(ids.dim() == 1 && ids.scalar_type() == torch::kInt64, "score_sequence: ids must be [T] int64");
  TORCH_CHECK(ids.device() == model->device(), "score_sequence: ids are on ", ids.device(), " but the model is on ",
              model->device());
  TORCH_CHECK(chunk > 0, "score_sequence: chunk must be positive");
  TORCH_CHECK(top_n >= 0 && top_n <= model->options().vocab_size, "score_sequence: top_n must be in [0, vocab], got ", top_n);
  torch::NoGradGuard no_grad;
  const int64_t T = ids.size(0);
  ScoredSequence out;
  out.logprobs = torch::zeros({T}, torch::TensorOptions().dtype(torch::kFloat32).device(ids.device()));
  auto i64 = torch::TensorOptions().dtype(torch::kInt64).device(ids.device());
  if (top_n > 0) {
    out.top.ids = torch::zeros({std::max<int64_t>(T - 1, 0), top_n}, i64);
    out.top.logprobs = torch::zeros({std::max<int64_t>(T - 1, 0), top_n}, out.logprobs.options());
  }
  if (T < 2) return out;
  ForwardArgs args;
  args.ids = ids.unsqueeze(0);
  args.positions = torch::arange(T, i64).unsqueeze(0);
  args.mask = causal_mask({}, T, ids.device());
  args.logits = false;
  auto hidden = model->run(args).hidden[0];  // [T, H]
  for (int64_t s = 0; s + 1 < T; s += chunk) {
    const int64_t n = std::min(chunk, T - 1 - s);
    auto lp = torch::log_softmax(model->project(hidden.narrow(0, s, n)).to(torch::kFloat32), 1);  // [n, V]
    auto targets = ids.narrow(0, s + 1, n).unsqueeze(1);
    out.logprobs.narrow(0, s + 1, n).copy_(lp.gather(1, targets).squeeze(1));
    if (top_n > 0) {
      auto top = best_of(lp, top_n);
      out.top.ids.narrow(0, s, n).copy_(top.ids);
      out.top.logprobs.narrow(0, s, n).copy_(top.logprobs);
    }
  }
  return out;
}

}  // namespace clinrl::model
