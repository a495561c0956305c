#include "clinrl/model/transformer.h"

#include <torch/version.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/activation_checkpoint.h"

// libtorch 2.x has a fused attention kernel; 1.13 (Debian) does not.
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
#define CLINRL_HAVE_SDPA 1
#else
#define CLINRL_HAVE_SDPA 0
#endif

namespace clinrl::model {

namespace nn = torch::nn;
using torch::indexing::Slice;

RMSNormImpl::RMSNormImpl(int64_t size, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({size}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto h = x.to(torch::kFloat32);
  auto variance = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * torch::rsqrt(variance + eps_);
  return weight * h.to(x.scalar_type());
}

RotaryTables rotary_tables(const torch::Tensor& positions, int64_t head_dim, double theta, torch::Dtype dtype) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(positions.device());
  auto exponent = torch::arange(0, head_dim, 2, opts.dtype(torch::kInt64)).to(torch::kFloat32) / head_dim;
  auto inv_freq = 1.0 / torch::pow(theta, exponent);                 // [D/2]
  auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq;  // [B, T, D/2]
  auto emb = torch::cat({freqs, freqs}, -1);                           // [B, T, D]
  return {emb.cos().unsqueeze(1).to(dtype), emb.sin().unsqueeze(1).to(dtype)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& t) {
  int64_t half = x.size(-1) / 2;
  const auto& cos = t.cos;  // [B, 1, T, D]
  const auto& sin = t.sin;
  auto x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  auto rotated = torch::cat({-x2, x1}, -1);
  return x * cos + rotated * sin;
}

AttentionImpl::AttentionImpl(const TransformerOptions& o)
    : heads_(o.num_attention_heads), kv_heads_(o.num_key_value_heads), head_dim_(o.effective_head_dim()) {
  int64_t h = o.hidden_size;
  q_proj = register_module("q_proj", nn::Linear(nn::LinearOptions(h, heads_ * head_dim_).bias(o.qkv_bias)));
  k_proj = register_module("k_proj", nn::Linear(nn::LinearOptions(h, kv_heads_ * head_dim_).bias(o.qkv_bias)));
  v_proj = register_module("v_proj", nn::Linear(nn::LinearOptions(h, kv_heads_ * head_dim_).bias(o.qkv_bias)));
  o_proj = register_module("o_proj", nn::Linear(nn::LinearOptions(heads_ * head_dim_, h).bias(o.o_bias)));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                                     CacheView* cache, size_t layer) {
  const int64_t B = x.size(0), T = x.size(1), G = heads_ / kv_heads_;
  auto q = q_proj(x).view({B, T, heads_, head_dim_}).transpose(1, 2);      // [B, H, T, D]
  auto k = k_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);   // [B, Hkv, T, D]
  auto v = v_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
  q = apply_rotary(q, rope);
  k = apply_rotary(k, rope);

  if (cache) {
    auto& ck = cache->cache->keys(layer);
    auto& cv = cache->cache->values(layer);
    if (!cache->write_rows.defined()) {
      auto dev = ck.device();
      auto i64 = torch::TensorOptions().dtype(torch::kInt64).device(dev);
      cache->write_rows = cache->rows.view({B, 1, 1});
      cache->write_heads = torch::arange(kv_heads_, i64).view({1, kv_heads_, 1});
      cache->write_times = (cache->offsets.view({B, 1}) + torch::arange(T, i64).view({1, T})).view({B, 1, T});
    }
    auto rows = cache->write_rows, heads = cache->write_heads, times = cache->write_times;
    ck.index_put_({rows, heads, times}, k.to(ck.scalar_type()));
    cv.index_put_({rows, heads, times}, v.to(cv.scalar_type()));
    int64_t tk = cache->key_length;
    if (cache->rows_are_prefix) {
      k = ck.narrow(0, 0, B).narrow(2, 0, tk);
      v = cv.narrow(0, 0, B).narrow(2, 0, tk);
    } else {
      k = ck.narrow(2, 0, tk).index_select(0, cache->rows);
      v = cv.narrow(2, 0, tk).index_select(0, cache->rows);
    }
  }
  // Grouped-query attention without copying keys: the G query heads sharing a
  // key head are stacked along the time axis, [B, Hkv, G*T, D].
  auto qg = q.reshape({B, kv_heads_, G * T, head_dim_});
  const auto& mask_g = mask;  // already [B, 1, G*T, Tk]
  torch::Tensor out;
#if CLINRL_HAVE_SDPA
  out = at::scaled_dot_product_attention(qg, k, v, mask_g);
#else
  auto scores = torch::matmul(qg, k.transpose(-1, -2)).to(torch::kFloat32) / std::sqrt(static_cast<double>(head_dim_));
  scores = scores.masked_fill(mask_g.logical_not(), -std::numeric_limits<float>::infinity());
  auto probs = torch::softmax(scores, -1).to(v.scalar_type());
  out = torch::matmul(probs, v);  // [B, Hkv, G*T, D]
#endif
  out = out.view({B, heads_, T, head_dim_}).transpose(1, 2).reshape({B, T, heads_ * head_dim_});
  return o_proj(out);
}

MlpImpl::MlpImpl(const TransformerOptions& o) {
  auto h = o.hidden_size, i = o.intermediate_size;
  gate_proj = register_module("gate_proj", nn::Linear(nn::LinearOptions(h, i).bias(o.mlp_bias)));
  up_proj = register_module("up_proj", nn::Linear(nn::LinearOptions(h, i).bias(o.mlp_bias)));
  down_proj = register_module("down_proj", nn::Linear(nn::LinearOptions(i, h).bias(o.mlp_bias)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) { return down_proj(torch::silu(gate_proj(x)) * up_proj(x)); }

DecoderLayerImpl::DecoderLayerImpl(const TransformerOptions& o) {
  self_attn = register_module("self_attn", Attention(o));
  mlp = register_module("mlp", Mlp(o));
  input_layernorm = register_module("input_layernorm", RMSNorm(o.hidden_size, o.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(o.hidden_size, o.rms_norm_eps));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                                        CacheView* cache, size_t layer) {
  auto h = x + self_attn->forward(input_layernorm(x), rope, mask, cache, layer);
  return h + mlp(post_attention_layernorm(h));
}

DecoderStackImpl::DecoderStackImpl(const TransformerOptions& o) {
  embed_tokens = register_module("embed_tokens", nn::Embedding(o.vocab_size, o.hidden_size));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layers->push_back(DecoderLayer(o));
  norm = register_module("norm", RMSNorm(o.hidden_size, o.rms_norm_eps));
}

TransformerImpl::TransformerImpl(TransformerOptions options) : options_(std::move(options)) {
  try {
    options_.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("transformer options: {}", e.what()));
  }
  model = register_module("model", DecoderStack(options_));
  if (!options_.tie_word_embeddings)
    lm_head = register_module("lm_head", nn::Linear(nn::LinearOptions(options_.hidden_size, options_.vocab_size).bias(false)));
  initialize(0);
}

torch::Tensor positions_from_mask(const torch::Tensor& attention_mask) {
  auto m = attention_mask.to(torch::kInt64);
  return ((m.cumsum(1) - 1).clamp_min(0)) * m;
}

torch::Tensor causal_mask(const torch::Tensor& attention_mask, int64_t T, torch::Device device) {
  auto opts = torch::TensorOptions().dtype(torch::kBool).device(device);
  auto causal = torch::ones({T, T}, opts).tril();
  auto eye = torch::eye(T, opts);
  if (!attention_mask.defined()) return causal.view({1, 1, T, T});
  auto keys = attention_mask.to(device).to(torch::kBool).view({-1, 1, 1, T});
  return (causal.view({1, 1, T, T}) & keys) | eye.view({1, 1, T, T});
}

TransformerOutput TransformerImpl::forward(const torch::Tensor& ids, const torch::Tensor& attention_mask) {
  TORCH_CHECK(ids.dim() == 2, "Transformer: ids must be [batch, time], got ", ids.sizes());
  ForwardArgs args;
  args.ids = ids;
  const int64_t B = ids.size(0), T = ids.size(1);
  if (attention_mask.defined()) {
    TORCH_CHECK(attention_mask.sizes() == ids.sizes(), "Transformer: attention_mask must match ids");
    args.positions = positions_from_mask(attention_mask.to(ids.device()));
  } else {
    args.positions = torch::arange(T, ids.options().dtype(torch::kInt64)).unsqueeze(0).expand({B, T});
  }
  args.mask = causal_mask(attention_mask, T, ids.device());
  return run(args);
}

TransformerOutput TransformerImpl::run(const ForwardArgs& args) {
  TORCH_CHECK(args.ids.dim() == 2 && args.positions.sizes() == args.ids.sizes(),
              "Transformer: ids and positions must both be [batch, time]");
  auto rope = rotary_tables(args.positions, options_.effective_head_dim(), options_.rope_theta,
                            model->embed_tokens->weight.scalar_type());
  auto mask = grouped_mask(args.mask, options_.num_attention_heads / options_.num_key_value_heads);
  auto x = model->embed_tokens(args.ids);
  for (size_t i = 0; i < model->layers->size(); ++i) {
    auto* layer = model->layers[i]->as<DecoderLayerImpl>();
    // Training without a cache may recompute each layer in backward instead of keeping its activations.
    if (activation_checkpointing_enabled() && !args.cache && torch::GradMode::is_enabled())
      x = checkpointed([rope, mask, layer, i](const torch::Tensor& in) { return layer->forward(in, rope, mask, nullptr, i); },
                       x, layer->parameters());
    else
      x = layer->forward(x, rope, mask, args.cache, i);
  }
  TransformerOutput out;
  out.hidden = model->norm(x);
  if (args.logits) out.logits = project(out.hidden);
  return out;
}

torch::Tensor TransformerImpl::output_weight() {
  return options_.tie_word_embeddings ? model->embed_tokens->weight : lm_head->weight;
}

torch::Tensor TransformerImpl::project(const torch::Tensor& hidden) { return torch::matmul(hidden, output_weight().t()); }

void TransformerImpl::initialize(uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& item : named_parameters()) {
    const auto& name = item.key();
    auto& p = item.value();
    if (core::ends_with(name, "norm.weight")) {
      p.fill_(1.0);
    } else if (core::ends_with(name, ".bias")) {
      p.zero_();
    } else {
      auto fresh = at::normal(0.0, options_.initializer_range, p.sizes(), gen,
                              torch::TensorOptions().dtype(torch::kFloat32));
      p.copy_(fresh);
    }
  }
}

torch::Dtype TransformerImpl::dtype() const { return parameters().front().scalar_type(); }
torch::Device TransformerImpl::device() const { return parameters().front().device(); }

torch::Tensor grouped_mask(const torch::Tensor& mask, int64_t groups) {
  if (groups == 1) return mask;
  const int64_t B = mask.size(0), T = mask.size(2), Tk = mask.size(3);
  return mask.unsqueeze(2).expand({B, 1, groups, T, Tk}).reshape({B, 1, groups * T, Tk});
}

torch::Dtype parse_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32") return torch::kFloat32;
  if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
  if (name == "float16" || name == "fp16") return torch::kFloat16;
  throw UserError(core::format("unknown dtype '{}' (expected float32, bfloat16 or float16)", name));
}

}  // namespace clinrl::model
