#include "clinrl/core/process_memory.h"

#include <fstream>
#include <sstream>

namespace clinrl::core {

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

std::optional<double> peak_resident_mb() {
  std::ifstream status("/proc/self/status");
  if (!status) return std::nullopt;
  std::stringstream text;
  text << status.rdbuf();
  return parse_vm_hwm_mb(text.str());
}

void reset_peak_resident() {
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";
}

}  // namespace clinrl::core
