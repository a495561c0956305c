#include "clinrl/sim/llm_realiser.h"

#include <chrono>
#include <stdexcept>

#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"

namespace clinrl::sim {
namespace {

// What one rule statement asks the LLM to convey; "" for statements it does not word.
std::string instruction(const Statement& s) {
  switch (s.kind) {
    case ContentKind::kGreeting: return "greet the doctor";
    case ContentKind::kChiefComplaint: return "say you have come about your " + s.subject;
    case ContentKind::kFact: return "tell the doctor: \"" + s.text + "\"";
    case ContentKind::kResult: return "give this result exactly as written: " + s.text;
    case ContentKind::kResultNotInRecord: return "say the " + s.subject + " result was normal";
    case ContentKind::kUnrecordedNegative:
      return s.subject.empty() ? "say no, you have not noticed that" : "say you have not had " + s.subject;
    case ContentKind::kUnrecordedUnknown:
      return s.subject.empty() ? "say you are not sure" : "say you are not sure about " + s.subject;
    case ContentKind::kWithheld: return "politely decline to talk about that for now, revealing nothing about it";
    case ContentKind::kNothingMore: return "say nothing else comes to mind";
    case ContentKind::kNotUnderstood: return "say you did not understand the question and ask the doctor to put it another way";
    case ContentKind::kAcknowledge: return "thank the doctor";
    case ContentKind::kInvalid: return "say you did not catch what the doctor said";
    case ContentKind::kRepetition: return "say the doctor has already asked you that";
    case ContentKind::kFinalTurn:  // an instruction to the doctor, appended verbatim
    case ContentKind::kFiller: return "";
  }
  return "";
}

std::string persona_guidance(const Persona& p) {
  std::string out = "Your manner: ";
  out += p.verbosity == "terse" ? "you answer in as few words as possible" :
         p.verbosity == "verbose" ? "you are talkative" : "you answer in a sentence or two";
  out += p.anxiety == "high" ? "; you are anxious about your health" : "; you are calm";
  out += p.literacy == "clinical" ? "; you know medical terms" : "; you use everyday words, not medical terms";
  if (p.style == "warm") out += "; you are friendly and polite";
  if (p.style == "blunt") out += "; you are blunt";
  if (p.style == "rambling") out += "; you tend to ramble, but without adding facts";
  if (p.recall == "poor") out += "; you are unsure of details";
  return out + ".";
}

// The reply as the patient's words: no quotes, no "Patient:" label.
std::string clean_reply(std::string text) {
  text = core::trim(text);
  for (const char* label : {"Patient:", "patient:", "PATIENT:"})
    if (text.rfind(label, 0) == 0) text = core::trim(text.substr(std::string(label).size()));
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = core::trim(text.substr(1, text.size() - 2));
  return text;
}

int64_t elapsed_us(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void LlmPatientOptions::validate() const {
  if (max_attempts < 1) throw std::invalid_argument("max_attempts: must be at least 1");
  if (temperature < 0) throw std::invalid_argument("temperature: must be >= 0");
  if (max_tokens < 1) throw std::invalid_argument("max_tokens: must be at least 1");
  backend.validate();
}

LlmRealiser::LlmRealiser(std::shared_ptr<core::LanguageModel> model, std::shared_ptr<const Lexicon> lexicon,
                         LlmPatientOptions options)
    : model_(std::move(model)), rules_(make_rule_realiser(lexicon)), checker_(lexicon), options_(options) {
  if (!model_) throw std::invalid_argument("LlmRealiser: no language model");
  options_.validate();
}

core::Conversation LlmRealiser::prompt(const RealisationInput& in, const std::vector<Statement>& rule_statements) {
  std::string system =
      "You are role-playing a patient in a consultation with a doctor. " + persona_guidance(*in.persona) +
      "\nRules: speak in the first person, as the patient, in plain spoken English. Say ONLY what the list in the "
      "doctor's message asks you to convey; never add a symptom, number, test result, medication, history item or "
      "diagnosis that is not in that list, and never guess your diagnosis. Reply with the patient's words only: no "
      "quotation marks, labels or stage directions.";
  std::string user = in.opening ? std::string("(The consultation begins; the doctor is listening.)")
                                : "The doctor says: \"" + std::string(in.doctor_utterance) + "\"";
  user += "\n\nYour reply must convey exactly this, and nothing else:";
  for (const auto& s : rule_statements) {
    std::string what = instruction(s);
    if (!what.empty()) user += "\n- " + what;
  }
  return {{"system", system}, {"user", user}};
}

void LlmRealiser::realise(const RealisationInput& in, Rng& rng, std::vector<Statement>& out) const {
  std::vector<Statement> rule_statements;
  rules_->realise(in, rng, rule_statements);
  std::vector<Statement> spoken, appended;  // appended: the final-turn instruction, verbatim
  for (auto& s : rule_statements) (s.kind == ContentKind::kFinalTurn ? appended : spoken).push_back(std::move(s));
  bool has_words = false;
  for (const auto& s : spoken) has_words = has_words || !instruction(s).empty();
  if (!has_words) {
    out.insert(out.end(), spoken.begin(), spoken.end());
    out.insert(out.end(), appended.begin(), appended.end());
    return;
  }

  ++turns_;
  core::Conversation messages = prompt(in, spoken);
  core::ChatOptions chat;
  chat.temperature = options_.temperature;
  chat.max_tokens = options_.max_tokens;
  // From a copy: the turn stays replayable and the episode's stream moves
  // exactly as with the rule wording.
  const uint64_t seed = Rng(rng).next_u64();
  std::string accepted;
  for (int attempt = 0; attempt < options_.max_attempts && accepted.empty(); ++attempt) {
    chat.seed = seed + static_cast<uint64_t>(attempt);
    std::string reply;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      std::unique_lock<std::mutex> lock(model_mutex_, std::defer_lock);
      if (!model_->concurrent()) lock.lock();
      ++requests_;
      reply = clean_reply(model_->chat(messages, chat));
    } catch (const std::exception& e) {
      ++errors_;
      log::warn("LLM patient: backend error on attempt {}: {}", attempt + 1, e.what());
      wait_us_ += elapsed_us(t0);
      continue;
    }
    wait_us_ += elapsed_us(t0);
    FactCheck check = checker_.check(*in.record, spoken, reply, in.revealed);
    if (reply.empty()) check.violations.push_back("is empty");
    if (check.ok()) {
      accepted = reply;
      break;
    }
    ++rejected_;
    log::debug("LLM patient: reply {} rejected: it {}", attempt + 1, core::join(check.violations, "; it "));
    messages.push_back({"assistant", reply});
    messages.push_back({"user", "That reply is not allowed: it " + core::join(check.violations, "; it ") +
                                    ". Reply again, conveying only the listed content."});
  }
  if (accepted.empty()) {
    if (!options_.fallback_to_rules)
      throw std::runtime_error(core::format("LLM patient: no acceptable reply for record {} after {} attempts",
                                            in.record->id, options_.max_attempts));
    ++fallbacks_;
    out.insert(out.end(), spoken.begin(), spoken.end());
  } else {
    // One text for the turn; the statements keep their provenance (kind, fact).
    for (size_t i = 0; i < spoken.size(); ++i) {
      spoken[i].text = i == 0 ? accepted : std::string();
      out.push_back(std::move(spoken[i]));
    }
  }
  out.insert(out.end(), appended.begin(), appended.end());
}

LlmPatientStats LlmRealiser::stats() const {
  return {turns_.load(), requests_.load(), rejected_.load(), errors_.load(), fallbacks_.load(),
          static_cast<double>(wait_us_.load()) * 1e-6};
}

int LlmRealiser::concurrency() const { return model_->concurrent() ? options_.backend.concurrency : 1; }

}  // namespace clinrl::sim
