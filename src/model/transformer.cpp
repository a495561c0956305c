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

using torch::indexing::Slice;

namespace {

constexpr double kPi = 3.14159265358979323846;  // Python's math.pi

// "float32 on cpu": how the checks below name a tensor.
std::string describe(const torch::Tensor& t) {
  if (!t.defined()) return "undefined";
  return core::format("{} on {}", c10::toString(t.scalar_type()), t.device().str());
}

// An input must sit on the device of the module's parameters (and, for
// activations, share their dtype). Metadata only: no device sync.
void check_input(const char* module, const char* arg, const torch::Tensor& x, const torch::Tensor& param,
                 bool same_dtype) {
  TORCH_CHECK(x.defined(), module, ": ", arg, " is undefined");
  TORCH_CHECK(x.device() == param.device() && (!same_dtype || x.scalar_type() == param.scalar_type()), module, ": ",
              arg, " is ", describe(x), " but the module's parameters are ", describe(param));
}

// Ids and positions: int64 on the model's device.
void check_index(const char* module, const char* arg, const torch::Tensor& t, const torch::Tensor& param) {
  TORCH_CHECK(t.defined(), module, ": ", arg, " is undefined");
  TORCH_CHECK(t.scalar_type() == torch::kInt64 && t.device() == param.device(), module, ": ", arg,
              " must be int64 on ", param.device().str(), " (the module's device), got ", describe(t));
}

}  // namespace

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({out, in}, options));
  if (with_bias) bias = register_parameter("bias", torch::empty({out}, options));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  check_input("Linear", "x", x, weight, true);
  return torch::linear(x, weight, bias);
}

EmbeddingImpl::EmbeddingImpl(int64_t count, int64_t dim, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({count, dim}, options));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) {
  check_index("Embedding", "ids", ids, weight);
  return torch::embedding(weight, ids);
}

RMSNormImpl::RMSNormImpl(int64_t size, double eps, const torch::TensorOptions& options) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({size}, options));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  check_input("RMSNorm", "x", x, weight, false);
  TORCH_CHECK(x.is_floating_point(), "RMSNorm: x must be floating point, got ", describe(x));
  auto h = x.to(torch::kFloat32);
  auto variance = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * torch::rsqrt(variance + eps_);
  return weight * h.to(x.scalar_type());
}

RotaryTables rotary_tables(const torch::Tensor& positions, const torch::Tensor& inv_freq, double attention_factor,
                           torch::Dtype dtype) {
  TORCH_CHECK(inv_freq.device() == positions.device(), "rotary_tables: positions are ", describe(positions),
              " but inv_freq is ", describe(inv_freq));
  auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq;  // [B, T, D/2]
  auto emb = torch::cat({freqs, freqs}, -1);                           // [B, T, D]
  auto cos = emb.cos(), sin = emb.sin();
  if (attention_factor != 1.0) {
    cos = cos * attention_factor;
    sin = sin * attention_factor;
  }
  return {cos.unsqueeze(1).to(dtype), sin.unsqueeze(1).to(dtype)};
}

RotaryTables rotary_tables(const torch::Tensor& positions, int64_t head_dim, double theta, torch::Dtype dtype) {
  TransformerOptions o;
  o.head_dim = head_dim;
  o.rope_theta = theta;
  return rotary_tables(positions, rope_inv_freq(o, positions.device()), 1.0, dtype);
}

