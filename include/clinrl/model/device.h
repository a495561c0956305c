#pragma once
// Device and dtype names, checked in one place so config keys and command-line
// flags accept the same spellings and report a bad one the same way.
#include <torch/torch.h>

#include <string>

namespace clinrl::model {
// "cpu" | "cuda" | "cuda:N": a UserError naming `what` (a flag or config key) otherwise.
void check_device_name(const std::string& name, const std::string& what);
// "float32" | "bfloat16" | "float16" (also accepts the short forms parse_dtype accepts): a UserError naming `what` otherwise.
void check_dtype_name(const std::string& name, const std::string& what);
torch::Device parse_device(const std::string& name);  // after check_device_name
}  // namespace clinrl::model
