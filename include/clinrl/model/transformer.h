#pragma once
// Qwen2/Llama decoder-only transformer (HF's modeling_qwen2 / modeling_llama
// maths): RMSNorm, rotary embeddings in the rotate-half convention,
// grouped-query attention, SwiGLU MLP. Parameter names are HF's exactly
// (model.embed_tokens.weight, model.layers.{i}.self_attn.q_proj.weight, ...,
// model.norm.weight, lm_head.weight), so state dicts move both ways.
#include <torch/torch.h>

#include "clinrl/model/kv_cache.h"
#include "clinrl/model/transformer_options.h"

namespace clinrl::model {

// How a Transformer's parameters are created: straight in the target dtype
// and device, and either drawn as HF does or left uninitialised
// (torch::empty) for a checkpoint to fill.
struct ParameterOptions {
  torch::Dtype dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
  bool initialize = true;  // false: uninitialised memory, every value must be loaded
  torch::TensorOptions tensor_options() const { return torch::TensorOptions().dtype(dtype).device(device); }
};

// y = x W^T + b with HF's parameter names (weight [out, in], bias [out]),
// created in place: no default initialisation to undo.
class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in, int64_t out, bool bias, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]; undefined without bias
};
TORCH_MODULE(Linear);

// Rows of weight [vocab, hidden] picked by int64 ids [B, T] on the weight's device.
class EmbeddingImpl : public torch::nn::Module {
 public:
  EmbeddingImpl(int64_t count, int64_t dim, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& ids);
  torch::Tensor weight;  // [count, dim]
};
TORCH_MODULE(Embedding);

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t size, double eps, const torch::TensorOptions& options = {});
  // x * rsqrt(mean(x^2) + eps) computed in float32, cast back, times weight.
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [size]
 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

// cos and sin tables [B, 1, T, head_dim] for integer positions [B, T],
// computed in float32 and cast once to the model dtype.
struct RotaryTables {
  torch::Tensor cos, sin;
};
// Unscaled frequencies inv_freq[i] = theta^(-2i/head_dim).
RotaryTables rotary_tables(const torch::Tensor& positions, int64_t head_dim, double theta,
                           torch::Dtype dtype = torch::kFloat32);
// Given inverse frequencies [head_dim/2] (float32, on positions' device);
// cos and sin are multiplied by attention_factor (yarn) before the cast.
RotaryTables rotary_tables(const torch::Tensor& positions, const torch::Tensor& inv_freq, double attention_factor,
                           torch::Dtype dtype);
// x [B, heads, T, D] * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1).
torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& tables);

// The inverse frequencies [head_dim/2] (float32, on `device`) that
// options.rope_scaling gives, with HF's formulas (modeling_rope_utils):
// linear divides by factor; llama3 divides the long wavelengths by factor and
// blends the middle band; yarn blends interpolation and extrapolation over the
// dimensions between its beta_fast and beta_slow rotations. For dynamic NTK the
// base depends on the longest sequence: pass its positions [B, T] (seq_len =
// max position + 1, computed on the device without a host sync); without
// them seq_len is max_position_embeddings (HF's value at initialisation).
torch::Tensor rope_inv_freq(const TransformerOptions& options, torch::Device device = torch::kCPU,
                            const torch::Tensor& positions = {});
// The cos/sin multiplier: yarn's attention factor, 1 for every other type.
double rope_attention_factor(const TransformerOptions& options);

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const TransformerOptions& options, const torch::TensorOptions& tensor_options = {});
  // x [B, T, hidden]; mask [B, 1, G*T, Tk] bool (true: may attend), the
  // [B, 1, T, Tk] mask repeated for the G query heads sharing a key head (see
  // grouped_mask). With a cache view the new keys/values are written to the
  // cache and all Tk cached keys are attended; without one Tk == T.
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                        CacheView* cache, size_t layer);
  Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
 private:
  int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const TransformerOptions& options, const torch::TensorOptions& tensor_options = {});
  torch::Tensor forward(const torch::Tensor& x);  // down(silu(gate(x)) * up(x))
  Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const TransformerOptions& options, const torch::TensorOptions& tensor_options = {});
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask,
                        CacheView* cache, size_t layer);
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// HF's inner "model": embeddings, layers, final norm.
class DecoderStackImpl : public torch::nn::Module {
 public:
  DecoderStackImpl(const TransformerOptions& options, const torch::TensorOptions& tensor_options = {});
  Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(DecoderStack);

// Everything one forward call needs besides the token ids.
struct ForwardArgs {
  torch::Tensor ids;        // [B, T] int64
  torch::Tensor positions;  // [B, T] int64 rotary positions
  torch::Tensor mask;       // [B, 1, T, Tk] bool
  CacheView* cache = nullptr;
  bool logits = true;       // false: only the final hidden states (saves the vocabulary projection)
};

struct TransformerOutput {
  torch::Tensor logits;  // [B, T, vocab] in the model dtype; undefined when not asked for
  torch::Tensor hidden;  // [B, T, hidden] after the final norm
};

class TransformerImpl : public torch::nn::Module {
 public:
  // Parameters in params.dtype on params.device; drawn as initialize(0) does
  // unless params.initialize is false (load_checkpoint fills them).
  explicit TransformerImpl(TransformerOptions options, const ParameterOptions& params = {});

  // HF-style call: attention_mask [B, T] (1 = token, 0 = padding; left or right
  // padding), positions counted over real tokens only. Undefined mask: no padding.
  TransformerOutput forward(const torch::Tensor& ids, const torch::Tensor& attention_mask = {});
  // Every tensor is checked against the model (TORCH_CHECK naming the
  // argument, its dtype/device and the model's): ids int64, positions int64,
  // mask bool, all on the model's device; a cache in the model's dtype there.
  TransformerOutput run(const ForwardArgs& args);

  // hidden [.., hidden] -> logits [.., vocab] through lm_head (or the tied embedding).
  torch::Tensor project(const torch::Tensor& hidden);
  // The [vocab, hidden] matrix project() multiplies by.
  torch::Tensor output_weight();

  // Re-draws all parameters as HF does (normal(0, initializer_range), zero
  // biases, unit norms) from a generator seeded with `seed`.
  void initialize(uint64_t seed);

  const TransformerOptions& options() const { return options_; }
  torch::Dtype dtype() const;
  torch::Device device() const;

  DecoderStack model{nullptr};
  Linear lm_head{nullptr};  // null when tie_word_embeddings

 private:
  TransformerOptions options_;
  torch::Tensor inv_freq_;  // [head_dim/2] float32 on the construction device (not dynamic)
};
TORCH_MODULE(Transformer);

// Padding helpers shared by forward() and the trainer.
// positions[b, t] = (number of real tokens before t in row b), 0 on padding.
torch::Tensor positions_from_mask(const torch::Tensor& attention_mask);
// [B, 1, T, T]: causal, real keys only; every query may also see itself so no row is empty.
torch::Tensor causal_mask(const torch::Tensor& attention_mask, int64_t length, torch::Device device);

// [B, 1, T, Tk] -> [B, 1, G*T, Tk], the layout grouped-query attention uses.
torch::Tensor grouped_mask(const torch::Tensor& mask, int64_t groups);

torch::Dtype parse_dtype(const std::string& name);  // "float32" | "bfloat16" | "float16"

}  // namespace clinrl::model
