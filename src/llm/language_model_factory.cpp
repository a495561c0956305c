#include "clinrl/llm/language_model_factory.h"

#include <filesystem>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::llm {

using core::format;

void LanguageModelOptions::validate() const {
  core::check_choice("backend", backend, {"http", "local"});
  if (backend == "local" && local.checkpoint.empty())
    throw std::invalid_argument("local.checkpoint: a checkpoint directory is required when backend is local");
}

LanguageModelOptions parse_language_model_spec(const std::string& spec) {
  namespace fs = std::filesystem;
  LanguageModelOptions o;
  if (core::starts_with(spec, "http://") || core::starts_with(spec, "https://")) {
    o.backend = "http";
    o.http.base_url = spec;
    try {
      o.http.validate();
    } catch (const std::invalid_argument& e) {
      throw UserError(format("language model '{}': {}", spec, e.what()));
    }
    return o;
  }
  if (core::starts_with(spec, "local:")) {
    o.backend = "local";
    o.local.checkpoint = spec.substr(6);
    if (o.local.checkpoint.empty()) throw UserError(format("language model '{}': local: needs a checkpoint directory", spec));
    return o;
  }
  std::error_code ec;
  if (core::ends_with(core::to_lower(spec), ".json")) {
    if (!fs::is_regular_file(spec, ec))
      throw UserError(format("language model '{}': no such config file", spec));
    return core::load_config<LanguageModelOptions>(fs::path(spec));
  }
  if (fs::is_directory(spec, ec)) {
    o.backend = "local";
    o.local.checkpoint = spec;
    return o;
  }
  throw UserError(format("language model '{}': expected an http:// or https:// base URL, local:DIR, a checkpoint "
                         "directory, or a .json config file",
                         spec));
}

std::unique_ptr<core::LanguageModel> open_language_model(const LanguageModelOptions& options) {
  try {
    core::validate_all(options);
  } catch (const ConfigError& e) {
    throw UserError(format("language model: {}", e.what()));
  }
  if (options.backend == "local") return LocalLanguageModel::load(options.local);
  return std::make_unique<HttpChatClient>(options.http);
}

}  // namespace clinrl::llm
