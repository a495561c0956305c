#pragma once
// Device and dtype names, checked in one place so config keys and command-line
// flags accept the same spellings and report a bad one the same way.
#include <torch/torch.h>

#include <string>

namespace clinrl::model {
// "cpu" | "cuda" | "cuda:N": a UserError naming `what` (a flag or config key) otherwise.
void check_device_name(const std::string& name, const std::string& what);
// "float32" | "bfloat16" | "float16" | "auto" (also the short forms fp32, bf16,
// fp16): a UserError naming `what` otherwise.
void check_dtype_name(const std::string& name, const std::string& what);
torch::Device parse_device(const std::string& name);  // after check_device_name

// The dtype a model is loaded in, as its full name ("float32", "bfloat16",
// "float16"): "auto" is bfloat16 on CUDA (what pretrained checkpoints ship
// in, and what its tensor cores run fastest) and float32 on the CPU (where
// bf16 matmuls are slow and lose precision for nothing). Both names checked.
std::string resolve_dtype_name(const std::string& dtype, const std::string& device);
torch::Dtype resolve_dtype(const std::string& dtype, const std::string& device);
}  // namespace clinrl::model
