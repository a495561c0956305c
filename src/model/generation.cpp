#include "clinrl/model/generation.h"

#include <algorithm>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/token_logprobs.h"

namespace clinrl::model {

void StopOptions::validate() const {
  if (max_new_tokens <= 0)
    throw std::invalid_argument(core::format("max_new_tokens must be positive, got {}", max_new_tokens));
  for (const auto& s : stop_strings)
    if (s.empty()) throw std::invalid_argument("stop_strings must not contain an empty string");
}

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::eos: return "eos";
    case StopReason::stop_string: return "stop_string";
    case StopReason::max_new_tokens: return "max_new_tokens";
    case StopReason::context_full: return "context_full";
  }
  return "?";
}

namespace {
void check_distinct(const std::vector<int64_t>& ids) {
  std::vector<int64_t> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("GenerationSession: a sequence is listed twice in one call");
}
}  // namespace

GenerationSession::GenerationSession(Transformer model, SessionOptions options)
    : model_(std::move(model)), options_(options) {
  TORCH_CHECK(options_.initial_capacity > 0 && options_.prefill_chunk > 0, "GenerationSession: bad options");
  cache_ = KVCache(model_->options(), 1, options_.initial_capacity, model_->dtype(), model_->device());
}

GenerationSession::Sequence& GenerationSession::get(int64_t id) {
  auto it = seqs_.find(id);
  if (it == seqs_.end()) throw std::invalid_argument(core::format("GenerationSession: no live sequence {}", id));
  return it->second;
}
const GenerationSession::Sequence& GenerationSession::get(int64_t id) const {
  return const_cast<GenerationSession*>(this)->get(id);
}

int64_t GenerationSession::add() {
  Sequence s;
  if (!free_slots_.empty()) {
    s.slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    s.slot = next_slot_++;
  }
  int64_t id = next_id_++;
  seqs_.emplace(id, std::move(s));
  return id;
}

void GenerationSession::release(int64_t id) {
  auto& s = get(id);
  free_slots_.push_back(s.slot);
  seqs_.erase(id);
}

const std::vector<int64_t>& GenerationSession::tokens(int64_t id) const { return get(id).tokens; }

void GenerationSession::append(const std::vector<int64_t>& ids, const std::vector<std::vector<int64_t>>& tokens) {
  if (ids.size() != tokens.size())
    throw std::invalid_argument("GenerationSession::append: one token list per sequence");
  const int64_t vocab = model_->options().vocab_size;
  for (size_t i = 0; i < ids.size(); ++i)
    for (auto t : tokens[i])
      if (t < 0 || t >= vocab)
        throw std::invalid_argument(core::format("GenerationSession::append: token {} outside the vocabulary (size {})", t, vocab));
  for (size_t i = 0; i < ids.size(); ++i) {
    auto& s = get(ids[i]);
    s.tokens.insert(s.tokens.end(), tokens[i].begin(), tokens[i].end());
  }
}

