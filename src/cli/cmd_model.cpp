// clinrl model info|init: describe an HF config; write a randomly initialised model.
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/model_init.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

namespace fs = std::filesystem;

const bool group = register_group("model", "inspect configs and create models");

// A model preset: configs/model/NAME.json, from the working directory or the source tree.
fs::path preset_path(const std::string& name) {
  for (const fs::path& root : {fs::path("configs/model"), fs::path(CLINRL_SOURCE_DIR) / "configs/model"}) {
    auto p = root / (name + ".json");
    if (fs::exists(p)) return p;
  }
  throw UserError(core::format("--preset {}: no configs/model/{}.json", name, name));
}

// Exactly one of `a` (given as flag_a) and `b` (flag_b): UserError otherwise.
void require_one(const std::string& a, const char* flag_a, const std::string& b, const char* flag_b) {
  if (a.empty() == b.empty()) throw UserError(core::format("give one of {} and {}", flag_a, flag_b));
}

const bool info = register_command({"model info", "print the architecture and parameter count of an HF config.json",
    [](CLI::App& app) {
      struct Args {
        std::string model_config, checkpoint;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--model-config", a->model_config, "HF config.json to describe");
      app.add_option("--checkpoint", a->checkpoint, "checkpoint directory whose config.json to describe");
      add_deprecated_option(app, "--config", a->model_config, "--model-config (or --checkpoint DIR)");
      app.callback([a] {
        require_one(a->model_config, "--model-config F", a->checkpoint, "--checkpoint DIR");
        fs::path p = a->checkpoint.empty() ? fs::path(a->model_config) : fs::path(a->checkpoint) / "config.json";
        if (fs::is_directory(p)) p /= "config.json";
        std::cout << model::describe(model::load_hf_config(p));
      });
    }});

const bool init = register_command({"model init", "write a randomly initialised model in HF layout",
    [](CLI::App& app) {
      struct Args {
        model::InitOptions options;
        std::string model_config, preset, tokenizer, out;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--arch", a->options.arch, "qwen2 or llama (default: the config's)");
      app.add_option("--model-config", a->model_config, "HF config.json of the model's shape");
      app.add_option("--preset", a->preset, "a shipped model shape: configs/model/NAME.json (tiny, small)");
      add_deprecated_option(app, "--config", a->model_config, "--model-config (or --preset NAME)");
      app.add_option("--tokenizer", a->tokenizer, "tokenizer.json: sets vocab_size and EOS ids, copied into DIR");
      app.add_option("--out", a->out, "checkpoint directory to write")->required();
      app.add_option("--seed", a->options.seed, "initialisation seed");
      app.callback([a] {
        require_one(a->model_config, "--model-config F", a->preset, "--preset NAME");
        auto& o = a->options;
        o.config = a->preset.empty() ? fs::path(a->model_config) : preset_path(a->preset);
        o.out = a->out;
        if (!a->tokenizer.empty()) o.tokenizer = fs::path(a->tokenizer);
        auto r = model::init_model_dir(o);
        std::cout << "wrote " << a->out << ": " << model::with_thousands(r.parameters) << " parameters, vocabulary "
                  << r.options.vocab_size << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
