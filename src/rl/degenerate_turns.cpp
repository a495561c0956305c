#include "clinrl/rl/degenerate_turns.h"

#include <cctype>
#include <map>
#include <sstream>

#include "clinrl/core/strings.h"

namespace clinrl::rl {
namespace {

// Lower-case words of letters and digits.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

bool repeats_itself(const std::vector<std::string>& words) {
  std::map<std::string, int> counts;
  for (size_t i = 0; i + 3 <= words.size(); ++i)
    if (++counts[words[i] + ' ' + words[i + 1] + ' ' + words[i + 2]] >= 3) return true;
  return false;
}

bool speaks_out_of_role(const std::string& text) {
  const std::string lower = core::to_lower(text);
  for (const char* marker : {"<|im_start|>", "<|im_end|>", "<|start_header_id|>", "<|eot_id|>", "<|endoftext|>"})
    if (lower.find(marker) != std::string::npos) return true;
  std::istringstream lines(lower);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    for (const char* label : {"patient:", "doctor:", "user:", "assistant:", "system:"})
      if (line.compare(start, std::string(label).size(), label) == 0) return true;
  }
  return false;
}

}  // namespace

const char* degeneracy_name(Degeneracy d) {
  switch (d) {
    case Degeneracy::none: return "none";
    case Degeneracy::repetition: return "repetition";
    case Degeneracy::role_inversion: return "role_inversion";
    case Degeneracy::runaway_length: return "runaway_length";
  }
  return "none";
}

Degeneracy classify_doctor_turn(const std::string& text, const std::vector<std::string>& earlier, int64_t tokens,
                                int64_t max_turn_tokens) {
  const std::vector<std::string> words = words_of(text);
  if (repeats_itself(words)) return Degeneracy::repetition;
  if (!words.empty())
    for (const auto& before : earlier)
      if (words_of(before) == words) return Degeneracy::repetition;
  if (speaks_out_of_role(text)) return Degeneracy::role_inversion;
  if (max_turn_tokens > 0 && tokens >= max_turn_tokens) return Degeneracy::runaway_length;
  return Degeneracy::none;
}

void DegenerateCounts::add(Degeneracy d) {
  ++turns;
  if (d == Degeneracy::repetition) ++repetition;
  if (d == Degeneracy::role_inversion) ++role_inversion;
  if (d == Degeneracy::runaway_length) ++runaway_length;
}

}  // namespace clinrl::rl
