#include "model_load_args.h"

#include <functional>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/model/chat_template.h"
#include "clinrl/model/device.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

using Check = std::function<void(const std::string&)>;

// --NAME bound to `target` and checked by `check`; `old_name` (if any) is a
// deprecated spelling with the same target and check.
void add_checked(CLI::App& app, const std::string& name, const std::string& old_name, std::string& target,
                 const std::string& help, const Check& check) {
  auto* option = app.add_option(name, target, help);
  if (check) option->each(check);
  if (old_name.empty()) return;
  auto* old = add_deprecated_option(app, old_name, target, name);
  if (check) old->each(check);
}

void check_chat_template(const std::string& name) {
  model::ChatTemplateOptions options;
  options.name = name;
  try {
    options.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(std::string("--chat-template: ") + e.what());
  }
}

}  // namespace

void ModelLoadArgs::add_to(CLI::App& app, const std::string& checkpoint_help, const std::string& defaults,
                           const OldSpellings& old) {
  auto fallback = [&](const char* value) { return " (default: " + (defaults.empty() ? std::string(value) : defaults) + ")"; };
  add_checked(app, "--checkpoint", old.checkpoint, checkpoint,
              checkpoint_help + " (a directory: config.json, model.safetensors, tokenizer.json)", Check());
  add_checked(app, "--device", "", device, "cpu, cuda or cuda:N" + fallback("cpu"),
              [](const std::string& s) { model::check_device_name(s, "--device"); });
  add_checked(app, "--dtype", "", dtype, "float32, bfloat16, float16 or auto (bfloat16 on CUDA, float32 on CPU)" + fallback("float32"),
              [](const std::string& s) { model::check_dtype_name(s, "--dtype"); });
  add_checked(app, "--chat-template", old.chat_template, chat_template, "chat template: chatml or llama3" + fallback("chatml"),
              check_chat_template);
}

const std::string& ModelLoadArgs::required_checkpoint() const {
  if (checkpoint.empty()) throw UserError("give --checkpoint DIR (a model directory)");
  return checkpoint;
}

std::vector<std::string> ModelLoadArgs::overrides(const std::string& section) const {
  std::vector<std::string> out;
  if (!device.empty()) out.push_back(section + ".device=" + device);
  if (!dtype.empty()) out.push_back(section + ".dtype=" + dtype);
  if (!chat_template.empty()) out.push_back(section + ".chat.name=" + chat_template);
  return out;
}

void ModelLoadArgs::apply(model::ChatModelOptions& out) const {
  if (!device.empty()) out.device = device;
  if (!dtype.empty()) out.dtype = dtype;
  if (!chat_template.empty()) out.chat.name = chat_template;
}

}  // namespace clinrl::cli
