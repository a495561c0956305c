#include "clinrl/model/transformer_options.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::model {

void RopeScaling::validate() const {
  if (type.empty()) return;
  if (type != "linear" && type != "dynamic" && type != "yarn" && type != "llama3")
    throw std::invalid_argument(
        core::format("rope_scaling type '{}' is not supported (expected linear, dynamic, yarn or llama3)", type));
  if (!(factor >= 1.0) || !std::isfinite(factor))
    throw std::invalid_argument(core::format("rope_scaling.factor must be a finite number >= 1, got {}", factor));
  if (original_max_position_embeddings < 0)
    throw std::invalid_argument(core::format("rope_scaling.original_max_position_embeddings must be positive, got {}",
                                             original_max_position_embeddings));
  if (type == "llama3") {
    if (original_max_position_embeddings <= 0)
      throw std::invalid_argument("rope_scaling.original_max_position_embeddings must be positive for llama3");
    if (!(low_freq_factor > 0) || !std::isfinite(low_freq_factor))
      throw std::invalid_argument(core::format("rope_scaling.low_freq_factor must be positive, got {}", low_freq_factor));
    if (!(high_freq_factor > low_freq_factor) || !std::isfinite(high_freq_factor))
      throw std::invalid_argument(core::format("rope_scaling.high_freq_factor ({}) must be greater than low_freq_factor ({})",
                                               high_freq_factor, low_freq_factor));
  }
  if (type == "yarn") {
    if (!(beta_slow > 0) || !std::isfinite(beta_slow))
      throw std::invalid_argument(core::format("rope_scaling.beta_slow must be positive, got {}", beta_slow));
    if (!(beta_fast >= beta_slow) || !std::isfinite(beta_fast))
      throw std::invalid_argument(
          core::format("rope_scaling.beta_fast ({}) must be at least beta_slow ({})", beta_fast, beta_slow));
    if (attention_factor && (!(*attention_factor > 0) || !std::isfinite(*attention_factor)))
      throw std::invalid_argument(core::format("rope_scaling.attention_factor must be positive, got {}", *attention_factor));
    if (!(mscale >= 0) || !(mscale_all_dim >= 0))
      throw std::invalid_argument("rope_scaling.mscale and mscale_all_dim must be non-negative");
  }
}

void TransformerOptions::validate() const {
  auto positive = [](const char* name, int64_t v) {
    if (v <= 0) throw std::invalid_argument(core::format("{} must be positive, got {}", name, v));
  };
  if (arch != "qwen2" && arch != "llama")
    throw std::invalid_argument(core::format("arch must be qwen2 or llama, got '{}'", arch));
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("intermediate_size", intermediate_size);
  positive("num_hidden_layers", num_hidden_layers);
  positive("num_attention_heads", num_attention_heads);
  positive("num_key_value_heads", num_key_value_heads);
  positive("max_position_embeddings", max_position_embeddings);
  if (num_attention_heads % num_key_value_heads != 0)
    throw std::invalid_argument(core::format("num_attention_heads ({}) must be a multiple of num_key_value_heads ({})",
                                             num_attention_heads, num_key_value_heads));
  if (head_dim == 0 && hidden_size % num_attention_heads != 0)
    throw std::invalid_argument(core::format("hidden_size ({}) must be a multiple of num_attention_heads ({})",
                                             hidden_size, num_attention_heads));
  if (effective_head_dim() % 2 != 0)
    throw std::invalid_argument(core::format("head_dim must be even for rotary embeddings, got {}", effective_head_dim()));
  if (!(rms_norm_eps > 0)) throw std::invalid_argument("rms_norm_eps must be positive");
  if (!(rope_theta > 0)) throw std::invalid_argument("rope_theta must be positive");
  rope_scaling.validate();
  if (torch_dtype != "float32" && torch_dtype != "bfloat16" && torch_dtype != "float16")
    throw std::invalid_argument(core::format("torch_dtype must be float32, bfloat16 or float16, got '{}'", torch_dtype));
}

namespace {

template <class T>
void read_key(const core::Json& j, const char* key, T& out, const std::string& source, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw UserError(core::format("{}: missing required key '{}'", source, key));
    return;
  }
  try {
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) throw std::invalid_argument("a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) throw std::invalid_argument("an integer");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!it->is_number()) throw std::invalid_argument("a number");
    } else {
      if (!it->is_string()) throw std::invalid_argument("a string");
    }
    out = it->get<T>();
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("{}: key '{}' must be {}, got {}", source, key, e.what(), it->dump()));
  }
}

