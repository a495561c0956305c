#include "command.h"

#include <algorithm>
#include <map>

#include "clinrl/core/strings.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

std::map<std::string, std::string>& groups() {
  static std::map<std::string, std::string> g;
  return g;
}

}  // namespace

bool register_command(Command command) {
  registry().push_back(std::move(command));
  return true;
}

bool register_group(const std::string& name, const std::string& help) {
  groups()[name] = help;
  return true;
}

void add_commands(CLI::App& app) {
  std::vector<Command> sorted = registry();
  std::sort(sorted.begin(), sorted.end(), [](const Command& a, const Command& b) { return a.path < b.path; });
  for (const auto& command : sorted) {
    std::vector<std::string> words = core::split(command.path, ' ');
    CLI::App* parent = &app;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      CLI::App* existing = nullptr;
      try {
        existing = parent->get_subcommand(words[i]);
      } catch (const CLI::OptionNotFound&) {
      }
      if (!existing) {
        auto it = groups().find(words[i]);
        existing = parent->add_subcommand(words[i], it == groups().end() ? "" : it->second);
        existing->require_subcommand(1);
      }
      parent = existing;
    }
    CLI::App* sub = parent->add_subcommand(words.back(), command.help);
    command.setup(*sub);
  }
}

void ConfigArgs::add_to(CLI::App& app, bool required, const std::string& what, const std::string& example) {
  auto* opt = app.add_option("--config,-c", config, what + " (JSON)");
  if (required) opt->required();
  app.add_option("--set", overrides,
                 "override a value of the " + what + ": KEY=VALUE, KEY rooted at its top (repeatable), e.g. --set " +
                     example)
      ->allow_extra_args(false);
}

std::optional<std::filesystem::path> ConfigArgs::file() const {
  if (config.empty()) return std::nullopt;
  return std::filesystem::path(config);
}

void add_sim_config_args(CLI::App& app, ConfigArgs& args) {
  args.add_to(app, false, "sim config (what a run config holds under 'sim')", "max_turns=5");
  add_deprecated_option(app, "--sim-config", args.config, "--config");
}

}  // namespace clinrl::cli
