#pragma once
// Batched generation with a KV cache, built for multi-turn rollouts: a
// GenerationSession holds many sequences; each live one generates its next
// turn in one batched call, new tokens (a patient's reply) are appended to
// chosen sequences and prefilled, finished ones are released. Earlier turns
// are never re-encoded. Works on token ids only: no tokenizer needed.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "clinrl/core/rng.h"
#include "clinrl/model/kv_cache.h"
#include "clinrl/model/sampler.h"
#include "clinrl/model/transformer.h"

namespace clinrl::model {

struct StopOptions {
  std::vector<int64_t> eos_ids;           // sampled EOS is kept as the last token
  std::vector<std::string> stop_strings;  // need a decode callback
  int64_t max_new_tokens = 256;

  template <class V>
  void fields(V& v) {
    v("eos_ids", eos_ids);
    v("stop_strings", stop_strings);
    v("max_new_tokens", max_new_tokens);
  }
  void validate() const;
};

enum class StopReason { eos, stop_string, max_new_tokens, context_full };
const char* to_string(StopReason reason);

struct Generation {
  std::vector<int64_t> tokens;   // new tokens, including the EOS or the one completing a stop string
  std::vector<float> logprobs;   // log p(token) under the model, one per token
  // Per token, the n most likely tokens of its position (log p under the
  // model, best first, lowest id on ties) when set_top_logprobs(n) asked for them.
  std::vector<std::vector<SampledToken>> top_logprobs;
  StopReason stop_reason = StopReason::max_new_tokens;
};

// Text of a sequence's new tokens, for stop strings.
using DecodeFn = std::function<std::string(const std::vector<int64_t>& tokens)>;
// Streaming: called after every sampled token, with its alternatives (empty
// unless set_top_logprobs asked for them).
using TokenCallback =
    std::function<void(int64_t sequence, int64_t token, float logprob, const std::vector<SampledToken>& top)>;

struct SessionOptions {
  int64_t initial_capacity = 256;  // cache positions per slot before the first growth
  int64_t prefill_chunk = 512;     // tokens per row per prefill forward (bounds attention memory)
};

class GenerationSession {
 public:
  explicit GenerationSession(Transformer model, SessionOptions options = {});

  // A new, empty sequence; ids are never reused.
  int64_t add();
  // Queues tokens after each sequence's current end (a prompt, a patient's
  // reply); they are prefilled at the next prefill() or generate().
  void append(const std::vector<int64_t>& sequences, const std::vector<std::vector<int64_t>>& tokens);
  void append(int64_t sequence, const std::vector<int64_t>& tokens) {
    append(std::vector<int64_t>{sequence}, std::vector<std::vector<int64_t>>{tokens});
  }
  // Runs queued tokens through the model (batched over the sequences) into the cache.
  void prefill(const std::vector<int64_t>& sequences);
  // Logits [sequences, vocab] (float32) of the next token after each
  // sequence's queued tokens, which are fed through the model (prefill).
  torch::Tensor next_logits(const std::vector<int64_t>& sequences);
  // Generates for each sequence (each must hold at least one token) until it
  // stops; the result i belongs to sequences[i]. The last sampled token stays
  // queued, so a later append()/generate() continues right after it.
  std::vector<Generation> generate(const std::vector<int64_t>& sequences, const SamplerOptions& sampler,
                                   const StopOptions& stop, const DecodeFn& decode = {},
                                   const TokenCallback& on_token = {});
  // The same with sampling and stopping options per sequence: samplers[i] and
  // stops[i] belong to sequences[i] (requests with different settings share
  // one batch, as in a server).
  std::vector<Generation> generate(const std::vector<int64_t>& sequences, const std::vector<SamplerOptions>& samplers,
                                   const std::vector<StopOptions>& stops, const DecodeFn& decode = {},
                                   const TokenCallback& on_token = {});
  // From now on the sequence samples from `rng` instead of its default stream
  // Rng::stream(sampler.seed, "sample", sequence id): for callers whose draws
  // must not depend on which ids a session handed out (a served request
  // replays alone or batched). The stream's first number keys the sequence's
  // device noise; each draw is counted by the new token's index in the
  // sequence, so it depends on nothing else in the batch.
  void set_rng(int64_t sequence, const Rng& rng);
  // From now on every generated token of the sequence also reports the n
  // (0..max_top_logprobs) most likely tokens of its position.
  void set_top_logprobs(int64_t sequence, int64_t n);
  static constexpr int64_t max_top_logprobs = 20;
  // Frees the sequence's cache slot for reuse.
  void release(int64_t sequence);

  const std::vector<int64_t>& tokens(int64_t sequence) const;  // everything appended or generated
  int64_t live_sequences() const { return static_cast<int64_t>(seqs_.size()); }
  size_t cache_bytes() const { return cache_.bytes(); }
  Transformer& model() { return model_; }

 private:
  struct Sequence {
    int64_t slot = 0;
    std::vector<int64_t> tokens;
    int64_t cached = 0;  // tokens[0, cached) are in the cache
    bool key_ready = false;
    uint64_t sample_key = 0;  // keys the sequence's sampling noise (sample_noise.h)
    int64_t top_logprobs = 0;
  };
  Sequence& get(int64_t id);
  const Sequence& get(int64_t id) const;
  // Feeds each row's tokens [cached, end) (end <= size) through the model;
  // returns the logits [rows, vocab] (float32) at each row's last fed token.
  Sequence& ready(int64_t id);
  void prefill_all_but_last(const std::vector<Sequence*>& rows);
  torch::Tensor feed(const std::vector<Sequence*>& rows, const std::vector<int64_t>& ends);

  Transformer model_;
  SessionOptions options_;
  KVCache cache_;
  std::map<int64_t, Sequence> seqs_;
  std::vector<int64_t> free_slots_;
  int64_t next_id_ = 0, next_slot_ = 0;
};

}  // namespace clinrl::model
