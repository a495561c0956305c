#include "clinrl/rubric/rule_grader.h"

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

namespace {

std::vector<CompiledMatch::Alternatives> compile_list(const Json& match, const char* key, const Lexicon& lex,
                                                      const std::string& where) {
  std::vector<CompiledMatch::Alternatives> out;
  auto it = match.find(key);
  if (it == match.end()) return out;
  if (!it->is_array() || it->empty())
    throw UserError(format("{}.match.{}: expected a non-empty array of phrases", where, key));
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& p = (*it)[i];
    if (!p.is_string() || stemmed_words(p.get<std::string>()).empty())
      throw UserError(format("{}.match.{}[{}]: expected a non-empty phrase, got {}", where, key, i, core::dump_json(p)));
    CompiledMatch::Alternatives alt;
    alt.label = p.get<std::string>();
    try {
      alt.phrases = lex.expand_tokens(alt.label);
    } catch (const UserError& e) {
      throw UserError(format("{}.match.{}[{}]: {}", where, key, i, e.what()));
    }
    out.push_back(std::move(alt));
  }
  return out;
}

struct Found {
  bool found = false;
  uint32_t turn = 0;
  std::string label;
};

Found find_any(const std::vector<CompiledMatch::Alternatives>& list, const TextChannel& channel, uint32_t lo,
               uint32_t hi, CompiledMatch::Polarity polarity, bool question) {
  Found f;
  for (const auto& alt : list) {
    for (const auto& phrase : alt.phrases) {
      channel.for_each_hit(phrase, lo, hi, [&](const TextChannel::Hit& hit) {
        if (question && !channel.info()[hit.position].question) return false;
        if (polarity == CompiledMatch::Polarity::affirmed && hit.negated) return false;
        if (polarity == CompiledMatch::Polarity::negated && !hit.negated) return false;
        f = {true, channel.info()[hit.position].turn, alt.label};
        return true;
      });
      if (f.found) return f;
    }
  }
  return f;
}

}  // namespace

CompiledMatch CompiledMatch::compile(const Json& match, const Lexicon& lex, const std::string& where) {
  static const std::vector<std::string> known = {"any", "all", "none", "diagnosis", "has_diagnosis",
                                                 "scope", "polarity", "question"};
  if (!match.is_object()) throw UserError(format("{}.match: expected an object", where));
  for (auto it = match.begin(); it != match.end(); ++it) {
    bool ok = false;
    for (const auto& k : known) ok = ok || k == it.key();
    if (!ok) {
      std::string hint = core::closest_match(it.key(), known);
      throw UserError(format("{}.match: unknown key '{}'{}", where, it.key(),
                             hint.empty() ? std::string() : format(" (did you mean '{}'?)", hint)));
    }
  }
  CompiledMatch m;
  m.any = compile_list(match, "any", lex, where);
  m.all = compile_list(match, "all", lex, where);
  m.none = compile_list(match, "none", lex, where);
  m.diagnosis = compile_list(match, "diagnosis", lex, where);
  if (auto it = match.find("has_diagnosis"); it != match.end()) {
    if (!it->is_boolean()) throw UserError(format("{}.match.has_diagnosis: expected true or false", where));
    m.has_diagnosis = it->get<bool>() ? 1 : 0;
  }
  if (m.any.empty() && m.all.empty() && m.none.empty() && m.diagnosis.empty() && m.has_diagnosis < 0)
    throw UserError(format("{}.match: needs at least one of any, all, none, diagnosis, has_diagnosis", where));
  if (auto it = match.find("scope"); it != match.end()) {
    if (it->is_number_integer()) {
      m.scope = Scope::turn;
      m.turn = it->get<int>();
    } else if (it->is_string() && it->get<std::string>() == "dialogue") {
      m.scope = Scope::dialogue;
    } else if (it->is_string() && it->get<std::string>() == "last") {
      m.scope = Scope::last;
    } else {
      throw UserError(format("{}.match.scope: expected \"dialogue\", \"last\" or a turn index, got {}", where,
                             core::dump_json(*it)));
    }
  }
  if (auto it = match.find("polarity"); it != match.end()) {
    std::string p = it->is_string() ? it->get<std::string>() : "";
    if (p == "affirmed") m.polarity = Polarity::affirmed;
    else if (p == "negated") m.polarity = Polarity::negated;
    else if (p == "either") m.polarity = Polarity::either;
    else
      throw UserError(format("{}.match.polarity: expected \"affirmed\", \"negated\" or \"either\", got {}", where,
                             core::dump_json(*it)));
  }
  if (auto it = match.find("question"); it != match.end()) {
    if (!it->is_boolean()) throw UserError(format("{}.match.question: expected true or false", where));
    m.question = it->get<bool>();
  }
  return m;
}

