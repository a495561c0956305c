#include "clinrl/rubric/llm_judge.h"

#include <stdexcept>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"

namespace clinrl::rubric {

using core::format;

void LlmJudgeOptions::validate() const {
  core::check_range("max_attempts", max_attempts, 1, 100);
  core::check_range("chat.temperature", chat.temperature, 0, 5);
  core::check_positive("chat.max_tokens", chat.max_tokens);
}

const std::string& default_judge_template() {
  static const std::string text =
      "You are grading one reply in a medical conversation against a single rubric item.\n"
      "Judge only the final assistant turn; earlier turns are context.\n\n"
      "## Conversation\n<<conversation>>\n\n"
      "## Rubric item (points in brackets)\n<<rubric_item>>\n\n"
      "## How to decide\n"
      "- Answer whether the final assistant turn does what the item describes. Decide the facts, not the merit:\n"
      "  an item with negative points describes a mistake, and criteria_met is true only if the reply makes it.\n"
      "- When the item lists several requirements, all of them must hold.\n"
      "- When the item gives examples (\"such as\", \"e.g.\", \"including\"), any fitting example is enough;\n"
      "  the reply need not repeat the listed ones.\n\n"
      "## Answer format\n"
      "Reply with a single JSON object and nothing else:\n"
      "{\"explanation\": \"<one or two sentences of reasoning>\", \"criteria_met\": <true or false>}\n";
  return text;
}

const std::string& default_negative_judge_template() {
  static const std::string text =
      "You are checking one reply in a medical conversation for a specific failure.\n"
      "Judge only the final assistant turn; earlier turns are context.\n\n"
      "## Conversation\n<<conversation>>\n\n"
      "## Failure to look for (a penalty, points in brackets)\n<<rubric_item>>\n\n"
      "## How to decide\n"
      "- criteria_met is true only when the final assistant turn clearly commits this failure.\n"
      "- A reply that avoids the failure, or does the opposite, gets false, however short it is.\n\n"
      "## Answer format\n"
      "Reply with a single JSON object and nothing else:\n"
      "{\"explanation\": \"<one or two sentences of reasoning>\", \"criteria_met\": <true or false>}\n";
  return text;
}

std::string format_conversation(const core::Conversation& conversation) {
  std::string out;
  for (size_t i = 0; i < conversation.size(); ++i) {
    if (i) out += "\n\n";
    out += conversation[i].role;
    out += ": ";
    out += conversation[i].content;
  }
  return out;
}

std::string format_rubric_item(const RubricItem& item) { return format("[{}] {}", item.points, item.criterion); }

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(text.size() + to.size());
  size_t pos = 0;
  for (;;) {
    size_t hit = text.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(text, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(text, pos, std::string::npos);
  text.swap(out);
}

std::string load_template(const std::string& path, const std::string& fallback) {
  if (path.empty()) return fallback;
  std::string text = core::read_file(path);
  if (text.find("<<conversation>>") == std::string::npos || text.find("<<rubric_item>>") == std::string::npos)
    throw UserError(format("{}: a judge template needs both <<conversation>> and <<rubric_item>> placeholders", path));
  return text;
}

}  // namespace

std::string fill_template(const std::string& text, const std::string& conversation, const std::string& rubric_item) {
  // Fill the rubric item first, so that a conversation that happens to
  // contain "<<rubric_item>>" is left as written.
  std::string out = text;
  const std::string marker = "\x01clinrl-conversation\x01";
  replace_all(out, "<<conversation>>", marker);
  replace_all(out, "<<rubric_item>>", rubric_item);
  replace_all(out, marker, conversation);
  return out;
}

std::optional<JudgeAnswer> parse_judge_answer(const std::string& reply) {
  // As the reference: strip a leading ```json and a trailing ``` fence.
  std::string text = core::trim(reply);
  if (core::starts_with(text, "```json")) text = core::trim(text.substr(7));
  else if (core::starts_with(text, "```")) text = core::trim(text.substr(3));
  if (core::ends_with(text, "```")) text = core::trim(text.substr(0, text.size() - 3));
  core::Json j = core::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto met = j.find("criteria_met");
  if (met == j.end() || !met->is_boolean()) return std::nullopt;
  JudgeAnswer a;
  a.criteria_met = met->get<bool>();
  auto e = j.find("explanation");
  if (e != j.end()) a.explanation = e->is_string() ? e->get<std::string>() : core::dump_json(*e);
  return a;
}

LlmJudgeGrader::LlmJudgeGrader(core::LanguageModel& model, LlmJudgeOptions options)
    : model_(&model), options_(std::move(options)) {
  options_.validate();
  template_ = load_template(options_.template_path, default_judge_template());
  if (!options_.negative_template_path.empty())
    negative_template_ = load_template(options_.negative_template_path, "");
  else
    negative_template_ = options_.separate_negative_template ? default_negative_judge_template() : template_;
}

GradeResult LlmJudgeGrader::grade(const core::Conversation& conversation, const Rubric& rubric) {
  GradeResult result;
  result.items.resize(rubric.size());
  const std::string convo = format_conversation(conversation);
  std::vector<core::Conversation> requests(rubric.size());
  for (size_t i = 0; i < rubric.size(); ++i) {
    const std::string& tmpl = rubric[i].points < 0 ? negative_template_ : template_;
    requests[i] = {{"user", fill_template(tmpl, convo, format_rubric_item(rubric[i]))}};
  }
  std::vector<size_t> pending(rubric.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (int attempt = 1; attempt <= options_.max_attempts && !pending.empty(); ++attempt) {
    std::vector<core::Conversation> batch;
    batch.reserve(pending.size());
    for (size_t i : pending) batch.push_back(requests[i]);
    requests_ += batch.size();
    std::vector<std::string> replies;
    try {
      replies = model_->chat_batch(batch, options_.chat);
    } catch (const std::runtime_error& e) {
      // A backend that failed for good (an HTTP error after its retries, an
      // unusable response) costs this attempt, like an unparsable answer.
      log::warn("judge: attempt {} for {} item(s) failed: {}", attempt, batch.size(), e.what());
      replies.assign(batch.size(), std::string());
    }
    if (replies.size() != batch.size())
      throw std::runtime_error(format("judge backend returned {} replies for {} requests", replies.size(), batch.size()));
    std::vector<size_t> again;
    for (size_t k = 0; k < pending.size(); ++k) {
      auto answer = parse_judge_answer(replies[k]);
      if (answer) {
        result.items[pending[k]] = {answer->criteria_met, answer->explanation};
      } else {
        again.push_back(pending[k]);
        result.items[pending[k]].explanation =
            format("ungraded: no usable judge answer after {} attempt(s)", attempt);
      }
    }
    pending.swap(again);
  }
  if (!pending.empty()) log::warn("judge: {} of {} rubric items ungraded after {} attempts", pending.size(),
                                  rubric.size(), options_.max_attempts);
  return result;
}

}  // namespace clinrl::rubric
