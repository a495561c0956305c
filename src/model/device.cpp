#include "clinrl/model/device.h"

#include <algorithm>
#include <cctype>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/chat_model_options.h"
#include "clinrl/model/transformer.h"

namespace clinrl::model {

void check_device_name(const std::string& name, const std::string& what) {
  if (name == "cpu" || name == "cuda") return;
  const std::string prefix = "cuda:";
  if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
      std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; }))
    return;
  throw UserError(core::format("{}: '{}' is not a device (expected cpu, cuda or cuda:N)", what, name));
}

void check_dtype_name(const std::string& name, const std::string& what) {
  for (const char* known : {"float32", "fp32", "bfloat16", "bf16", "float16", "fp16", "auto"})
    if (name == known) return;
  throw UserError(core::format(
      "{}: unknown dtype '{}' (expected float32, bfloat16 or float16, or auto: bfloat16 on CUDA, float32 on CPU)",
      what, name));
}

torch::Device parse_device(const std::string& name) {
  check_device_name(name, "device");
  return torch::Device(name);
}

std::string resolve_dtype_name(const std::string& dtype, const std::string& device) {
  check_dtype_name(dtype, "dtype");
  check_device_name(device, "device");
  if (dtype == "auto") return device == "cpu" ? "float32" : "bfloat16";
  if (dtype == "fp32") return "float32";
  if (dtype == "bf16") return "bfloat16";
  if (dtype == "fp16") return "float16";
  return dtype;
}

torch::Dtype resolve_dtype(const std::string& dtype, const std::string& device) {
  return parse_dtype(resolve_dtype_name(dtype, device));
}

std::string ChatModelOptions::resolved_dtype() const { return resolve_dtype_name(dtype, device); }

}  // namespace clinrl::model
