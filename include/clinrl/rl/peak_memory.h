#pragma once
// Peak memory of a training step, for metrics.jsonl: the host's resident set
// high-water mark (VmHWM in /proc/self/status; reset per step through
// /proc/self/clear_refs where the kernel allows, else the process's peak) and,
// on CUDA, the caching allocator's peak allocated bytes on the policy's device.
#include <optional>

#include <torch/torch.h>

namespace clinrl::rl {

struct PeakMemory {
  std::optional<double> host_mb;    // null where /proc/self/status is unreadable
  std::optional<double> device_mb;  // CUDA only
};

// Starts a new measurement window (the step's).
void reset_peak_memory(torch::Device device);
// The peaks since the last reset_peak_memory.
PeakMemory read_peak_memory(torch::Device device);

}  // namespace clinrl::rl
