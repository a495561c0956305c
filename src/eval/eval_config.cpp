#include "clinrl/eval/eval_config.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/model/device.h"

namespace clinrl::eval {

void GenerationOptions::validate() const {
  core::check_range("temperature", temperature, 0, 5);
  core::check_positive("max_tokens", max_tokens);
  core::check_range("batch_size", batch_size, 1, 65536);
}

void EvalConfig::validate() const {
  core::check_choice("grader", grader, {"rules", "llm", "mixed"});
  core::check_range("n_repeats", n_repeats, 1, 1000);
  if (examples < 0) throw std::invalid_argument(core::format("examples must be >= 0 (0 = all), got {}", examples));
}

}  // namespace clinrl::eval
