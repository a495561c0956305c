#pragma once
// What the evaluator needs from a policy: replies to a batch of
// conversations, each request with its own options (its own seed, so an
// answer never depends on which other prompts share its batch).
#include <string>
#include <vector>

#include "clinrl/core/language_model.h"

namespace clinrl::eval {

struct ReplyRequest {
  core::Conversation messages;
  core::ChatOptions options;
};

class ReplyGenerator {
 public:
  virtual ~ReplyGenerator() = default;
  // One reply per request, in request order.
  virtual std::vector<std::string> generate(const std::vector<ReplyRequest>& batch) = 0;
};

// Any core::LanguageModel (a local checkpoint, an HTTP endpoint, a scripted
// test model). Its chat_batch takes one set of options, so requests that
// share their options go through one chat_batch call: with greedy decoding
// (temperature 0) the seed is irrelevant and the whole batch is one call;
// sampled requests, each with its own seed, go one by one.
class LanguageModelReplies : public ReplyGenerator {
 public:
  explicit LanguageModelReplies(core::LanguageModel& model) : model_(&model) {}
  std::vector<std::string> generate(const std::vector<ReplyRequest>& batch) override;

 private:
  core::LanguageModel* model_;
};

}  // namespace clinrl::eval