namespace {

// HF's _compute_default_rope_parameters: 1 / base^(2i/d), in float32.
torch::Tensor default_inv_freq(double base, int64_t dim, torch::Device device) {
  auto exponent = torch::arange(0, dim, 2, torch::TensorOptions().dtype(torch::kInt64).device(device))
                      .to(torch::kFloat32) / dim;
  return 1.0 / torch::pow(base, exponent);
}

// HF's _compute_llama3_parameters (Llama 3.1): wavelengths shorter than
// original/high_freq_factor are kept, longer than original/low_freq_factor
// divided by factor, and the band between blended by smooth_factor.
torch::Tensor llama3_inv_freq(const TransformerOptions& o, torch::Device device) {
  const auto& r = o.rope_scaling;
  auto inv_freq = default_inv_freq(o.rope_theta, o.effective_head_dim(), device);
  const double old_len = static_cast<double>(r.original_max_position_embeddings);
  const double low_wavelen = old_len / r.low_freq_factor, high_wavelen = old_len / r.high_freq_factor;
  auto wavelen = 2 * kPi / inv_freq;
  auto scaled = torch::where(wavelen > low_wavelen, inv_freq / r.factor, inv_freq);
  auto smooth = (old_len / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
  auto smoothed = (1 - smooth) * scaled / r.factor + smooth * scaled;
  auto medium = (wavelen >= high_wavelen).logical_and(wavelen <= low_wavelen);
  return torch::where(medium, smoothed, scaled);
}

// HF's _compute_yarn_parameters. The correction range comes from
// original_max_position_embeddings when given (the pretraining context, as
// vLLM and transformers since PR #36877/#40320 read it), else from
// max_position_embeddings; `factor` is used as written.
torch::Tensor yarn_inv_freq(const TransformerOptions& o, torch::Device device) {
  const auto& r = o.rope_scaling;
  const int64_t dim = o.effective_head_dim();
  const double base = o.rope_theta;
  const double original = static_cast<double>(
      r.original_max_position_embeddings > 0 ? r.original_max_position_embeddings : o.max_position_embeddings);
  auto correction_dim = [&](double rotations) {
    return (dim * std::log(original / (rotations * 2 * kPi))) / (2 * std::log(base));
  };
  double low = correction_dim(r.beta_fast), high = correction_dim(r.beta_slow);
  if (r.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim - 1));
  if (low == high) high += 0.001;  // HF: avoids dividing by zero
  auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  auto pos_freqs = torch::pow(base, torch::arange(0, dim, 2, f32) / dim);
  auto extrapolation = 1.0 / pos_freqs;
  auto interpolation = 1.0 / (r.factor * pos_freqs);
  auto ramp = ((torch::arange(dim / 2, f32) - low) / (high - low)).clamp(0, 1);
  auto extrapolation_factor = 1 - ramp;
  return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor;
}

}  // namespace

torch::Tensor rope_inv_freq(const TransformerOptions& o, torch::Device device, const torch::Tensor& positions) {
  const auto& r = o.rope_scaling;
  const int64_t dim = o.effective_head_dim();
  if (r.type == "linear") return default_inv_freq(o.rope_theta, dim, device) / r.factor;
  if (r.type == "llama3") return llama3_inv_freq(o, device);
  if (r.type == "yarn") return yarn_inv_freq(o, device);
  if (r.type == "dynamic") {
    // HF's _compute_dynamic_ntk_parameters: for seq_len > max_position_embeddings
    // base *= (factor * seq_len / max - (factor - 1))^(d / (d - 2)).
    const double max_len = static_cast<double>(o.max_position_embeddings);
    if (!positions.defined() || positions.numel() == 0) return default_inv_freq(o.rope_theta, dim, device);
    auto seq_len = (positions.max() + 1).to(torch::kFloat32).to(device);  // stays on the device
    auto scale = torch::pow(r.factor * seq_len / max_len - (r.factor - 1), static_cast<double>(dim) / (dim - 2));
    auto base = torch::where(seq_len > max_len, o.rope_theta * scale, torch::full({}, o.rope_theta, seq_len.options()));
    auto exponent = torch::arange(0, dim, 2, torch::TensorOptions().dtype(torch::kInt64).device(device))
                        .to(torch::kFloat32) / dim;
    return 1.0 / torch::pow(base, exponent);
  }
  return default_inv_freq(o.rope_theta, dim, device);
}

double rope_attention_factor(const TransformerOptions& o) {
  const auto& r = o.rope_scaling;
  if (r.type != "yarn") return 1.0;
  if (r.attention_factor) return *r.attention_factor;
  // HF's get_mscale: 0.1 * mscale * ln(factor) + 1 (1 when factor <= 1).
  auto mscale = [&](double m) { return r.factor <= 1 ? 1.0 : 0.1 * m * std::log(r.factor) + 1.0; };
  if (r.mscale > 0 && r.mscale_all_dim > 0) return mscale(r.mscale) / mscale(r.mscale_all_dim);
  return mscale(1.0);
}

torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& t) {
  int64_t half = x.size(-1) / 2;
  const auto& cos = t.cos;  // [B, 1, T, D]
  const auto& sin = t.sin;
  auto x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  auto rotated = torch::cat({-x2, x1}, -1);
  return x * cos + rotated * sin;
}

AttentionImpl::AttentionImpl(const TransformerOptions& o, const torch::TensorOptions& t)
    : heads_(o.num_attention_heads), kv_heads_(o.num_key_value_heads), head_dim_(o.effective_head_dim()) {
  int64_t h = o.hidden_size;
  q_proj = register_module("q_proj", Linear(h, heads_ * head_dim_, o.qkv_bias, t));
  k_proj = register_module("k_proj", Linear(h, kv_heads_ * head_dim_, o.qkv_bias, t));
  v_proj = register_module("v_proj", Linear(h, kv_heads_ * head_dim_, o.qkv_bias, t));
  o_proj = register_module("o_proj", Linear(heads_ * head_dim_, h, o.o_bias, t));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                                     CacheView* cache, size_t layer) {
  const auto& w = q_proj->weight;
  check_input("Attention", "x", x, w, true);
  TORCH_CHECK(x.dim() == 3, "Attention: x must be [batch, time, hidden], got ", x.sizes());
  check_input("Attention", "rope.cos", rope.cos, w, true);
  check_input("Attention", "rope.sin", rope.sin, w, true);
  TORCH_CHECK(mask.defined() && mask.scalar_type() == torch::kBool && mask.device() == w.device(),
              "Attention: mask must be bool on ", w.device().str(), " (the module's device), got ", describe(mask));
  const int64_t B = x.size(0), T = x.size(1), G = heads_ / kv_heads_;
  auto q = q_proj(x).view({B, T, heads_, head_dim_}).transpose(1, 2);      // [B, H, T, D]
  auto k = k_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);   // [B, Hkv, T, D]
  auto v = v_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
  q = apply_rotary(q, rope);
  k = apply_rotary(k, rope);

  if (cache) {
    auto& ck = cache->cache->keys(layer);
    auto& cv = cache->cache->values(layer);
    check_input("Attention", "cache keys", ck, w, true);
    check_input("Attention", "cache values", cv, w, true);
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

MlpImpl::MlpImpl(const TransformerOptions& o, const torch::TensorOptions& t) {
  auto h = o.hidden_size, i = o.intermediate_size;
  gate_proj = register_module("gate_proj", Linear(h, i, o.mlp_bias, t));
  up_proj = register_module("up_proj", Linear(h, i, o.mlp_bias, t));
  down_proj = register_module("down_proj", Linear(i, h, o.mlp_bias, t));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  check_input("Mlp", "x", x, gate_proj->weight, true);
  return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

DecoderLayerImpl::DecoderLayerImpl(const TransformerOptions& o, const torch::TensorOptions& t) {
  self_attn = register_module("self_attn", Attention(o, t));
  mlp = register_module("mlp", Mlp(o, t));
  input_layernorm = register_module("input_layernorm", RMSNorm(o.hidden_size, o.rms_norm_eps, t));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(o.hidden_size, o.rms_norm_eps, t));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                                        CacheView* cache, size_t layer) {
  auto h = x + self_attn->forward(input_layernorm(x), rope, mask, cache, layer);
  return h + mlp(post_attention_layernorm(h));
}

DecoderStackImpl::DecoderStackImpl(const TransformerOptions& o, const torch::TensorOptions& t) {
  embed_tokens = register_module("embed_tokens", Embedding(o.vocab_size, o.hidden_size, t));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layers->push_back(DecoderLayer(o, t));
  norm = register_module("norm", RMSNorm(o.hidden_size, o.rms_norm_eps, t));
}

TransformerImpl::TransformerImpl(TransformerOptions options, const ParameterOptions& params)
    : options_(std::move(options)) {
  try {
    options_.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("transformer options: {}", e.what()));
  }
  auto t = params.tensor_options();
  model = register_module("model", DecoderStack(options_, t));
  if (!options_.tie_word_embeddings)
    lm_head = register_module("lm_head", Linear(options_.hidden_size, options_.vocab_size, false, t));
  if (options_.rope_scaling.type != "dynamic") inv_freq_ = rope_inv_freq(options_, params.device);
  if (params.initialize) initialize(0);
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
  const auto& w = model->embed_tokens->weight;
  check_index("Transformer", "ids", ids, w);
  TORCH_CHECK(ids.dim() == 2, "Transformer: ids must be [batch, time], got ", ids.sizes());
  ForwardArgs args;
  args.ids = ids;
  const int64_t B = ids.size(0), T = ids.size(1);
  if (attention_mask.defined()) {
    TORCH_CHECK(attention_mask.device() == w.device(), "Transformer: attention_mask must be on ", w.device().str(),
                " (the model's device), got ", describe(attention_mask));
    TORCH_CHECK(attention_mask.sizes() == ids.sizes(), "Transformer: attention_mask ", attention_mask.sizes(),
                " must match ids ", ids.sizes());
    args.positions = positions_from_mask(attention_mask);
  } else {
    args.positions = torch::arange(T, ids.options().dtype(torch::kInt64)).unsqueeze(0).expand({B, T});
  }
  args.mask = causal_mask(attention_mask, T, ids.device());
  return run(args);
}

