#pragma once
// The audit's probe doctor phrasings (data/sim/probe_questions.json): one
// question per topic key, patterns for prefixed keys ("symptom:{}"), and the
// broad, off-topic, unrecorded-symptom and unrecorded-test probes.
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clinrl::sim {

struct ProbeBook {
  std::map<std::string, std::string> topics;
  std::vector<std::pair<std::string, std::string>> prefixed;  // ("symptom:", "Have you had any {}?")
  std::string explain, broad;
  std::vector<std::string> off_topic, unrecorded_symptoms;
  std::string unrecorded_test;
  // UserError naming the file and key on a malformed book.
  static ProbeBook load(const std::filesystem::path& path);
  std::string question(const std::string& topic) const;  // "" when no phrasing
};

}  // namespace clinrl::sim
