#pragma once
// Replies from a checkpoint run in this process: every request of a batch,
// each with its own seed, goes into one llm::LocalLanguageModel::complete
// call (batched forward passes of at most max_batch sequences; a request's
// text does not depend on its batch neighbours).
#include <cstddef>
#include <string>
#include <vector>

#include "clinrl/eval/reply_generator.h"
#include "clinrl/llm/local_language_model.h"

namespace clinrl::eval {

class LocalModelReplies : public ReplyGenerator {
 public:
  explicit LocalModelReplies(llm::LocalLanguageModel& model) : model_(&model) {}
  // A prompt the model's context cannot hold gets an empty reply (graded as
  // such) and is counted in unanswered(), with a warning.
  std::vector<std::string> generate(const std::vector<ReplyRequest>& batch) override;
  size_t unanswered() const { return unanswered_; }

 private:
  llm::LocalLanguageModel* model_;
  size_t unanswered_ = 0;
};

}  // namespace clinrl::eval
