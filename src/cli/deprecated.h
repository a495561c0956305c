#pragma once
// Old spellings of options, kept for one release: each still works and prints
// one line on stderr naming its replacement.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace clinrl::cli {

// Prints "clinrl: OLD is deprecated, use NEW" on stderr.
void warn_deprecated(const std::string& old_spelling, const std::string& replacement);

// Adds `name` (an option, or a positional when it has no leading dash) bound to
// the same target as its replacement, hidden from --help; using it warns.
// `old_spelling` is how the warning names it (default: `name`).
template <class T>
CLI::Option* add_deprecated_option(CLI::App& app, const std::string& name, T& target, const std::string& replacement,
                                   std::string old_spelling = "") {
  if (old_spelling.empty()) old_spelling = name;
  auto* option = app.add_option(name, target, "deprecated: use " + replacement);
  option->group("");
  auto warned = std::make_shared<bool>(false);  // once, even for an option with several values
  option->each([old_spelling, replacement, warned](const std::string&) {
    if (!*warned) warn_deprecated(old_spelling, replacement);
    *warned = true;
  });
  return option;
}

}  // namespace clinrl::cli
