#include "clinrl/rl/verifier_options.h"

#include "clinrl/core/config.h"

namespace clinrl::rl {

void JudgeConfig::validate() const {
  backend.validate();
  grading.validate();
  core::check_range("max_ungraded_fraction", max_ungraded_fraction, 0, 1);
}

}  // namespace clinrl::rl
