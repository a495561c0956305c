#include "clinrl/model/checkpoint.h"

#include <cmath>
#include <set>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/process_memory.h"
#include "clinrl/core/strings.h"

namespace clinrl::model {

namespace fs = std::filesystem;

namespace {

// What a stored tensor must agree on with the parameter it fills.
struct StoredMeta {
  std::vector<int64_t> shape;
  bool floating = true;
  std::string dtype;
};

// Every parameter present with its shape and a float dtype; nothing left over
// except what HF checkpoints carry harmlessly. Checked before any value is read.
void check_stored(Transformer& model, const std::map<std::string, StoredMeta>& stored, const std::string& source) {
  std::set<std::string> used;
  for (auto& item : model->named_parameters()) {
    const auto& name = item.key();
    auto it = stored.find(name);
    if (it == stored.end()) throw UserError(core::format("{}: missing tensor '{}'", source, name));
    const auto& p = item.value();
    if (c10::IntArrayRef(it->second.shape) != p.sizes())
      throw UserError(core::format("{}: tensor '{}' has shape {} but the config needs {}", source, name,
                                   c10::IntArrayRef(it->second.shape), p.sizes()));
    if (!it->second.floating)
      throw UserError(core::format("{}: tensor '{}' has non-float dtype {}", source, name, it->second.dtype));
    used.insert(name);
  }
  for (const auto& [name, meta] : stored) {
    if (used.count(name)) continue;
    if (name == "lm_head.weight" && model->options().tie_word_embeddings) continue;  // some tied checkpoints keep it
    if (core::ends_with(name, "rotary_emb.inv_freq")) continue;  // buffers older HF Llama saved
    throw UserError(core::format("{}: unexpected tensor '{}' (not a parameter of this config)", source, name));
  }
}

const char* dtype_label(torch::Dtype d) {
  return d == torch::kBFloat16 ? "bfloat16" : d == torch::kFloat16 ? "float16" : d == torch::kFloat32 ? "float32"
                                                                                                        : "other";
}

}  // namespace

void load_state(Transformer& model, const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
  std::map<std::string, StoredMeta> metas;
  for (const auto& [name, t] : tensors)
    metas[name] = {t.sizes().vec(), t.is_floating_point(), c10::toString(t.scalar_type())};
  check_stored(model, metas, source);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) item.value().copy_(tensors.at(item.key()));
}

Transformer load_checkpoint(const fs::path& dir, torch::Dtype dtype, torch::Device device) {
  auto options = load_hf_config(dir / "config.json");
  fs::path weights = dir / "model.safetensors";
  if (!fs::exists(weights) && fs::exists(dir / "model.safetensors.index.json"))
    weights = dir / "model.safetensors.index.json";
  if (!fs::exists(weights))
    throw UserError(core::format("{}: no model.safetensors or model.safetensors.index.json", dir.string()));
  auto stored = SafetensorsCheckpoint::open(weights);
  std::map<std::string, StoredMeta> metas;
  for (const auto& name : stored.names()) {
    const auto& info = stored.info(name);
    auto type = to_scalar_type(info.dtype);
    metas[name] = {info.shape, c10::isFloatingType(type), dtype_name(info.dtype)};
  }
  // Parameters are born uninitialised in the target dtype on the target
  // device; each stored tensor then goes straight into its parameter.
  Transformer model(options, ParameterOptions{dtype, device, /*initialize=*/false});
  check_stored(model, metas, weights.string());
  for (auto& item : model->named_parameters()) stored.read_into(item.key(), item.value());
  const auto peak = core::peak_resident_mb();
  log::info("loaded {} ({} parameters) as {} on {}; peak host memory (VmHWM) {}", dir.string(),
            parameter_count(options), dtype_label(dtype), device.str(),
            peak ? core::format("{} MiB", std::round(*peak * 10) / 10) : std::string("unknown"));
  return model;
}

NamedTensors state_tensors(Transformer& model) {
  NamedTensors out;
  for (auto& item : model->named_parameters()) out.emplace_back(item.key(), item.value().detach());
  return out;
}

void save_checkpoint(Transformer& model, const fs::path& dir, const std::optional<fs::path>& tokenizer) {
  if (tokenizer && !fs::is_regular_file(*tokenizer))
    throw UserError(core::format("{}: tokenizer file not found", tokenizer->string()));
  fs::path target = fs::absolute(dir);
  if (target.filename().empty()) target = target.parent_path();
  fs::create_directories(target.parent_path());
  fs::path staged = core::sibling_temp_path(target);
  fs::create_directories(staged);
  try {
    auto options = model->options();
    auto dtype = model->dtype();
    options.torch_dtype = dtype == torch::kBFloat16 ? "bfloat16" : dtype == torch::kFloat16 ? "float16" : "float32";
    core::write_json_file_atomic(staged / "config.json", to_hf_config(options));
    save_safetensors(staged / "model.safetensors", state_tensors(model), {{"format", "pt"}});
    if (tokenizer) core::write_file_atomic(staged / "tokenizer.json", core::read_file(*tokenizer));
    core::replace_directory_atomic(staged, target);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged, ec);
    throw;
  }
}

}  // namespace clinrl::model
