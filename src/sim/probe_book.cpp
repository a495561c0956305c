#include "clinrl/sim/probe_book.h"

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"

namespace clinrl::sim {

ProbeBook ProbeBook::load(const std::filesystem::path& path) {
  core::Json j = core::read_json_file(path);
  ProbeBook b;
  auto str = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_string()) throw UserError(core::format("{}: '{}' must be a string", path.string(), key));
    return j[key].get<std::string>();
  };
  auto strs = [&](const char* key) {
    std::vector<std::string> out;
    if (!j.contains(key) || !j[key].is_array())
      throw UserError(core::format("{}: '{}' must be an array of strings", path.string(), key));
    for (const auto& s : j[key]) {
      if (!s.is_string()) throw UserError(core::format("{}: '{}' must hold only strings", path.string(), key));
      out.push_back(s.get<std::string>());
    }
    return out;
  };
  for (const char* key : {"topics", "prefixed"})
    if (!j.contains(key) || !j[key].is_object())
      throw UserError(core::format("{}: '{}' must be an object of strings", path.string(), key));
  for (auto it = j["topics"].begin(); it != j["topics"].end(); ++it) {
    if (!it.value().is_string()) throw UserError(core::format("{}: topics.{} must be a string", path.string(), it.key()));
    b.topics[it.key()] = it.value().get<std::string>();
  }
  for (auto it = j["prefixed"].begin(); it != j["prefixed"].end(); ++it) {
    if (!it.value().is_string()) throw UserError(core::format("{}: prefixed.{} must be a string", path.string(), it.key()));
    b.prefixed.emplace_back(it.key(), it.value().get<std::string>());
  }
  b.explain = str("explain");
  b.broad = str("broad");
  b.off_topic = strs("off_topic");
  b.unrecorded_symptoms = strs("unrecorded_symptoms");
  b.unrecorded_test = str("unrecorded_test");
  return b;
}

std::string ProbeBook::question(const std::string& topic) const {
  if (auto it = topics.find(topic); it != topics.end()) return it->second;
  for (const auto& [prefix, pattern] : prefixed) {
    if (!core::starts_with(topic, prefix)) continue;
    std::string q = pattern;
    if (auto pos = q.find("{}"); pos != std::string::npos) q.replace(pos, 2, topic.substr(prefix.size()));
    return q;
  }
  return "";
}

}  // namespace clinrl::sim
