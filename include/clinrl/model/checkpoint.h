#pragma once
// Checkpoint directories in HuggingFace layout: config.json,
// model.safetensors (or shards with model.safetensors.index.json) and
// tokenizer.json; HF checkpoints load here and ours load in HF.
#include <filesystem>
#include <optional>

#include "clinrl/model/safetensors.h"
#include "clinrl/model/transformer.h"

namespace clinrl::model {

// Loads config and weights; every model parameter must be present with its
// exact shape (UserError naming the tensor otherwise). The model's parameters
// are created uninitialised in `dtype` on `device` and each stored tensor is
// converted straight into its parameter from the mapped file, one at a time:
// no random initialisation, no float32 copy of a bf16 checkpoint, no second
// resident copy of the file. Logs the peak host memory (VmHWM) when done.

Transformer load_checkpoint(const std::filesystem::path& dir, torch::Dtype dtype = torch::kFloat32,
                            torch::Device device = torch::kCPU);

// Copies every tensor of `tensors` into the model's parameters with the same
// HF name; `source` names the file(s) in errors.
void load_state(Transformer& model, const std::map<std::string, torch::Tensor>& tensors, const std::string& source);

// The model's tensors under HF names in its own dtype (lm_head omitted when tied).
NamedTensors state_tensors(Transformer& model);

// Writes the directory atomically (staged next to it, then swapped in):
// config.json, model.safetensors, and a copy of `tokenizer` when given.
void save_checkpoint(Transformer& model, const std::filesystem::path& dir,
                     const std::optional<std::filesystem::path>& tokenizer = std::nullopt);

}  // namespace clinrl::model
