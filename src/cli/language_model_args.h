#pragma once
// Command-line options that choose an LLM backend, for any command that
// needs one (--judge, --patient-llm): --PREFIX SPEC, --PREFIX-model NAME,
// --PREFIX-api-key-env VAR. SPEC is what llm::parse_language_model_spec reads.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/llm/language_model_factory.h"

namespace clinrl::cli {

struct LanguageModelArgs {
  std::string prefix;  // "judge" -> --judge, --judge-model, --judge-api-key-env
  std::string spec, model, api_key_env;

  // `what` describes the model's role in help texts ("the LLM judge").
  void add_to(CLI::App& app, const std::string& option_prefix, const std::string& what, bool required = false) {
    prefix = option_prefix;
    auto* o = app.add_option("--" + prefix, spec,
                             what + ": http(s)://HOST:PORT/v1 (OpenAI-compatible), local:DIR or a checkpoint "
                                    "directory, or a .json LanguageModelOptions file");
    if (required) o->required();
    app.add_option("--" + prefix + "-model", model, "model name sent to the http backend for " + what);
    app.add_option("--" + prefix + "-api-key-env", api_key_env,
                   "environment variable holding the API key of the http backend for " + what);
  }

  bool given() const { return !spec.empty(); }

  // The options the flags describe; UserError naming the flag otherwise.
  llm::LanguageModelOptions options() const {
    llm::LanguageModelOptions o;
    try {
      o = llm::parse_language_model_spec(spec);
    } catch (const UserError& e) {
      throw UserError(core::format("--{}: {}", prefix, e.what()));
    }
    if ((!model.empty() || !api_key_env.empty()) && o.backend != "http")
      throw UserError(core::format("--{}-model and --{}-api-key-env apply to an http backend, but --{} {} is {}",
                                   prefix, prefix, prefix, spec, o.backend));
    if (!model.empty()) o.http.model = model;
    if (!api_key_env.empty()) o.http.api_key_env = api_key_env;
    return o;
  }

  std::unique_ptr<core::LanguageModel> open() const { return llm::open_language_model(options()); }
};

}  // namespace clinrl::cli
