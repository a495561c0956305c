#pragma once
// Command-line flags declared from a config's own field list: each flag binds
// to the field of that key (so it has the field's type and shows its
// default), and the flags given become --set assignments rooted at the top of
// the config, applied after the file and the --set options.
#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "clinrl/core/config.h"
#include "deprecated.h"

namespace clinrl::cli {

struct ConfigFlag {
  std::string key;       // "generation.max_tokens"
  std::string name;      // "--max-new-tokens"
  std::string help;
  std::string old_name;  // a deprecated spelling, or ""
};

template <class Config>
class ConfigFlags {
 public:
  // std::logic_error when a flag's key is not a scalar field of Config.
  void add_to(CLI::App& app, const std::vector<ConfigFlag>& flags) {
    for (const auto& flag : flags) {
      Declarer declarer{&app, &flag, "", &declared_};
      defaults_.fields(declarer);
      if (declared_.empty() || declared_.back().key != flag.key)
        throw std::logic_error("no scalar config key '" + flag.key + "' for " + flag.name);
    }
  }

  bool given(const std::string& key) const {
    for (const auto& d : declared_)
      if (d.key == key) return d.option->count() > 0 || (d.old && d.old->count() > 0);
    return false;
  }

  // "key=value" for each flag given, in declaration order.
  std::vector<std::string> overrides() const {
    std::vector<std::string> out;
    for (const auto& d : declared_) {
      const CLI::Option* used = d.option->count() > 0 ? d.option : (d.old && d.old->count() > 0 ? d.old : nullptr);
      if (used) out.push_back(d.key + "=" + used->results().back());
    }
    return out;
  }

 private:
  struct Declared {
    std::string key;
    CLI::Option* option;
    CLI::Option* old;
  };
  struct Declarer {
    CLI::App* app;
    const ConfigFlag* flag;
    std::string path;
    std::vector<Declared>* declared;

    template <class F>
    void operator()(const char* name, F& field) {
      const std::string key = core::detail::child_path(path, name);
      if constexpr (core::detail::is_section<F>::value) {
        Declarer nested{app, flag, key, declared};
        field.fields(nested);
      } else if constexpr (std::is_arithmetic_v<F> || std::is_same_v<F, std::string>) {
        if (key != flag->key) return;
        auto* option = app->add_option(flag->name, field, flag->help)->capture_default_str();
        CLI::Option* old = nullptr;
        if (!flag->old_name.empty()) old = add_deprecated_option(*app, flag->old_name, field, flag->name);
        declared->push_back({key, option, old});
      }
    }
    template <class F>
    void required(const char* name, F& field) {
      (*this)(name, field);
    }
  };

  Config defaults_;  // the flags bind to its fields
  std::vector<Declared> declared_;
};

}  // namespace clinrl::cli
