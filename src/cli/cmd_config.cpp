// clinrl config show|validate: the effective config with every default filled
// in, for each kind of config a command reads (--kind train|eval|sim).
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/eval/eval_config.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/sim/sim_options.h"
#include "command.h"

namespace clinrl::cli {
namespace {

const bool group = register_group("config", "inspect and check configs (train, eval, sim)");

struct KindArgs {
  ConfigArgs config;
  std::string kind = "train";
};

// The config of `kind` loaded from the file and --set, as JSON.
core::Json load_kind(const KindArgs& a) {
  if (a.kind == "eval") return core::to_json_value(core::load_config<eval::EvalConfig>(a.config.file(), a.config.overrides));
  if (a.kind == "sim") return core::to_json_value(core::load_config<sim::SimOptions>(a.config.file(), a.config.overrides));
  return core::to_json_value(core::load_config<rl::TrainConfig>(a.config.file(), a.config.overrides));
}

std::shared_ptr<KindArgs> add_kind_args(CLI::App& app, bool required) {
  auto a = std::make_shared<KindArgs>();
  app.add_option("--kind", a->kind, "train (clinrl train, sft), eval (clinrl eval) or sim (clinrl simulate, sim audit)")
      ->check(CLI::IsMember({"train", "eval", "sim"}))
      ->capture_default_str();
  a->config.add_to(app, required, "config of that kind", "run.seed=3 (train), n_repeats=2 (eval), max_turns=5 (sim)");
  return a;
}

const bool show = register_command({"config show", "print the effective config (defaults, extends, --set applied)",
    [](CLI::App& app) {
      auto a = add_kind_args(app, false);
      app.callback([a] { std::cout << core::dump_json(load_kind(*a), 2) << "\n"; });
    }});

const bool validate = register_command({"config validate", "check a config; exit 2 with the problem when invalid",
    [](CLI::App& app) {
      auto a = add_kind_args(app, true);
      app.callback([a] {
        load_kind(*a);
        std::cout << a->config.config << ": ok\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
