#include "clinrl/sim/termination_gate.h"

#include <algorithm>
#include <cctype>

#include "clinrl/core/strings.h"
#include "clinrl/sim/lexicon.h"

namespace clinrl::sim {

namespace {

uint64_t hash_tokens(const std::vector<std::string>& tokens) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& t : tokens) {
    if (t == kClauseEnd || t == kPause) continue;  // punctuation does not make a new question
    for (unsigned char c : t) h = (h ^ c) * 1099511628211ull;
    h = (h ^ ' ') * 1099511628211ull;
  }
  return h;
}

bool is_garbage(std::string_view text, int max_chars) {
  if (text.size() > static_cast<size_t>(max_chars) || !core::is_valid_utf8(text)) return true;
  bool letter = false;
  size_t run = 0, longest = 0;
  for (char raw : text) {
    unsigned char c = static_cast<unsigned char>(raw);
    letter = letter || std::isalpha(c) || c >= 0x80;
    run = std::isspace(c) ? 0 : run + 1;
    longest = std::max(longest, run);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return true;
  }
  return !letter || longest >= 40;
}

}  // namespace

std::optional<DiagnosisStatement> find_diagnosis(std::string_view doctor_turn) {
  static constexpr std::string_view kMarker = "diagnosis:";
  size_t at = core::to_lower(doctor_turn).find(kMarker);
  if (at == std::string::npos) return std::nullopt;
  std::string rest = core::trim(doctor_turn.substr(at + kMarker.size()));
  size_t stop = rest.find_first_of("\n");
  for (size_t k = 0; k + 1 < rest.size() && k < stop; ++k)
    if ((rest[k] == '.' || rest[k] == ';') && std::isspace(static_cast<unsigned char>(rest[k + 1]))) {
      stop = k;
      break;
    }
  DiagnosisStatement out;
  out.diagnosis = core::trim(rest.substr(0, stop));
  while (!out.diagnosis.empty() && out.diagnosis.back() == '.') out.diagnosis.pop_back();
  out.plan = stop == std::string::npos ? "" : core::trim(rest.substr(stop + 1));
  return out;
}

bool is_invalid_turn(std::string_view doctor_turn, int max_chars) {
  return core::trim(doctor_turn).empty() || is_garbage(doctor_turn, max_chars);
}

bool TerminationGate::repeated(const std::vector<std::string>& tokens) {
  invalid_in_a_row_ = 0;
  uint64_t h = hash_tokens(tokens);
  auto it = std::find_if(said_.begin(), said_.end(), [&](const auto& p) { return p.first == h; });
  if (it == said_.end()) it = said_.insert(said_.end(), {h, 0});
  ++it->second;
  return it->second >= repeat_limit_;
}

}  // namespace clinrl::sim
