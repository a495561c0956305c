#pragma once
// Text in, per-token log-probs out over a checkpoint directory: what
// `clinrl score` runs. A plain text is encoded as the tokenizer encodes with
// special tokens (HF's tokenizer(text)); a conversation is rendered with the
// chat template, no generation prompt.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/model/sampler.h"

namespace clinrl::model {

struct ScoreInput {
  std::optional<std::string> text;    // exactly one of text and messages
  std::vector<ChatMessage> messages;
};

// {"text": "..."} or {"messages": [{"role", "content"}, ...]}; UserError
// "WHERE: ..." naming the field otherwise (WHERE is e.g. "FILE:LINE").
ScoreInput parse_score_input(const core::Json& value, const std::string& where);
// One input per non-blank line; errors name the file and the line.
std::vector<ScoreInput> read_score_inputs(const std::filesystem::path& jsonl);

struct ScoredAlternative {
  int64_t id = 0;
  std::string token;  // the vocabulary's spelling
  float logprob = 0;
};

struct ScoredText {
  std::vector<int64_t> ids;
  std::vector<std::string> tokens;               // the vocabulary's spelling of each id (HF convert_ids_to_tokens)
  std::vector<float> logprobs;                   // log p(ids[t] | ids[<t]) in float32; [0] has no context (0)
  std::vector<std::vector<ScoredAlternative>> top;  // per position the top_n alternatives, best first; [0] empty
  double total_logprob() const;                  // sum over positions 1..T-1
};

class TextScorer {
 public:
  TextScorer(const std::filesystem::path& checkpoint, const ChatModelOptions& options);
  // UserError when the input encodes to no tokens or exceeds the model's context.
  ScoredText score(const ScoreInput& input, int64_t top_n = 0) const;
  // The ids score() feeds for `input`.
  std::vector<int64_t> encode(const ScoreInput& input) const;
  const ChatModel& model() const { return model_; }

 private:
  mutable ChatModel model_;
};

// {"ids", "tokens", "logprobs" (first null), "total_logprob", and with top_n
// "top_logprobs": per position null or [{"id", "token", "logprob"}, ...]}.
core::Json to_json(const ScoredText& scored, bool with_top);

}  // namespace clinrl::model
