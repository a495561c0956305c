// Free text of AgentClinic cases: word matching, cleaning, sentences.
#include <algorithm>
#include <cctype>

#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/names.h"

namespace clinrl::records {
namespace agentclinic {

bool has_word(const std::string& lower, const char* word) {
  for (size_t pos = lower.find(word); pos != std::string::npos; pos = lower.find(word, pos + 1))
    if (pos == 0 || !std::isalpha(static_cast<unsigned char>(lower[pos - 1]))) return true;
  return false;
}

bool any_word(const std::string& lower, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (has_word(lower, w)) return true;
  return false;
}

std::string clean_name(const std::string& text) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    else if (c == ')') depth = std::max(0, depth - 1);
    else if (depth == 0 && c != '"' && c != '\'') out += c;
  }
  std::string key = name_key(out);
  while (!key.empty() && (key.back() == '.' || key.back() == ',')) key.pop_back();
  return key;
}

std::string id_part(const std::string& s) {
  std::string out;
  for (char c : name_key(s)) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string leaf_text(const core::Json& v) {
  if (v.is_string()) return core::trim(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "";
  if (v.is_object()) {  // {"Sitting": "120/80 mmHg", "Standing": ...} -> "Sitting: 120/80 mmHg; Standing: ..."
    std::vector<std::string> parts;
    for (auto it = v.begin(); it != v.end(); ++it) parts.push_back(name_key(it.key()) + ": " + leaf_text(it.value()));
    return core::join(parts, "; ");
  }
  return core::dump_json(v);
}

bool uninformative(const std::string& s) {
  std::string l = core::to_lower(s);
  for (const char* w : {"not provided", "not mentioned", "not available", "not applicable", "not specified", "n/a", "information provided",
                        "history provided", "didn't provide", "did not provide", "no pertinent", "no relevant", "no significant social",
                        "no other social", "no other relevant", "no detailed"})
    if (l.find(w) != std::string::npos) return true;
  std::string t = core::trim(l);
  return t.empty() || t == "na" || t == "na." || t == "none";
}

bool negative_text(const std::string& s) {
  std::string l = core::to_lower(s);
  return core::starts_with(l, "no ") || core::starts_with(l, "none") || core::starts_with(l, "denies") || l.find("unremarkable") != std::string::npos;
}

}  // namespace agentclinic

std::vector<std::string> split_sentences(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    cur += text[i];
    bool end = (text[i] == '.' || text[i] == '!' || text[i] == '?' || text[i] == ';') && i + 1 < text.size() && text[i + 1] == ' ' &&
               i + 2 < text.size() && (std::isupper(static_cast<unsigned char>(text[i + 2])) || text[i] == ';');
    if (end && text[i] == '.') {  // "Dr. Smith", "approx. 5": not a sentence end
      size_t w = cur.size() - 1;
      while (w > 0 && std::isalpha(static_cast<unsigned char>(cur[w - 1]))) --w;
      std::string word = core::to_lower(cur.substr(w, cur.size() - 1 - w));
      for (const char* abbr : {"dr", "mr", "mrs", "ms", "prof", "st", "vs", "approx", "no", "e.g", "i.e", "fig"})
        if (word == abbr) end = false;
    }
    if (end) {
      if (!core::trim(cur).empty()) out.push_back(core::trim(cur));
      cur.clear();
    }
  }
  if (!core::trim(cur).empty()) out.push_back(core::trim(cur));
  return out;
}

}  // namespace clinrl::records
