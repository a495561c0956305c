#include "clinrl/core/backend_options.h"

#include "clinrl/core/config.h"

namespace clinrl::core {

void BackendOptions::validate() const {
  check_range("concurrency", concurrency, 1, 1024);
  check_range("timeout_s", timeout_s, 0.001, 86400);
  check_range("max_retries", max_retries, 0, 100);
}

}  // namespace clinrl::core
