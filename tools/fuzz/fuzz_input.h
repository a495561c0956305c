#pragma once
// Shared by the libFuzzer targets: splitting one input into the several files
// or fields a parser reads, writing them to a per-process scratch directory,
// and the rule every target checks: the parser either succeeds or throws one
// of the project's documented error types. Anything else escaping (a
// nlohmann::json exception, std::out_of_range, ...) reaches libFuzzer as an
// uncaught exception, which it reports as a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "clinrl/core/error.h"

namespace clinrl::fuzz {

// Parts of the input separated by a line "----" (the seed scripts write
// multi-file inputs this way); at most `max_parts`, the last keeps the rest.
inline std::vector<std::string> split_parts(const uint8_t* data, size_t size, size_t max_parts) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static constexpr std::string_view kSep = "\n----\n";
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = in.find(kSep);
    if (at == std::string_view::npos) break;
    parts.emplace_back(in.substr(0, at));
    in.remove_prefix(at + kSep.size());
  }
  parts.emplace_back(in);
  return parts;
}

// A scratch directory of this process (files are overwritten each run).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path d = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
                              ("clinrl-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::filesystem::path write_scratch(const std::string& name, std::string_view bytes) {
  auto path = scratch_dir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Runs `f`; UserError (ConfigError included) is the documented way to refuse
// a user's file, so it is swallowed. Targets whose parser documents another
// type (serve::ApiError) catch it themselves.
template <class F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const clinrl::UserError&) {
  }
}

// A failed property check: libFuzzer records the input as a crash.
inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace clinrl::fuzz
