#include "clinrl/rl/peak_memory.h"

#include "clinrl/core/process_memory.h"

// Only a CUDA libtorch has c10_cuda; CMake defines this for that build.
#if defined(CLINRL_HAVE_C10_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace clinrl::rl {

void reset_peak_memory(torch::Device device) {
  core::reset_peak_resident();
#if defined(CLINRL_HAVE_C10_CUDA)
  if (device.is_cuda() && torch::cuda::is_available())
    c10::cuda::CUDACachingAllocator::resetPeakStats(device.has_index() ? device.index() : 0);
#endif
}

PeakMemory read_peak_memory(torch::Device device) {
  PeakMemory out;
  out.host_mb = core::peak_resident_mb();
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
