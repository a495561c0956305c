#pragma once
// The process's peak resident memory (VmHWM of /proc/self/status), for the
// figures a load, a training step and the benchmarks report.
#include <optional>
#include <string>

namespace clinrl::core {

// VmHWM in MiB; null where /proc/self/status is unreadable (not Linux).
std::optional<double> peak_resident_mb();

// Starts a new high-water-mark window ("5" into /proc/self/clear_refs, Linux
// >= 4.0); where the kernel refuses, the peak stays the process's own.
void reset_peak_resident();

// VmHWM of /proc/self/status text ("VmHWM:   123456 kB") in MiB; null when absent or malformed.
std::optional<double> parse_vm_hwm_mb(const std::string& status_text);

}  // namespace clinrl::core
