#pragma once
// The local backend: a checkpoint run in this process with libtorch, behind
// core::LanguageModel (for the judge and the patient) and an OpenAI-style
// complete() (for the server). Every request of a call, and every one of its
// n choices, is generated in shared batched forward passes; each choice
// samples from its own stream Rng::stream(seed, "completion", k), so a
// request gives the same text alone or batched with others.
// Header free of libtorch: the policy is held behind a pointer.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/model/chat_model_options.h"

namespace clinrl::model {
struct ChatModel;
}

namespace clinrl::llm {

struct LocalModelOptions {
  // Dir with config.json, model.safetensors, tokenizer.json; load() requires it
  // (validate() does not, so a config may carry an unused local section).
  std::string checkpoint;
  model::ChatModelOptions load;  // dtype, device, chat (keys at this level)
  int64_t max_batch = 32;        // sequences per batched generation

  template <class V>
  void fields(V& v) {
    v("checkpoint", checkpoint);
    load.fields(v);
    v("max_batch", max_batch);
  }
  void validate() const;
};

// One OpenAI-style chat completion request.
struct CompletionRequest {
  core::Conversation messages;
  double temperature = 0;  // 0 = greedy
  double top_p = 1;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;  // cut from the text (not included), as OpenAI does
  uint64_t seed = 0;
  int64_t n = 1;  // choices
  bool logprobs = false;     // report each content token's log-prob
  int64_t top_logprobs = 0;  // and its most likely alternatives (0..20; needs logprobs)

  // std::invalid_argument naming the field ("temperature", "n", "stop[1]", ...).
  void validate() const;
};

// One alternative at a token position; `bytes` are the token's exact bytes
// (it may hold part of a UTF-8 character).
struct TopLogprob {
  std::string bytes;
  float logprob = 0;  // log p under the model (temperature 1, unfiltered)
};

// One generated content token (the end-of-turn token and tokens that lie
// wholly in a cut stop string are not content).
struct TokenLogprob {
  int64_t id = 0;
  std::string bytes;
  float logprob = 0;
  std::vector<TopLogprob> top;  // request.top_logprobs of them, best first
};

struct CompletionChoice {
  std::string text;
  std::string finish_reason;  // "stop" (end of turn or a stop string) | "length" (max_tokens or context)
  int64_t completion_tokens = 0;
  std::vector<TokenLogprob> logprobs;  // when request.logprobs
};

struct CompletionResult {
  std::vector<CompletionChoice> choices;  // n of them, choice k at index k
  int64_t prompt_tokens = 0;
};

// Streaming: text pieces of choice `choice` of request `request`, as they
// become final (a piece never contains a stop string or half a character),
// with the content tokens (when request.logprobs) that begin in them. The
// pieces of a choice concatenate to its final text, and their tokens to its logprobs.
using CompletionTextCallback = std::function<void(size_t request, int64_t choice, const std::string& piece,
                                                  const std::vector<TokenLogprob>& tokens)>;

// check()'s error for a prompt that fills the model's context, so a server can
// tell it from other bad requests (OpenAI's "context_length_exceeded").
struct ContextLengthExceeded : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class LocalLanguageModel : public core::LanguageModel {
 public:
  // Loads the checkpoint (UserError naming the directory when it cannot).
  static std::unique_ptr<LocalLanguageModel> load(const LocalModelOptions& options);
  // For callers holding a ChatModel (options.checkpoint only names the model).
  explicit LocalLanguageModel(model::ChatModel policy, LocalModelOptions options);
  ~LocalLanguageModel() override;

  // Throws std::invalid_argument naming the field when the request cannot be
  // served (bad values; ContextLengthExceeded for a prompt that fills the context).
  void check(const CompletionRequest& request) const;
  // All requests (and all n choices of each) generated together in batched
  // calls of at most max_batch sequences; results in request order. Checks
  // every request first. Not thread-safe.
  std::vector<CompletionResult> complete(const std::vector<CompletionRequest>& requests,
                                         const CompletionTextCallback& on_text = {});

  std::string chat(const core::Conversation& messages, const core::ChatOptions& options) override;
  // One batched generation for all conversations.
  std::vector<std::string> chat_batch(const std::vector<core::Conversation>& requests,
                                      const core::ChatOptions& options) override;

  const std::string& model_name() const;  // the checkpoint directory's name
  int64_t context_length() const;         // the model's max_position_embeddings
  model::ChatModel& policy();
  const LocalModelOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The request a LanguageModel::chat call stands for.
CompletionRequest to_completion_request(const core::Conversation& messages, const core::ChatOptions& options);

}  // namespace clinrl::llm