// config.json's rope_scaling object. The type comes from `rope_type` or the
// legacy `type` (HF reads both); keys a type does not use are refused rather
// than ignored, so a config is never run with a setting silently dropped.
RopeScaling read_rope_scaling(const core::Json& r, const std::string& source) {
  if (!r.is_object())
    throw UserError(core::format("{}: rope_scaling must be an object or null, got {}", source, r.dump()));
  RopeScaling s;
  const std::string where = source + ": rope_scaling";
  std::string type, legacy;
  read_key(r, "rope_type", type, where, false);
  read_key(r, "type", legacy, where, false);
  if (!type.empty() && !legacy.empty() && type != legacy)
    throw UserError(core::format("{}: rope_scaling has rope_type '{}' and type '{}'; they must agree", source, type, legacy));
  if (type.empty()) type = legacy;
  if (type.empty())
    throw UserError(core::format("{}: rope_scaling needs 'rope_type' (or the legacy 'type'), got {}", source, r.dump()));
  if (type == "default") return s;  // HF's name for unscaled rotary embeddings
  std::set<std::string> allowed;
  if (type == "linear") allowed = {"factor"};
  else if (type == "dynamic") allowed = {"factor", "original_max_position_embeddings"};
  else if (type == "yarn")
    allowed = {"factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor", "mscale",
               "mscale_all_dim", "truncate"};
  else if (type == "llama3")
    allowed = {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"};
  else
    throw UserError(core::format("{}: rope_scaling type '{}' is not supported (expected linear, dynamic, yarn or llama3)",
                                 source, type));
  for (auto it = r.begin(); it != r.end(); ++it)
    if (it.key() != "rope_type" && it.key() != "type" && !allowed.count(it.key()))
      throw UserError(core::format("{}: rope_scaling key '{}' is not used by type '{}' (accepted: {})", source, it.key(),
                                   type, core::join(std::vector<std::string>(allowed.begin(), allowed.end()), ", ")));
  s.type = type;
  const bool llama3 = type == "llama3";
  read_key(r, "factor", s.factor, where, true);
  read_key(r, "original_max_position_embeddings", s.original_max_position_embeddings, where, llama3);
  read_key(r, "low_freq_factor", s.low_freq_factor, where, llama3);
  read_key(r, "high_freq_factor", s.high_freq_factor, where, llama3);
  read_key(r, "beta_fast", s.beta_fast, where, false);
  read_key(r, "beta_slow", s.beta_slow, where, false);
  double attention_factor = 0;
  if (r.contains("attention_factor") && !r["attention_factor"].is_null()) {
    read_key(r, "attention_factor", attention_factor, where, true);
    s.attention_factor = attention_factor;
  }
  read_key(r, "mscale", s.mscale, where, false);
  read_key(r, "mscale_all_dim", s.mscale_all_dim, where, false);
  read_key(r, "truncate", s.truncate, where, false);
  return s;
}

core::Json write_rope_scaling(const RopeScaling& s) {
  core::Json j = core::Json::object();
  // linear/dynamic keep the legacy two-key form transformers 4.40 accepts;
  // newer types use rope_type, which is what introduced them.
  if (s.type == "linear" || s.type == "dynamic") j["type"] = s.type;
  else j["rope_type"] = s.type;
  j["factor"] = s.factor;
  if (s.original_max_position_embeddings > 0) j["original_max_position_embeddings"] = s.original_max_position_embeddings;
  if (s.type == "llama3") {
    j["low_freq_factor"] = s.low_freq_factor;
    j["high_freq_factor"] = s.high_freq_factor;
  }
  if (s.type == "yarn") {
    j["beta_fast"] = s.beta_fast;
    j["beta_slow"] = s.beta_slow;
    if (s.attention_factor) j["attention_factor"] = *s.attention_factor;
    if (s.mscale > 0) j["mscale"] = s.mscale;
    if (s.mscale_all_dim > 0) j["mscale_all_dim"] = s.mscale_all_dim;
    if (!s.truncate) j["truncate"] = false;
  }
  return j;
}

}  // namespace