torch::Tensor GenerationSession::feed(const std::vector<Sequence*>& rows, const std::vector<int64_t>& ends) {
  const int64_t B = static_cast<int64_t>(rows.size());
  int64_t T = 0, max_end = 0, max_slot = 0;
  for (int64_t b = 0; b < B; ++b) {
    T = std::max(T, ends[b] - rows[b]->cached);
    max_end = std::max(max_end, rows[b]->cached);
    max_slot = std::max(max_slot, rows[b]->slot);
  }
  // Padding positions of short rows are written past their end and never attended.
  const int64_t key_length = max_end + T;
  cache_.reserve(max_slot + 1, key_length);

  std::vector<int64_t> ids(B * T, 0), slots(B), offsets(B), last(B);
  bool prefix = true;
  for (int64_t b = 0; b < B; ++b) {
    const auto* s = rows[b];
    int64_t n = ends[b] - s->cached;
    std::copy(s->tokens.begin() + s->cached, s->tokens.begin() + ends[b], ids.begin() + b * T);
    slots[b] = s->slot;
    offsets[b] = s->cached;
    last[b] = n - 1;
    prefix = prefix && s->slot == b;
  }
  auto dev = model_->device();
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  auto to_dev = [&](std::vector<int64_t>& v, std::vector<int64_t> shape) {
    return torch::from_blob(v.data(), shape, i64).clone().to(dev);
  };
  auto offsets_t = to_dev(offsets, {B});
  auto steps = torch::arange(T, i64.device(dev)).view({1, T});
  ForwardArgs args;
  args.ids = to_dev(ids, {B, T});
  args.positions = offsets_t.view({B, 1}) + steps;                             // [B, T]
  auto keys = torch::arange(key_length, i64.device(dev)).view({1, 1, 1, key_length});
  args.mask = keys <= args.positions.view({B, 1, T, 1});                        // [B, 1, T, Tk]
  CacheView view;
  view.cache = &cache_;
  view.rows = to_dev(slots, {B});
  view.offsets = offsets_t;
  view.key_length = key_length;
  view.rows_are_prefix = prefix;
  args.cache = &view;
  args.logits = false;
  auto out = model_->run(args);
  auto idx = to_dev(last, {B});
  auto h = out.hidden.index({torch::arange(B, i64.device(dev)), idx});  // [B, hidden]
  for (int64_t b = 0; b < B; ++b) rows[b]->cached = ends[b];
  return model_->project(h).to(torch::kFloat32);
}

void GenerationSession::prefill(const std::vector<int64_t>& ids) {
  torch::NoGradGuard no_grad;
  check_distinct(ids);
  while (true) {
    std::vector<Sequence*> rows;
    std::vector<int64_t> ends;
    for (auto id : ids) {
      auto& s = get(id);
      int64_t pending = static_cast<int64_t>(s.tokens.size()) - s.cached;
      if (pending > 0) {
        rows.push_back(&s);
        ends.push_back(s.cached + std::min(pending, options_.prefill_chunk));
      }
    }
    if (rows.empty()) return;
    feed(rows, ends);
  }
}

void GenerationSession::prefill_all_but_last(const std::vector<Sequence*>& rows) {
  while (true) {
    std::vector<Sequence*> r;
    std::vector<int64_t> e;
    for (auto* s : rows) {
      int64_t pending = static_cast<int64_t>(s->tokens.size()) - 1 - s->cached;
      if (pending > 0) {
        r.push_back(s);
        e.push_back(s->cached + std::min(pending, options_.prefill_chunk));
      }
    }
    if (r.empty()) return;
    feed(r, e);
  }
}

GenerationSession::Sequence& GenerationSession::ready(int64_t id) {
  auto& s = get(id);
  if (s.tokens.empty()) throw std::invalid_argument(core::format("GenerationSession: sequence {} is empty", id));
  // Fully prefilled: feed the last token again (it rewrites identical keys) to get its logits.
  if (s.cached == static_cast<int64_t>(s.tokens.size())) s.cached -= 1;
  return s;
}

torch::Tensor GenerationSession::next_logits(const std::vector<int64_t>& ids) {
  torch::NoGradGuard no_grad;
  check_distinct(ids);
  std::vector<Sequence*> rows;
  std::vector<int64_t> ends;
  for (auto id : ids) {
    rows.push_back(&ready(id));
    ends.push_back(static_cast<int64_t>(rows.back()->tokens.size()));
  }
  prefill_all_but_last(rows);
  return feed(rows, ends);
}

void GenerationSession::set_rng(int64_t id, const Rng& rng) {
  auto& s = get(id);
  s.sample_key = Rng(rng).next_u64();
  s.key_ready = true;
}

void GenerationSession::set_top_logprobs(int64_t id, int64_t n) {
  if (n < 0 || n > max_top_logprobs)
    throw std::invalid_argument(core::format("top_logprobs must be in [0, {}], got {}", max_top_logprobs, n));
  get(id).top_logprobs = n;
}

std::vector<Generation> GenerationSession::generate(const std::vector<int64_t>& ids, const SamplerOptions& sampler,
                                                    const StopOptions& stop, const DecodeFn& decode,
                                                    const TokenCallback& on_token) {
  return generate(ids, std::vector<SamplerOptions>(ids.size(), sampler), std::vector<StopOptions>(ids.size(), stop),
                  decode, on_token);
}

