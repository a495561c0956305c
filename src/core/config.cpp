#include "clinrl/core/config.h"

#include <cmath>
#include <cstdlib>

#include "clinrl/core/json_depth.h"

namespace fs = std::filesystem;

namespace clinrl::core {
namespace detail {

std::string json_type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

void type_error(const std::string& source, const std::string& path, const char* expected, const Json& got) {
  std::string shown = dump_json(got);
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  throw ConfigError(format("{}: key '{}' expects {}, got {} {}", source, path.empty() ? "<root>" : path, expected,
                           json_type_name(got), shown));
}

void unknown_key_error(const std::string& source, const std::string& path, const std::string& key,
                       const std::vector<std::string>& known) {
  std::string message = format("{}: unknown key '{}'", source, child_path(path, key));
  std::string guess = closest_match(key, known);
  if (!guess.empty()) message += format(" (did you mean '{}'?)", child_path(path, guess));
  throw ConfigError(message);
}

}  // namespace detail

namespace {

void merge_into(Json& base, const Json& overlay) {
  for (auto it = overlay.begin(); it != overlay.end(); ++it) {
    auto existing = base.find(it.key());
    if (existing != base.end() && existing->is_object() && it.value().is_object()) {
      merge_into(*existing, it.value());
    } else {
      base[it.key()] = it.value();
    }
  }
}

Json load_with_extends(const fs::path& path, std::vector<fs::path>& chain) {
  fs::path canonical = fs::weakly_canonical(path);
  for (const auto& p : chain)
    if (p == canonical) throw ConfigError(format("{}: 'extends' forms a cycle", path.string()));
  if (!fs::exists(path)) {
    if (chain.empty()) throw ConfigError(format("config file not found: {}", path.string()));
    throw ConfigError(format("{}: 'extends' names a file that does not exist: {}", chain.back().string(), path.string()));
  }
  chain.push_back(canonical);
  Json own;
  try {
    own = read_json_file(path);
  } catch (const ConfigError&) {
    throw;
  } catch (const UserError& e) {
    throw ConfigError(e.what());
  }
  if (!own.is_object()) throw ConfigError(format("{}: a config file must hold a JSON object", path.string()));
  Json result = Json::object();
  if (auto it = own.find("extends"); it != own.end()) {
    if (!it->is_string()) detail::type_error(path.string(), "extends", "a string (a relative path)", *it);
    fs::path base = path.parent_path() / it->get<std::string>();
    result = load_with_extends(base, chain);
    own.erase("extends");
  }
  merge_into(result, own);
  chain.pop_back();
  return result;
}

bool parse_strict_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  // JSON has no inf or nan, so neither may a --set value ("nan", "1e999").
  return end == text.c_str() + text.size() && std::isfinite(out);
}

bool parse_strict_int(const std::string& text, long long& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && end == text.c_str() + text.size();
}

}  // namespace

Json load_config_json(const fs::path& path) {
  std::vector<fs::path> chain;
  return load_with_extends(path, chain);
}

void apply_override(Json& config, const Json& reference, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(format("--set '{}': expected KEY=VALUE, for example rl.lr=1e-4", assignment));
  std::string key = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  std::vector<std::string> parts = split(key, '.');

  const Json* ref = &reference;
  Json* target = &config;
  std::string path;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) throw ConfigError(format("--set {}: empty key segment", key));
    if (!ref->is_object()) throw ConfigError(format("--set {}: '{}' is not a section", key, path));
    std::string here = detail::child_path(path, part);
    auto found = ref->find(part);
    bool free_form_map = ref->empty();  // maps and raw JSON accept any key
    if (found == ref->end() && !free_form_map) {
      std::vector<std::string> known;
      for (auto it = ref->begin(); it != ref->end(); ++it) known.push_back(it.key());
      detail::unknown_key_error("--set", path, part, known);
    }
    static const Json null_json;
    ref = found == ref->end() ? &null_json : &*found;
    if (!target->is_object()) *target = Json::object();
    target = &(*target)[part];
    path = here;
  }

  Json value;
  const char* expected = nullptr;
  if (ref->is_boolean()) {
    if (text == "true") value = true;
    else if (text == "false") value = false;
    else expected = "a boolean (true or false)";
  } else if (ref->is_number_integer()) {
    long long v = 0;
    if (parse_strict_int(text, v)) value = v;
    else expected = "an integer";
  } else if (ref->is_number()) {
    double v = 0;
    if (parse_strict_double(text, v)) value = v;
    else expected = "a number";
  } else if (ref->is_string()) {
    value = text;
  } else {
    // Arrays, objects and unset optionals: JSON when it parses, else a string.
    if (json_nesting_depth(text) > kMaxJsonDepth)
      throw ConfigError(format("--set {}: the value nests deeper than {} levels", key, kMaxJsonDepth));
    try {
      value = Json::parse(text);
    } catch (const Json::exception&) {  // parse_error, or out_of_range for a number like 1e420
      if (ref->is_array() || ref->is_object()) expected = ref->is_array() ? "a JSON array" : "a JSON object";
      else value = text;
    }
  }
  if (expected) throw ConfigError(format("--set {}={}: key '{}' expects {}", key, text, key, expected));
  *target = std::move(value);
}

void check_choice(const char* name, const std::string& value, const std::vector<std::string>& choices) {
  for (const auto& c : choices)
    if (c == value) return;
  throw std::invalid_argument(format("{} must be one of {}, got '{}'", name, join(choices, ", "), value));
}

void check_range(const char* name, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi))
    throw std::invalid_argument(format("{} must be in [{}, {}], got {}", name, lo, hi, value));
}

void check_positive(const char* name, double value) {
  if (!(value > 0)) throw std::invalid_argument(format("{} must be > 0, got {}", name, value));
}

}  // namespace clinrl::core