CompiledRubric RuleGrader::compile(const Rubric& rubric) const {
  CompiledRubric out;
  out.items.reserve(rubric.size());
  for (size_t i = 0; i < rubric.size(); ++i) {
    if (rubric[i].match)
      out.items.push_back(std::make_unique<CompiledMatch>(
          CompiledMatch::compile(*rubric[i].match, *lex_, format("rubric[{}]", i))));
    else
      out.items.push_back(nullptr);
  }
  return out;
}

void validate_matches(const Rubric& rubric, const Lexicon& lex, const std::string& where) {
  for (size_t i = 0; i < rubric.size(); ++i)
    if (rubric[i].match) CompiledMatch::compile(*rubric[i].match, lex, format("{}[{}]", where, i));
}

GradeResult RuleGrader::grade(const core::Conversation& conversation, const Rubric& rubric) {
  return grade(DialogueText::build(conversation, *lex_), compile(rubric));
}

GradeResult RuleGrader::grade(const core::Conversation& conversation, const CompiledRubric& rubric) const {
  return grade(DialogueText::build(conversation, *lex_), rubric);
}

GradeResult RuleGrader::grade(const DialogueText& text, const CompiledRubric& rubric) const {
  GradeResult result;
  result.items.resize(rubric.items.size());
  const uint32_t turns = text.doctor_turns;
  for (size_t i = 0; i < rubric.items.size(); ++i) {
    ItemGrade& g = result.items[i];
    const CompiledMatch* m = rubric.items[i].get();
    if (!m) {
      g.explanation = "ungraded: no match block";
      continue;
    }
    // The doctor turns in scope, as an inclusive range.
    int64_t lo = 0, hi = static_cast<int64_t>(turns) - 1;
    if (m->scope == CompiledMatch::Scope::last) lo = hi;
    if (m->scope == CompiledMatch::Scope::turn) lo = hi = m->turn < 0 ? static_cast<int64_t>(turns) + m->turn : m->turn;
    if (turns == 0 || lo < 0 || hi >= static_cast<int64_t>(turns)) {
      g.met = false;
      g.explanation = turns == 0 ? "the doctor has not spoken" : "the doctor turn in scope does not exist";
      continue;
    }
    const auto ulo = static_cast<uint32_t>(lo), uhi = static_cast<uint32_t>(hi);
    bool met = true;
    std::string why;
    if (!m->any.empty()) {
      Found f = find_any(m->any, text.speech, ulo, uhi, m->polarity, m->question);
      if (!f.found) met = false, why = "none of the phrases occurs";
      else why = format("'{}' in doctor turn {}", f.label, f.turn);
    }
    for (size_t k = 0; met && k < m->all.size(); ++k) {
      std::vector<CompiledMatch::Alternatives> one{m->all[k]};
      if (!find_any(one, text.speech, ulo, uhi, m->polarity, m->question).found)
        met = false, why = format("'{}' does not occur", m->all[k].label);
    }
    if (met && !m->none.empty()) {
      Found f = find_any(m->none, text.speech, ulo, uhi, m->polarity, m->question);
      if (f.found) met = false, why = format("excluded '{}' in doctor turn {}", f.label, f.turn);
    }
    if (met && m->has_diagnosis >= 0) {
      bool present = text.diagnosis.has_turn(ulo, uhi);
      if (present != (m->has_diagnosis == 1))
        met = false, why = present ? "a DIAGNOSIS: line is present" : "no DIAGNOSIS: line";
    }
    if (met && !m->diagnosis.empty()) {
      Found f = find_any(m->diagnosis, text.diagnosis, ulo, uhi, CompiledMatch::Polarity::affirmed, false);
      if (!f.found) met = false, why = "the DIAGNOSIS: line names none of the accepted diagnoses";
      else why = format("DIAGNOSIS: line names '{}'", f.label);
    }
    g.met = met;
    g.explanation = why.empty() ? std::string(met ? "every condition holds" : "a condition fails") : std::move(why);
  }
  return result;
}

}  // namespace clinrl::rubric
