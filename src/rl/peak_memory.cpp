#include "clinrl/rl/peak_memory.h"

#include <fstream>
#include <sstream>
#include <string>

// Only a CUDA libtorch has c10_cuda; CMake defines this for that build.
#if defined(CLINRL_HAVE_C10_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace clinrl::rl {

std::optional<double> parse_vm_hwm_mb(const std::string& status_text) {
  std::istringstream in(status_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    double kb = 0;
    std::string unit;
    if (fields >> kb >> unit && unit == "kB") return kb / 1024.0;
    return std::nullopt;
  }
  return std::nullopt;
}

void reset_peak_memory(torch::Device device) {
  // "5" resets the resident-set high-water mark (Linux >= 4.0); a failure keeps the process's peak.
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";
#if defined(CLINRL_HAVE_C10_CUDA)
  if (device.is_cuda() && torch::cuda::is_available())
    c10::cuda::CUDACachingAllocator::resetPeakStats(device.has_index() ? device.index() : 0);
#endif
}

PeakMemory read_peak_memory(torch::Device device) {
  PeakMemory out;
  std::ifstream status("/proc/self/status");
  if (status) {
    std::stringstream text;
    text << status.rdbuf();
    out.host_mb = parse_vm_hwm_mb(text.str());
  }
#if defined(CLINRL_HAVE_C10_CUDA)
  if (device.is_cuda() && torch::cuda::is_available()) {
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.has_index() ? device.index() : 0);
    const auto aggregate = static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE);
    out.device_mb = static_cast<double>(stats.allocated_bytes[aggregate].peak) / (1024.0 * 1024.0);
  }
#endif
  return out;
}

}  // namespace clinrl::rl
