#include "deprecated.h"

#include <iostream>

namespace clinrl::cli {

void warn_deprecated(const std::string& old_spelling, const std::string& replacement) {
  std::cerr << "clinrl: " << old_spelling << " is deprecated, use " << replacement << "\n";
}

}  // namespace clinrl::cli
