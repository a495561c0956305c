// What a clause of an AgentClinic case is about: history topic keys, social
// topics and their sensitivity, items it denies.
#include <algorithm>
#include <regex>

#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"

namespace clinrl::records {
namespace agentclinic {

std::vector<std::string> social_topics_of(const std::string& text) {
  std::string l = core::to_lower(text);
  std::vector<std::string> t;
  if (any_word(l, {"smok", "tobacco", "cigar", "pack", "vap", "nicotine"})) t.push_back("social:tobacco");
  if (any_word(l, {"alcohol", "drink", "wine", "beer", "etoh", "liquor", "spirits", "vodka", "whisk"})) t.push_back("social:alcohol");
  if (any_word(l, {"drug", "cocaine", "heroin", "marijuana", "cannabis", "illicit", "substance", "intravenous", "iv ", "opioid", "methamphetamine", "recreational", "steroid"}))
    t.push_back("social:drugs");
  if (any_word(l, {"work", "job", "employ", "occupation", "student", "retired", "teacher", "school", "college", "university", "farmer", "nurse", "engineer", "designer", "worker", "career", "profession", "preschool", "kindergarten", "daycare", "grade", "academic", "exams", "nursery"}))
    t.push_back("social:occupation");
  if (any_word(l, {"lives", "living", "live ", "married", "home", "husband", "wife", "partner", "children", "family", "mother", "father", "parents", "alone", "shelter", "homeless", "sibling", "incarcerat", "prison", "social activities", "peers"}))
    t.push_back("social:living");
  if (any_word(l, {"travel", "trip", "visit", "returned", "vacation", "holiday", "abroad", "camping", "hiking"})) t.push_back("social:travel");
  if (any_word(l, {"sexual", "sex", "condom", "partners", "intercourse", "monogamous"})) t.push_back("social:sexual");
  if (any_word(l, {"diet", "eats", "eating", "vegetarian", "vegan", "food", "breastfe", "formula"})) t.push_back("social:diet");
  if (any_word(l, {"exercise", "sport", "gym", "running", "athlete", "volleyball", "football", "basketball", "bodybuild", "active", "team", "gardening", "hobby", "hobbies"}))
    t.push_back("social:exercise");
  return t;
}

int sensitivity_of(const std::vector<std::string>& topics) {
  int s = kOrdinary;
  for (const auto& t : topics) {
    if (t == "social:sexual") s = std::max(s, static_cast<int>(kIntimate));
    if (t == "social:alcohol" || t == "social:drugs") s = std::max(s, static_cast<int>(kPersonal));
  }
  return s;
}

}  // namespace agentclinic

using agentclinic::any_word;

std::vector<std::string> history_topics(const std::string& sentence) {
  std::string l = core::to_lower(sentence);
  std::vector<std::string> t;
  auto add = [&](const char* topic) {
    if (std::find(t.begin(), t.end(), topic) == t.end()) t.push_back(topic);
  };
  static const std::regex duration_re(R"(\b(\d+|a|one|two|three|four|five|six|several|few)[\s-]+(hour|day|week|month|year)s?\b)");
  bool has_duration = std::regex_search(l, duration_re);
  if (any_word(l, {"start", "began", "begin", "onset", "sudden", "abrupt", "ago", "since", "first noticed", "developed", "woke"}) ||
      (has_duration && any_word(l, {"history of", "ago"})))
    add("onset");
  if (has_duration || any_word(l, {"for the past", "for the last", "lasting", "persist", "chronic"})) add("duration");
  if (any_word(l, {"located", "localiz", "localis", "left", "right", "upper", "lower", "bilateral", "medial", "lateral", "abdomen", "chest", "back"}))
    add("location");
  if (any_word(l, {"described", "describes", "sharp", "dull", "burning", "crushing", "throbbing", "stabbing", "cramp", "pressure", "aching", "colicky", "tearing", "like a", "itchy", "itching"}))
    add("character");
  if (any_word(l, {"severe", "mild", "moderate", "intense", "worst", "/10", "out of 10", "excruciating", "significant"})) add("severity");
  if (any_word(l, {"intermittent", "constant", "episod", "comes and goes", "at night", "in the morning", "after meals", "daily", "recurrent", "occasional", "frequent", "times a"}))
    add("timing");
  if (any_word(l, {"radiat", "spreads", "travels to", "moves to"})) add("radiation");
  if (any_word(l, {"worse", "worsen", "aggravat", "exacerbat", "trigger", "precipitat", "provoked"})) add("aggravating");
  if (any_word(l, {"improve", "reliev", "better", "alleviat", "eases", "eased", "resolves", "resolved"})) add("relieving");
  if (any_word(l, {"progress", "increasing", "increased", "gradual", "getting worse", "steadily", "worsening"})) add("progression");
  if (t.empty()) add("context");
  return t;
}

std::vector<std::string> denied_items(const std::string& sentence) {
  static const std::regex trigger(R"(\b(denies|denied|deny|negative for|no history of|no|without|not experienced|nor)\b)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(sentence, m, trigger)) return {};
  std::string rest = sentence.substr(static_cast<size_t>(m.position(0) + m.length(0)));
  std::string l = core::to_lower(rest);
  for (const char* cut : {" but ", " although ", " however"})
    if (auto p = l.find(cut); p != std::string::npos) l = l.substr(0, p);
  std::vector<std::string> items;
  std::string cur;
  auto flush = [&] {
    std::string item = core::trim(cur);
    cur.clear();
    for (bool changed = true; changed;) {
      changed = false;
      for (const char* prefix : {"and ", "or ", "any ", "experiencing ", "having ", "history of ", "previous ", "recent ", "episodes of ", "the "})
        if (core::starts_with(item, prefix)) {
          item = core::trim(item.substr(std::char_traits<char>::length(prefix)));
          changed = true;
        }
    }
    item = agentclinic::clean_name(item);
    if (item.empty() || item.size() > 60) return;
    for (const char* junk : {"additional", "other ", "systemic symptoms", "mention", "provided", "significant", "reported", "known", "complaints"})
      if (item.find(junk) != std::string::npos) return;
    items.push_back(item);
  };
  for (size_t i = 0; i < l.size(); ++i) {
    if (l[i] == ',' || l[i] == '.' || l[i] == ';') {
      flush();
    } else if (l.compare(i, 4, " or ") == 0 || l.compare(i, 5, " and ") == 0 || l.compare(i, 5, " nor ") == 0) {
      flush();
      i += l.compare(i, 4, " or ") == 0 ? 2 : 3;
    } else {
      cur += l[i];
    }
  }
  flush();
  return items;
}

}  // namespace clinrl::records