TransformerOptions options_from_hf_config(const core::Json& j, const std::string& source) {
  if (!j.is_object()) throw UserError(core::format("{}: expected a JSON object (an HF config.json)", source));
  TransformerOptions o;
  std::string model_type;
  read_key(j, "model_type", model_type, source, false);
  std::string architecture;
  if (auto it = j.find("architectures"); it != j.end() && it->is_array() && !it->empty() && (*it)[0].is_string())
    architecture = (*it)[0].get<std::string>();
  if (model_type == "qwen2" || architecture == "Qwen2ForCausalLM") {
    o.arch = "qwen2";
    o.qkv_bias = true;
    o.o_bias = false;
  } else if (model_type == "llama" || architecture == "LlamaForCausalLM") {
    o.arch = "llama";
    bool attention_bias = false;
    read_key(j, "attention_bias", attention_bias, source, false);
    o.qkv_bias = o.o_bias = attention_bias;
    read_key(j, "mlp_bias", o.mlp_bias, source, false);
  } else {
    throw UserError(core::format("{}: unsupported model_type '{}' / architecture '{}' (expected qwen2 or llama)",
                                 source, model_type, architecture));
  }
  read_key(j, "vocab_size", o.vocab_size, source, true);
  read_key(j, "hidden_size", o.hidden_size, source, true);
  read_key(j, "intermediate_size", o.intermediate_size, source, true);
  read_key(j, "num_hidden_layers", o.num_hidden_layers, source, true);
  read_key(j, "num_attention_heads", o.num_attention_heads, source, true);
  o.num_key_value_heads = o.num_attention_heads;
  read_key(j, "num_key_value_heads", o.num_key_value_heads, source, false);
  read_key(j, "head_dim", o.head_dim, source, false);
  read_key(j, "rms_norm_eps", o.rms_norm_eps, source, false);
  read_key(j, "rope_theta", o.rope_theta, source, false);
  read_key(j, "max_position_embeddings", o.max_position_embeddings, source, false);
  read_key(j, "tie_word_embeddings", o.tie_word_embeddings, source, false);
  read_key(j, "initializer_range", o.initializer_range, source, false);
  read_key(j, "torch_dtype", o.torch_dtype, source, false);
  read_key(j, "bos_token_id", o.bos_token_id, source, false);
  if (auto it = j.find("eos_token_id"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      o.eos_token_ids.push_back(it->get<int64_t>());
    } else if (it->is_array()) {
      for (const auto& v : *it) {
        if (!v.is_number_integer())
          throw UserError(core::format("{}: eos_token_id must be an integer or a list of integers", source));
        o.eos_token_ids.push_back(v.get<int64_t>());
      }
    } else {
      throw UserError(core::format("{}: eos_token_id must be an integer or a list of integers", source));
    }
  }
  if (auto it = j.find("rope_scaling"); it != j.end() && !it->is_null()) o.rope_scaling = read_rope_scaling(*it, source);
  if (auto it = j.find("hidden_act"); it != j.end() && it->is_string() && it->get<std::string>() != "silu")
    throw UserError(core::format("{}: hidden_act must be silu, got {}", source, it->dump()));
  if (auto it = j.find("use_sliding_window"); it != j.end() && it->is_boolean() && it->get<bool>())
    throw UserError(core::format("{}: use_sliding_window=true is not supported", source));
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("{}: {}", source, e.what()));
  }
  return o;
}

TransformerOptions load_hf_config(const std::filesystem::path& path) {
  return options_from_hf_config(core::read_json_file(path), path.string());
}

core::Json to_hf_config(const TransformerOptions& o) {
  core::Json j = core::Json::object();
  bool qwen = o.arch == "qwen2";
  j["architectures"] = core::Json::array({qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM"});
  j["model_type"] = o.arch;
  j["hidden_act"] = "silu";
  j["vocab_size"] = o.vocab_size;
  j["hidden_size"] = o.hidden_size;
  j["intermediate_size"] = o.intermediate_size;
  j["num_hidden_layers"] = o.num_hidden_layers;
  j["num_attention_heads"] = o.num_attention_heads;
  j["num_key_value_heads"] = o.num_key_value_heads;
  if (o.head_dim > 0) j["head_dim"] = o.head_dim;
  j["rms_norm_eps"] = o.rms_norm_eps;
  j["rope_theta"] = o.rope_theta;
  if (o.rope_scaling.enabled()) j["rope_scaling"] = write_rope_scaling(o.rope_scaling);
  j["max_position_embeddings"] = o.max_position_embeddings;
  j["tie_word_embeddings"] = o.tie_word_embeddings;
  if (!qwen) {
    j["attention_bias"] = o.qkv_bias;
    j["mlp_bias"] = o.mlp_bias;
  } else {
    j["use_sliding_window"] = false;
  }
  j["initializer_range"] = o.initializer_range;
  j["torch_dtype"] = o.torch_dtype;
  if (o.bos_token_id >= 0) j["bos_token_id"] = o.bos_token_id;
  if (o.eos_token_ids.size() == 1) j["eos_token_id"] = o.eos_token_ids[0];
  else if (!o.eos_token_ids.empty()) j["eos_token_id"] = o.eos_token_ids;
  j["use_cache"] = true;
  return j;
}

int64_t parameter_count(const TransformerOptions& o) {
  int64_t h = o.hidden_size, d = o.effective_head_dim();
  int64_t q = o.num_attention_heads * d, kv = o.num_key_value_heads * d;
  int64_t attention = h * q + 2 * h * kv + q * h;
  if (o.qkv_bias) attention += q + 2 * kv;
  if (o.o_bias) attention += h;
  int64_t mlp = 3 * h * o.intermediate_size;
  if (o.mlp_bias) mlp += 2 * o.intermediate_size + h;
  int64_t layer = attention + mlp + 2 * h;
  int64_t embed = o.vocab_size * h;
  return embed + o.num_hidden_layers * layer + h + (o.tie_word_embeddings ? 0 : embed);
}

}  // namespace clinrl::model