std::vector<Generation> GenerationSession::generate(const std::vector<int64_t>& ids,
                                                    const std::vector<SamplerOptions>& samplers,
                                                    const std::vector<StopOptions>& stops, const DecodeFn& decode,
                                                    const TokenCallback& on_token) {
  if (samplers.size() != ids.size() || stops.size() != ids.size())
    throw std::invalid_argument("GenerationSession::generate: one sampler and one stop option per sequence");
  for (size_t i = 0; i < ids.size(); ++i) {
    samplers[i].validate();
    stops[i].validate();
    if (!stops[i].stop_strings.empty() && !decode)
      throw std::invalid_argument("GenerationSession::generate: stop_strings need a decode callback");
  }
  check_distinct(ids);
  torch::NoGradGuard no_grad;
  const int64_t max_len = model_->options().max_position_embeddings;
  std::vector<Generation> results(ids.size());
  std::vector<Sequence*> rows;
  for (auto id : ids) {
    auto& s = ready(id);
    if (static_cast<int64_t>(s.tokens.size()) >= max_len)
      throw std::invalid_argument(core::format("GenerationSession: sequence {} already fills the context ({} tokens)", id, max_len));
    if (!s.key_ready) {
      s.sample_key = Rng::stream(samplers[rows.size()].seed, "sample", static_cast<uint64_t>(id)).next_u64();
      s.key_ready = true;
    }
    rows.push_back(&s);
  }
  prefill_all_but_last(rows);
  std::vector<size_t> active(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) active[i] = i;
  while (!active.empty()) {
    std::vector<Sequence*> r;
    std::vector<int64_t> e;
    std::vector<SampleRow> draws;
    int64_t report = 0;
    for (auto i : active) {
      r.push_back(rows[i]);
      e.push_back(static_cast<int64_t>(rows[i]->tokens.size()));
      // Counter: the index the new token takes in its sequence.
      draws.push_back({samplers[i], rows[i]->sample_key, e.back(), &rows[i]->tokens});
      report = std::max(report, rows[i]->top_logprobs);
    }
    auto logits = feed(r, e);  // [b, vocab] float32, on the model's device
    // Only [b] ids and log-probs (and [b, report] alternatives when asked) reach the host.
    auto picks = sample_tokens(logits, draws).to_host();
    std::vector<std::vector<SampledToken>> alternatives;
    if (report > 0) alternatives = top_token_logprobs(logits, std::min(report, logits.size(1))).to_host();
    std::vector<size_t> still;
    for (size_t b = 0; b < active.size(); ++b) {
      size_t i = active[b];
      auto* s = rows[i];
      const auto& stop = stops[i];
      const auto& pick = picks[b];
      auto& g = results[i];
      g.tokens.push_back(pick.token);
      g.logprobs.push_back(pick.logprob);
      std::vector<SampledToken> top;
      if (s->top_logprobs > 0) {
        top.assign(alternatives[b].begin(),
                   alternatives[b].begin() + std::min<int64_t>(s->top_logprobs, static_cast<int64_t>(alternatives[b].size())));
        g.top_logprobs.push_back(top);
      }
      s->tokens.push_back(pick.token);
      if (on_token) on_token(ids[i], pick.token, pick.logprob, top);
      bool done = true;
      if (std::find(stop.eos_ids.begin(), stop.eos_ids.end(), pick.token) != stop.eos_ids.end()) {
        g.stop_reason = StopReason::eos;
      } else if (!stop.stop_strings.empty() && [&] {
                   auto text = decode(g.tokens);
                   for (const auto& ss : stop.stop_strings)
                     if (text.find(ss) != std::string::npos) return true;
                   return false;
                 }()) {
        g.stop_reason = StopReason::stop_string;
      } else if (static_cast<int64_t>(g.tokens.size()) >= stop.max_new_tokens) {
        g.stop_reason = StopReason::max_new_tokens;
      } else if (static_cast<int64_t>(s->tokens.size()) >= max_len) {
        g.stop_reason = StopReason::context_full;
      } else {
        done = false;
      }
      if (!done) still.push_back(i);
    }
    active.swap(still);
  }
  return results;
}

}  // namespace clinrl::model
