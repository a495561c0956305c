#include "clinrl/llm/local_language_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/device.h"
#include "clinrl/model/generation.h"
#include "clinrl/model/chat_model.h"

namespace clinrl::llm {

using core::format;

void LocalModelOptions::validate() const {
  load.validate();
  if (max_batch < 1) throw std::invalid_argument(format("max_batch must be at least 1, got {}", max_batch));
}

void CompletionRequest::validate() const {
  if (messages.empty()) throw std::invalid_argument("messages: at least one message is required");
  for (size_t i = 0; i < messages.size(); ++i)
    if (messages[i].role.empty()) throw std::invalid_argument(format("messages[{}].role: must not be empty", i));
  if (!std::isfinite(temperature) || temperature < 0)
    throw std::invalid_argument(format("temperature: must be >= 0, got {}", temperature));
  if (!std::isfinite(top_p) || !(top_p > 0 && top_p <= 1))
    throw std::invalid_argument(format("top_p: must be in (0, 1], got {}", top_p));
  if (max_tokens < 1) throw std::invalid_argument(format("max_tokens: must be at least 1, got {}", max_tokens));
  if (n < 1 || n > 128) throw std::invalid_argument(format("n: must be in [1, 128], got {}", n));
  for (size_t i = 0; i < stop.size(); ++i)
    if (stop[i].empty()) throw std::invalid_argument(format("stop[{}]: must not be empty", i));
  if (top_logprobs < 0 || top_logprobs > model::GenerationSession::max_top_logprobs)
    throw std::invalid_argument(
        format("top_logprobs: must be in [0, {}], got {}", model::GenerationSession::max_top_logprobs, top_logprobs));
  if (top_logprobs > 0 && !logprobs) throw std::invalid_argument("top_logprobs: needs logprobs: true");
}

CompletionRequest to_completion_request(const core::Conversation& messages, const core::ChatOptions& options) {
  CompletionRequest r;
  r.messages = messages;
  r.temperature = options.temperature;
  r.max_tokens = options.max_tokens;
  r.seed = options.seed;
  return r;
}

namespace {

std::string name_of(const std::string& checkpoint) {
  if (checkpoint.empty()) return "local";
  std::filesystem::path p = std::filesystem::path(checkpoint).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  std::string name = p.filename().string();
  return name.empty() || name == "." ? "local" : name;
}

// Offset of the earliest stop string in `text` (npos when none).
size_t stop_offset(const std::string& text, const std::vector<std::string>& stops) {
  size_t cut = std::string::npos;
  for (const auto& s : stops) cut = std::min(cut, text.find(s));
  return cut;
}

// How much of `text` (the decoded reply so far, no stop string in it) is
// final: trailing U+FFFD may still become a character when more bytes come,
// and a tail that begins a stop string may still become one.
size_t settled_length(const std::string& text, const std::vector<std::string>& stops) {
  static const std::string replacement = "\xEF\xBF\xBD";
  size_t end = text.size();
  while (end >= 3 && text.compare(end - 3, 3, replacement) == 0) end -= 3;
  size_t hold = 0;
  for (const auto& s : stops)
    for (size_t len = std::min(s.size() - 1, end); len > hold; --len)
      if (text.compare(end - len, len, s, 0, len) == 0) {
        hold = len;
        break;
      }
  return end - hold;
}

const char* finish_reason(model::StopReason r) {
  return r == model::StopReason::eos || r == model::StopReason::stop_string ? "stop" : "length";
}

}  // namespace

struct LocalLanguageModel::Impl {
  model::ChatModel policy;
  LocalModelOptions options;
  std::string name;
  std::vector<int64_t> eos_ids;  // the template's end-of-turn ids and the model's EOS ids

