#include "clinrl/rubric/dialogue_text.h"

#include <algorithm>
#include <cctype>

#include "clinrl/core/strings.h"

namespace clinrl::rubric {

namespace {

bool is_clause_break(char c) { return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':' || c == '\n'; }
bool is_sentence_end(char c) { return c == '.' || c == '!' || c == '?' || c == '\n'; }

bool matches_at(const std::vector<std::string>& tokens, const std::vector<TokenInfo>& info, size_t p,
                const Phrase& cue) {
  if (p + cue.size() > tokens.size()) return false;
  for (size_t k = 0; k < cue.size(); ++k)
    if (tokens[p + k] != cue[k] || info[p + k].clause != info[p].clause) return false;
  return true;
}

}  // namespace

void TextChannel::add_turn(std::string_view text, uint32_t turn, const Lexicon& lex) {
  // Split into clauses by punctuation; a sentence is a run of clauses ending in . ! ? or a newline.
  size_t sentence_start_token = tokens_.size();
  size_t start = 0;
  auto close_sentence = [&](bool question) {
    for (size_t i = sentence_start_token; i < tokens_.size(); ++i) info_[i].question = question;
    sentence_start_token = tokens_.size();
  };
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : '\n';
    if (!is_clause_break(c)) continue;
    // "3.5" or "e.g." should not split much; a break needs a non-digit after it.
    if ((c == '.' || c == ',') && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) continue;
    for (auto& tok : stemmed_words(text.substr(start, i - start))) {
      // Terminators ("but") start a new clause themselves.
      if (std::find(lex.terminators.begin(), lex.terminators.end(), tok) != lex.terminators.end()) ++next_clause_;
      tokens_.push_back(std::move(tok));
      info_.push_back(TokenInfo{turn, next_clause_, false, false, false});
    }
    ++next_clause_;
    if (is_sentence_end(c)) close_sentence(c == '?');
    start = i + 1;
  }
  close_sentence(false);
}

void TextChannel::finish(const Lexicon& lex) {
  const size_t n = tokens_.size();
  positions_.clear();
  for (uint32_t p = 0; p < n; ++p) positions_[std::string_view(tokens_[p])].push_back(p);
  // Cue occurrences, found through the word index rather than by scanning.
  auto for_each_cue = [&](const std::vector<Phrase>& cues, auto&& on_match) {
    for (const auto& cue : cues) {
      auto it = positions_.find(std::string_view(cue[0]));
      if (it == positions_.end()) continue;
      for (uint32_t p : it->second)
        if (matches_at(tokens_, info_, p, cue)) on_match(p, cue.size());
    }
  };
  // Tokens inside a pseudo-negation ("don't hesitate", "cannot rule out") start no cue.
  std::vector<bool> pseudo(n, false);
  for_each_cue(lex.negation_pseudo, [&](size_t p, size_t len) {
    for (size_t k = 0; k < len; ++k) pseudo[p + k] = true;
  });
  for_each_cue(lex.negation_before, [&](size_t p, size_t len) {
    if (pseudo[p]) return;
    size_t end = std::min(n, p + len + static_cast<size_t>(lex.negation_window));
    for (size_t q = p + len; q < end && info_[q].clause == info_[p].clause; ++q) info_[q].negated = true;
  });
  for_each_cue(lex.negation_after, [&](size_t p, size_t) {
    if (pseudo[p]) return;
    // Reaches back over up to three tokens of the same clause.
    for (size_t back = 1; back <= 3 && back <= p && info_[p - back].clause == info_[p].clause; ++back)
      info_[p - back].negated_after = true;
  });
}

bool TextChannel::has_turn(uint32_t first_turn, uint32_t last_turn) const {
  for (const auto& i : info_)
    if (i.turn >= first_turn && i.turn <= last_turn) return true;
  return false;
}

DialogueText DialogueText::build(const core::Conversation& conversation, const Lexicon& lex) {
  DialogueText out;
  for (const auto& m : conversation) {
    if (m.role != "assistant" && m.role != "doctor") continue;
    uint32_t turn = out.doctor_turns++;
    out.speech.add_turn(m.content, turn, lex);
    for (const auto& line : core::split(m.content, '\n')) {
      std::string t = core::trim(line);
      std::string lower = core::to_lower(t);
      while (!lower.empty() && (lower[0] == '*' || lower[0] == '#')) {  // "**DIAGNOSIS:**" in markdown
        lower.erase(0, 1);
        t.erase(0, 1);
      }
      size_t skip = 0;
      if (core::starts_with(lower, "final diagnosis")) skip = 15;
      else if (core::starts_with(lower, "diagnosis")) skip = 9;
      else continue;
      std::string rest = t.substr(skip);
      size_t k = 0;
      while (k < rest.size() && (rest[k] == ' ' || rest[k] == '*')) ++k;
      if (k >= rest.size() || rest[k] != ':') continue;
      out.diagnosis.add_turn(std::string_view(rest).substr(k + 1), turn, lex);
    }
  }
  out.speech.finish(lex);
  out.diagnosis.finish(lex);
  return out;
}

}  // namespace clinrl::rubric
