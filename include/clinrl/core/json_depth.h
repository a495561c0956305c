#pragma once
// The nesting limit of JSON a user supplies. nlohmann parses iteratively but
// copies, compares and prints values recursively, so a document nested deep
// enough (a few hundred kilobytes of '[') overflows the stack long after it
// was parsed. Every parser of user JSON checks the depth first.
#include <string_view>

namespace clinrl::core {

inline constexpr int kMaxJsonDepth = 64;

// Deepest nesting of arrays/objects in `text` (brackets inside strings
// skipped); stops scanning once it passes `cap`. No parsing.
int json_nesting_depth(std::string_view text, int cap = kMaxJsonDepth);

}  // namespace clinrl::core