  std::vector<int32_t> decodable(const std::vector<int64_t>& ids) const {
    // Ids past the tokenizer's (a model's padded vocabulary) decode to nothing.
    std::vector<int32_t> out;
    out.reserve(ids.size());
    for (auto id : ids)
      if (id >= 0 && id < policy.tokenizer->vocab_size() && policy.tokenizer->id_to_token(static_cast<int32_t>(id)))
        out.push_back(static_cast<int32_t>(id));
    return out;
  }
  std::string text(const std::vector<int64_t>& ids) const {
    return policy.tokenizer->decode(decodable(ids), /*skip_special=*/true);
  }
  // The exact bytes of one id, special tokens spelled out ("" past the tokenizer).
  std::string bytes_of(int64_t id) const { return policy.tokenizer->decode_bytes(decodable({id}), false); }
  TokenLogprob entry(const model::Generation& g, size_t t) const {
    TokenLogprob e{g.tokens[t], bytes_of(g.tokens[t]), g.logprobs[t], {}};
    if (t < g.top_logprobs.size())
      for (const auto& a : g.top_logprobs[t]) e.top.push_back({bytes_of(a.token), a.logprob});
    return e;
  }
  // How many leading tokens are content: those that begin before byte
  // `content_bytes` of the reply (where a stop string was cut), never a
  // final end-of-turn token.
  size_t content_tokens(const std::vector<int64_t>& tokens, size_t content_bytes, bool ended_by_eos) const {
    const size_t n = tokens.size() - (ended_by_eos && !tokens.empty() ? 1 : 0);
    size_t offset = 0, t = 0;
    for (; t < n && offset < content_bytes; ++t) offset += policy.tokenizer->decode_bytes(decodable({tokens[t]}), true).size();
    return t;
  }
  std::vector<int32_t> prompt(const CompletionRequest& r) const {
    return policy.chat->render(r.messages, /*add_generation_prompt=*/true).ids;
  }
};

std::unique_ptr<LocalLanguageModel> LocalLanguageModel::load(const LocalModelOptions& options) {
  try {
    options.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(format("local model: {}", e.what()));
  } catch (const UserError& e) {
    throw UserError(format("local model: {}", e.what()));
  }
  if (options.checkpoint.empty()) throw UserError("local model: no checkpoint directory given");
  if (!std::filesystem::is_directory(options.checkpoint))
    throw UserError(format("{}: not a checkpoint directory", options.checkpoint));
  return std::make_unique<LocalLanguageModel>(model::ChatModel::load(options.checkpoint, options.load), options);
}

LocalLanguageModel::LocalLanguageModel(model::ChatModel policy, LocalModelOptions options)
    : impl_(std::make_unique<Impl>(Impl{std::move(policy), std::move(options), "", {}})) {
  auto& m = *impl_;
  if (!m.policy.model || !m.policy.tokenizer || !m.policy.chat)
    throw std::invalid_argument("LocalLanguageModel: the policy has no model, tokenizer or chat template");
  if (m.options.max_batch < 1) throw std::invalid_argument("LocalLanguageModel: max_batch must be at least 1");
  m.policy.model->eval();
  m.name = name_of(m.options.checkpoint);
  m.eos_ids = m.policy.stop_ids();
  for (auto id : m.policy.model->options().eos_token_ids) m.eos_ids.push_back(id);
}

LocalLanguageModel::~LocalLanguageModel() = default;

const std::string& LocalLanguageModel::model_name() const { return impl_->name; }
int64_t LocalLanguageModel::context_length() const { return impl_->policy.model->options().max_position_embeddings; }
model::ChatModel& LocalLanguageModel::policy() { return impl_->policy; }
const LocalModelOptions& LocalLanguageModel::options() const { return impl_->options; }

void LocalLanguageModel::check(const CompletionRequest& request) const {
  request.validate();
  const auto tokens = static_cast<int64_t>(impl_->prompt(request).size());
  if (tokens >= context_length())
    throw ContextLengthExceeded(format("messages: the prompt has {} tokens but the model's context holds {}", tokens,
                                       context_length()));
}

std::vector<CompletionResult> LocalLanguageModel::complete(const std::vector<CompletionRequest>& requests,
                                                           const CompletionTextCallback& on_text) {
  auto& m = *impl_;
  for (const auto& r : requests) check(r);

  // One job per choice; jobs run in batches of at most max_batch sequences.
  struct Job {
    size_t request = 0;
    int64_t choice = 0;
    std::vector<int32_t> prompt;
    std::string streamed;  // text already passed to on_text
    size_t reported = 0;   // content tokens already passed to on_text
  };
  std::vector<CompletionResult> results(requests.size());
  std::vector<Job> jobs;
  for (size_t r = 0; r < requests.size(); ++r) {
    auto prompt = m.prompt(requests[r]);
    results[r].prompt_tokens = static_cast<int64_t>(prompt.size());
    results[r].choices.resize(static_cast<size_t>(requests[r].n));
    for (int64_t k = 0; k < requests[r].n; ++k) jobs.push_back({r, k, prompt, "", 0});
  }

  const int64_t context = context_length();
  model::DecodeFn decode = [&](const std::vector<int64_t>& ids) { return m.text(ids); };
  for (size_t begin = 0; begin < jobs.size(); begin += static_cast<size_t>(m.options.max_batch)) {
    const size_t end = std::min(jobs.size(), begin + static_cast<size_t>(m.options.max_batch));
    int64_t longest = 1;
    for (size_t j = begin; j < end; ++j)
      longest = std::max(longest, static_cast<int64_t>(jobs[j].prompt.size()) + requests[jobs[j].request].max_tokens);
    model::SessionOptions session_options;
    session_options.initial_capacity = std::min(longest, context);
    model::GenerationSession session(m.policy.model, session_options);

    std::vector<int64_t> seqs;
    std::vector<model::SamplerOptions> samplers;
    std::vector<model::StopOptions> stops;
    std::map<int64_t, Job*> job_of;
    for (size_t j = begin; j < end; ++j) {
      const auto& req = requests[jobs[j].request];
      int64_t seq = session.add();
      session.append(seq, std::vector<int64_t>(jobs[j].prompt.begin(), jobs[j].prompt.end()));
      session.set_rng(seq, Rng::stream(req.seed, "completion", static_cast<uint64_t>(jobs[j].choice)));
      if (req.logprobs) session.set_top_logprobs(seq, req.top_logprobs);
      model::SamplerOptions s;
      s.temperature = req.temperature;
      s.top_p = req.top_p;
      s.seed = req.seed;
      model::StopOptions stop;
      stop.eos_ids = m.eos_ids;
      stop.stop_strings = req.stop;
      stop.max_new_tokens = req.max_tokens;
      seqs.push_back(seq);
      samplers.push_back(s);
      stops.push_back(stop);
      job_of[seq] = &jobs[j];
    }

    // Log-prob entries of the tokens [job.reported, end) of a generation so far.
    auto entries = [&](Job& job, const model::Generation& g, size_t end) {
      std::vector<TokenLogprob> out;
      if (!requests[job.request].logprobs) return out;
      for (size_t t = job.reported; t < end; ++t) out.push_back(m.entry(g, t));
      job.reported = std::max(job.reported, end);
      return out;
    };
    // What on_token sees of a generation in progress (the session's tokens;
    // log-probs arrive through the callback).
    std::map<int64_t, model::Generation> partial;
    auto is_eos = [&](int64_t token) { return std::find(m.eos_ids.begin(), m.eos_ids.end(), token) != m.eos_ids.end(); };
    model::TokenCallback on_token;
    if (on_text)
      on_token = [&](int64_t seq, int64_t token, float logprob, const std::vector<model::SampledToken>& top) {
        Job& job = *job_of.at(seq);
        auto& g = partial[seq];
        g.tokens.push_back(token);
        g.logprobs.push_back(logprob);
        g.top_logprobs.push_back(top);
        const auto& stop = requests[job.request].stop;
        std::string text = m.text(g.tokens);
        size_t settled = std::min(stop_offset(text, stop), settled_length(text, stop));
        if (settled > job.streamed.size() && text.compare(0, job.streamed.size(), job.streamed) == 0) {
          on_text(job.request, job.choice, text.substr(job.streamed.size(), settled - job.streamed.size()),
                  entries(job, g, m.content_tokens(g.tokens, settled, is_eos(token))));
          job.streamed = text.substr(0, settled);
        }
      };

    auto generations = session.generate(seqs, samplers, stops, decode, on_token);
    for (size_t i = 0; i < seqs.size(); ++i) {
      Job& job = *job_of.at(seqs[i]);
      const auto& req = requests[job.request];
      const auto& g = generations[i];
      std::string text = m.text(g.tokens);
      const size_t cut = stop_offset(text, req.stop);
      text = text.substr(0, std::min(text.size(), cut));
      auto& choice = results[job.request].choices[static_cast<size_t>(job.choice)];
      const size_t content = m.content_tokens(g.tokens, cut, g.stop_reason == model::StopReason::eos);
      if (req.logprobs)
        for (size_t t = 0; t < content; ++t) choice.logprobs.push_back(m.entry(g, t));
      if (on_text && (text.size() > job.streamed.size() || job.reported < content))
        on_text(job.request, job.choice, text.substr(std::min(job.streamed.size(), text.size())), entries(job, g, content));
      choice.text = std::move(text);
      choice.finish_reason = finish_reason(g.stop_reason);
      choice.completion_tokens = static_cast<int64_t>(g.tokens.size());
    }
  }
  return results;
}

std::string LocalLanguageModel::chat(const core::Conversation& messages, const core::ChatOptions& options) {
  return complete({to_completion_request(messages, options)})[0].choices[0].text;
}

std::vector<std::string> LocalLanguageModel::chat_batch(const std::vector<core::Conversation>& requests,
                                                        const core::ChatOptions& options) {
  std::vector<CompletionRequest> batch;
  batch.reserve(requests.size());
  for (const auto& r : requests) batch.push_back(to_completion_request(r, options));
  std::vector<std::string> out;
  for (auto& result : complete(batch)) out.push_back(std::move(result.choices[0].text));
  return out;
}

}  // namespace clinrl::llm
