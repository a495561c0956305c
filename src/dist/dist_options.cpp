#include "clinrl/dist/dist_options.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "clinrl/core/strings.h"

namespace clinrl::dist {

void DistOptions::validate() const {
  if (!(timeout_seconds > 0))
    throw std::invalid_argument(core::format("timeout_seconds must be > 0, got {}", timeout_seconds));
  if (!(bucket_mb > 0)) throw std::invalid_argument(core::format("bucket_mb must be > 0, got {}", bucket_mb));
  if (threads < 0) throw std::invalid_argument(core::format("threads must be >= 0 (0 = cores / processes), got {}", threads));
}

int threads_per_process(int configured, int local_world_size) {
  if (configured > 0) return configured;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, local_world_size));
}

}  // namespace clinrl::dist
