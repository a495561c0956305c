#include "clinrl/eval/local_replies.h"

#include <stdexcept>

#include "clinrl/core/logging.h"

namespace clinrl::eval {

std::vector<std::string> LocalModelReplies::generate(const std::vector<ReplyRequest>& batch) {
  std::vector<std::string> out(batch.size());
  std::vector<llm::CompletionRequest> requests;
  std::vector<size_t> index;
  for (size_t i = 0; i < batch.size(); ++i) {
    llm::CompletionRequest r = llm::to_completion_request(batch[i].messages, batch[i].options);
    try {
      model_->check(r);
    } catch (const std::invalid_argument& e) {
      ++unanswered_;
      log::warn("eval: no reply generated ({}); it is graded as an empty reply", e.what());
      continue;
    }
    requests.push_back(std::move(r));
    index.push_back(i);
  }
  auto results = model_->complete(requests);
  for (size_t k = 0; k < results.size(); ++k) out[index[k]] = std::move(results[k].choices.at(0).text);
  return out;
}

}  // namespace clinrl::eval
