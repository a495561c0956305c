#pragma once
// The shape of a Qwen2/Llama decoder-only transformer, read from and written
// to HuggingFace's config.json. No libtorch here: `clinrl model info` and the
// trainer config use it without building a model.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"

namespace clinrl::model {

// config.json's rope_scaling: how rotary frequencies are stretched for long
// contexts, with HF's formulas (modeling_rope_utils). Fields not used by the
// type keep their defaults and are not written back.
struct RopeScaling {
  std::string type;                          // "" (none) | "linear" | "dynamic" | "yarn" | "llama3"
  double factor = 1.0;                       // every type: >= 1
  double low_freq_factor = 1.0;              // llama3
  double high_freq_factor = 4.0;             // llama3: > low_freq_factor
  int64_t original_max_position_embeddings = 0;  // llama3 (required), yarn (0: max_position_embeddings)
  double beta_fast = 32.0, beta_slow = 1.0;  // yarn: rotations bounding the ramp
  std::optional<double> attention_factor;    // yarn: cos/sin multiplier (default 0.1 ln(factor) + 1)
  double mscale = 0.0, mscale_all_dim = 0.0; // yarn (DeepSeek-style): both set -> attention factor ratio
  bool truncate = true;                      // yarn: floor/ceil the ramp bounds

  bool enabled() const { return !type.empty(); }
  // Throws std::invalid_argument naming the field.
  void validate() const;
};

struct TransformerOptions {
  std::string arch = "qwen2";          // "qwen2" (Qwen2ForCausalLM) or "llama" (LlamaForCausalLM)
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;       // SwiGLU inner width
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;     // grouped-query attention; == heads for plain MHA
  int64_t head_dim = 0;                // 0: hidden_size / num_attention_heads
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  int64_t max_position_embeddings = 2048;
  bool tie_word_embeddings = false;
  bool qkv_bias = true;                // Qwen2: q/k/v projections carry a bias
  bool o_bias = false;                 // Llama's attention_bias also puts one on o_proj
  bool mlp_bias = false;
  double initializer_range = 0.02;
  std::string torch_dtype = "float32"; // "float32" | "bfloat16" | "float16"
  std::vector<int64_t> eos_token_ids;  // from config.json's eos_token_id (int or list)
  int64_t bos_token_id = -1;

  int64_t effective_head_dim() const { return head_dim > 0 ? head_dim : hidden_size / num_attention_heads; }

  // Throws std::invalid_argument naming the field.
  void validate() const;
};

// Reads an HF config.json object; `source` names the file in errors (UserError).
TransformerOptions options_from_hf_config(const core::Json& config, const std::string& source);
TransformerOptions load_hf_config(const std::filesystem::path& path);
// The HF config.json for these options (architectures, model_type, ...).
core::Json to_hf_config(const TransformerOptions& options);

// Parameter count of the model these options describe (tied embeddings counted once).
int64_t parameter_count(const TransformerOptions& options);

}  // namespace clinrl::model
