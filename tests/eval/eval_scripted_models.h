#pragma once
// Scripted language models for the eval tests: a policy whose reply is a
// function of the prompt (and of the seed when sampling), and a judge that
// answers from a table of the exact prompts it expects.
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/core/language_model.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/rubric/suite.h"

namespace clinrl::test {

// Greedy (temperature 0): "Reply to: <first 40 bytes of the last message>".
// Sampling: the same plus " [seed N]", and "alpha" or "omega" by the seed's parity.
inline std::string scripted_reply(const core::Conversation& messages, const core::ChatOptions& options) {
  std::string text = "Reply to: " + messages.back().content.substr(0, 40);
  if (options.temperature > 0)
    text += " [seed " + std::to_string(options.seed) + "] " + (options.seed % 2 ? "alpha" : "omega");
  return text;
}

class ScriptedPolicy : public core::LanguageModel {
 public:
  std::string chat(const core::Conversation& messages, const core::ChatOptions& options) override {
    return scripted_reply(messages, options);
  }
  std::vector<std::string> chat_batch(const std::vector<core::Conversation>& requests,
                                      const core::ChatOptions& options) override {
    batch_sizes.push_back(requests.size());
    return LanguageModel::chat_batch(requests, options);
  }
  std::vector<size_t> batch_sizes;  // one entry per chat_batch call
};

// Answers {"explanation", "criteria_met"} for every prompt in its table and
// an unusable reply otherwise (which the LLM judge grader counts as ungraded).
class ScriptedJudge : public core::LanguageModel {
 public:
  void expect(const std::string& prompt, bool met, const std::string& why) {
    auto [it, fresh] = table_.emplace(prompt, std::make_pair(met, why));
    if (!fresh && it->second.first != met) throw std::logic_error("two different answers for one judge prompt");
  }
  std::string chat(const core::Conversation& messages, const core::ChatOptions&) override {
    ++calls;
    auto it = table_.find(messages.at(0).content);
    if (it == table_.end()) return "I cannot tell.";
    return core::dump_json({{"explanation", it->second.second}, {"criteria_met", it->second.first}});
  }
  size_t calls = 0;

 private:
  std::map<std::string, std::pair<bool, std::string>> table_;
};

// Expects, for every example of `suite` answered by `reply(example)`, the
// default template's prompt for each rubric item, with `met(item index)`.
inline void expect_suite(ScriptedJudge& judge, const rubric::Suite& suite,
                         const std::function<std::string(const rubric::SuiteExample&)>& reply,
                         const std::function<bool(size_t)>& met) {
  for (const auto& ex : suite.examples) {
    core::Conversation conversation = ex.prompt;
    conversation.push_back({"assistant", reply(ex)});
    const std::string convo = rubric::format_conversation(conversation);
    for (size_t i = 0; i < ex.rubrics.size(); ++i) {
      const std::string& tmpl = rubric::default_judge_template();
      judge.expect(rubric::fill_template(tmpl, convo, rubric::format_rubric_item(ex.rubrics[i])), met(i),
                   "item " + std::to_string(i) + " of " + ex.prompt_id);
    }
  }
}

}  // namespace clinrl::test
