#pragma once
// The options of every command that loads a model from a checkpoint
// directory: --checkpoint DIR, --device, --dtype and --chat-template, checked
// by the model module's own name checks, so a bad value is a user error
// naming the flag in every command.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "clinrl/model/chat_model_options.h"

namespace clinrl::cli {

struct ModelLoadArgs {
  std::string checkpoint, device, dtype, chat_template;  // empty: not given

  // Spellings an older release used, still accepted with a deprecation line.
  struct OldSpellings {
    std::string checkpoint, chat_template;
  };

  // `checkpoint_help` says what the checkpoint is in this command; `defaults`
  // names where the values come from when a flag is absent ("": cpu, float32, chatml).
  void add_to(CLI::App& app, const std::string& checkpoint_help, const std::string& defaults,
              const OldSpellings& old = {});

  // UserError "give --checkpoint DIR" when it was not given.
  const std::string& required_checkpoint() const;

  // The given --device/--dtype/--chat-template as --set assignments under
  // `section` ("policy" -> policy.device=...).
  std::vector<std::string> overrides(const std::string& section) const;

  // Copies each given value over the command's own load options.
  void apply(model::ChatModelOptions& out) const;
};

}  // namespace clinrl::cli
