#include "clinrl/eval/reply_generator.h"

#include <stdexcept>

#include "clinrl/core/strings.h"

namespace clinrl::eval {
namespace {

bool same_call(const core::ChatOptions& a, const core::ChatOptions& b) {
  if (a.temperature != b.temperature || a.max_tokens != b.max_tokens) return false;
  return a.temperature == 0.0 || a.seed == b.seed;
}

}  // namespace

std::vector<std::string> LanguageModelReplies::generate(const std::vector<ReplyRequest>& batch) {
  std::vector<std::string> out(batch.size());
  std::vector<bool> done(batch.size(), false);
  for (size_t first = 0; first < batch.size(); ++first) {
    if (done[first]) continue;
    std::vector<size_t> group;
    std::vector<core::Conversation> conversations;
    for (size_t k = first; k < batch.size(); ++k)
      if (!done[k] && same_call(batch[first].options, batch[k].options)) {
        group.push_back(k);
        conversations.push_back(batch[k].messages);
        done[k] = true;
      }
    auto replies = model_->chat_batch(conversations, batch[first].options);
    if (replies.size() != group.size())
      throw std::runtime_error(core::format("language model returned {} replies for {} requests", replies.size(),
                                            group.size()));
    for (size_t g = 0; g < group.size(); ++g) out[group[g]] = std::move(replies[g]);
  }
  return out;
}

}  // namespace clinrl::eval
