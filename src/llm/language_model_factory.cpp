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

LanguageModelOptions resolve_backend(const core::BackendOptions& backend, const std::string& key) {
  if (backend.backend.empty())
    throw UserError(format("{}.backend: name the model (http(s)://HOST:PORT/v1, local:DIR or a checkpoint directory)", key));
  LanguageModelOptions o;
  try {
    o = parse_language_model_spec(backend.backend);
  } catch (const UserError& e) {
    throw UserError(format("{}.backend: {}", key, e.what()));
  }
  if (o.backend == "http") {
    if (!backend.model.empty()) o.http.model = backend.model;
    if (!backend.api_key_env.empty()) o.http.api_key_env = backend.api_key_env;
    o.http.max_concurrency = backend.concurrency;
    o.http.read_timeout_s = backend.timeout_s;
    o.http.max_retries = backend.max_retries;
  } else if (!backend.model.empty() || !backend.api_key_env.empty()) {
    throw UserError(format("{}: model and api_key_env apply to an http backend, but {} is a local checkpoint", key,
                           backend.backend));
  }
  return o;
}

std::unique_ptr<core::LanguageModel> open_backend(const core::BackendOptions& backend, const std::string& key) {
  LanguageModelOptions o = resolve_backend(backend, key);
  std::unique_ptr<core::LanguageModel> model;
  try {
    model = open_language_model(o);
    if (auto* http = dynamic_cast<HttpChatClient*>(model.get())) http->probe();
  } catch (const UserError& e) {
    throw UserError(format("{}: {}", key, e.what()));
  }
  return model;
}

}  // namespace clinrl::llm
