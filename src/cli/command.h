#pragma once
// Subcommand registry: each file in src/cli registers its command with a
// static initialiser, so adding a command never touches main.cpp.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clinrl::cli {

// Exit status of a checking command (data check, data lint-kb) that ran to
// the end and found problems in its input: neither success (0), a usage or
// input error (2), nor an internal error (1).
constexpr int kFoundProblemsExit = 3;


struct Command {
  std::string path;  // "info", or "data synth" for a command inside a group
  std::string help;
  std::function<void(CLI::App&)> setup;  // adds options and the callback
};

bool register_command(Command command);
bool register_group(const std::string& name, const std::string& help);

// Builds the full command tree on `app` (used by main and by tests).
void add_commands(CLI::App& app);

// Common options of commands that read a config: --config F and --set
// KEY=VALUE, whose keys are rooted at the top of that config.
struct ConfigArgs {
  std::string config;
  std::vector<std::string> overrides;
  // `what` names the config ("run config"), `example` a key at its top ("run.seed=3").
  void add_to(CLI::App& app, bool required, const std::string& what = "run config",
              const std::string& example = "run.seed=3");
  std::optional<std::filesystem::path> file() const;  // none when --config was not given
};

// --config F and --set of a sim config (simulate, sim audit), with the old --sim-config.
void add_sim_config_args(CLI::App& app, ConfigArgs& args);

}  // namespace clinrl::cli