TransformerOutput TransformerImpl::run(const ForwardArgs& args) {
  const auto& w = model->embed_tokens->weight;
  check_index("Transformer", "ids", args.ids, w);
  check_index("Transformer", "positions", args.positions, w);
  TORCH_CHECK(args.ids.dim() == 2 && args.positions.sizes() == args.ids.sizes(),
              "Transformer: ids and positions must both be [batch, time], got ", args.ids.sizes(), " and ",
              args.positions.sizes());
  const int64_t B = args.ids.size(0), T = args.ids.size(1);
  TORCH_CHECK(args.mask.defined() && args.mask.scalar_type() == torch::kBool && args.mask.device() == w.device(),
              "Transformer: mask must be bool on ", w.device().str(), " (the model's device), got ",
              describe(args.mask));
  const int64_t keys = args.cache ? args.cache->key_length : T;
  TORCH_CHECK(args.mask.dim() == 4 && (args.mask.size(0) == B || args.mask.size(0) == 1) && args.mask.size(1) == 1 &&
                  args.mask.size(2) == T && args.mask.size(3) == keys,
              "Transformer: mask must be [", B, ", 1, ", T, ", ", keys, "], got ", args.mask.sizes());
  if (args.cache) {
    const auto* c = args.cache;
    TORCH_CHECK(c->cache != nullptr, "Transformer: cache view without a cache");
    TORCH_CHECK(c->cache->layers() == options_.num_hidden_layers, "Transformer: the cache holds ", c->cache->layers(),
                " layers, the model ", options_.num_hidden_layers);
    check_input("Transformer", "cache keys", c->cache->keys(0), w, true);
    check_index("Transformer", "cache rows", c->rows, w);
    check_index("Transformer", "cache offsets", c->offsets, w);
    TORCH_CHECK(c->rows.numel() == B && c->offsets.numel() == B, "Transformer: cache rows/offsets need ", B,
                " entries, got ", c->rows.numel(), " and ", c->offsets.numel());
  }
  torch::Tensor inv_freq = inv_freq_.defined() && inv_freq_.device() == w.device()
                               ? inv_freq_
                               : rope_inv_freq(options_, w.device(), args.positions);
  auto rope = rotary_tables(args.positions, inv_freq, rope_attention_factor(options_), w.scalar_type());
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

torch::Tensor TransformerImpl::project(const torch::Tensor& hidden) {
  auto weight = output_weight();
  check_input("Transformer::project", "hidden", hidden, weight, true);
  return torch::matmul(hidden, weight.t());
}

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

torch::Dtype TransformerImpl::dtype() const { return model->embed_tokens->weight.scalar_type(); }
torch::Device TransformerImpl::device() const { return model->embed_tokens->weight.device(); }

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
