#include "clinrl/rl/rollout.h"
#include "rollout_progress.h"

#include <algorithm>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/parallel.h"
#include "clinrl/model/generation.h"

namespace clinrl::rl {

void RolloutOptions::validate() const {
  if (max_turn_tokens < 1) throw std::invalid_argument(core::format("max_turn_tokens must be >= 1, got {}", max_turn_tokens));
  if (max_episode_tokens <= max_turn_tokens)
    throw std::invalid_argument(core::format("max_episode_tokens ({}) must exceed max_turn_tokens ({})",
                                             max_episode_tokens, max_turn_tokens));
  if (max_generation_batch < 0)
    throw std::invalid_argument(core::format(
        "max_generation_batch must be >= 0 (episodes generating at once; 0 = all), got {}", max_generation_batch));
  sampler.validate();
}

core::Conversation to_conversation(const sim::Episode& episode, const std::string& system_prompt) {
  core::Conversation messages;
  if (!system_prompt.empty()) messages.push_back({"system", system_prompt});
  for (const auto& turn : episode.turns) messages.push_back({turn.role == "doctor" ? "assistant" : "user", turn.text});
  return messages;
}

namespace {

std::vector<int64_t> to_int64(const std::vector<int32_t>& ids) { return {ids.begin(), ids.end()}; }

// Tokens that follow a doctor turn's stop token: the patient's reply as a user
// message, then the prompt for the next doctor turn. Derived from the chat
// template itself (the suffix past the stop token of a rendered exchange), so
// it holds for any template whose assistant messages end in a stop id.
class ReplyEncoder {
 public:
  explicit ReplyEncoder(const model::ChatTemplate& chat) : chat_(chat) {
    const auto& stops = chat.stop_ids();
    auto probe = chat.render({{"user", "x"}, {"assistant", "x"}}, false).ids;
    for (size_t i = probe.size(); i-- > 0;)
      if (std::find(stops.begin(), stops.end(), probe[i]) != stops.end()) {
        prefix_ = i + 1;
        break;
      }
    if (prefix_ == 0) throw UserError("chat template: an assistant message does not end with a stop token");
    turn_end_ = probe[prefix_ - 1];
  }
  std::vector<int64_t> encode(const std::string& reply) const {
    auto ids = chat_.render({{"user", "x"}, {"assistant", "x"}, {"user", reply}}, true).ids;
    return {ids.begin() + static_cast<long>(prefix_), ids.end()};
  }
  int64_t turn_end() const { return turn_end_; }

 private:
  const model::ChatTemplate& chat_;
  size_t prefix_ = 0;
  int64_t turn_end_ = 0;
};

struct Live {
  size_t job = 0;
  int64_t sequence = 0;
  sim::EpisodeState state;
};

void add_tokens(EpisodeTokens& e, const std::vector<int64_t>& ids, const std::vector<float>* logp) {
  for (size_t i = 0; i < ids.size(); ++i) {
    e.ids.push_back(ids[i]);
    e.policy_mask.push_back(logp ? 1 : 0);
    e.old_logp.push_back(logp ? (*logp)[i] : 0.0f);
  }
}

std::vector<RolloutEpisode> play(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs, const RolloutOptions& options,
                                 uint64_t sampler_seed, bool keep_cache, const EpisodeFinished* on_finished = nullptr) {
  torch::NoGradGuard no_grad;
  const auto& chat = *policy.chat;
  ReplyEncoder replies(chat);
  model::GenerationSession session(policy.model);
  model::SamplerOptions sampler = options.sampler;
  sampler.seed = sampler_seed;
  model::StopOptions stop;
  stop.eos_ids = policy.stop_ids();
  stop.max_new_tokens = options.max_turn_tokens;
  const int64_t context = std::min<int64_t>(options.max_episode_tokens,
                                            policy.model->options().max_position_embeddings);

  std::vector<RolloutEpisode> out(jobs.size());
  std::vector<Live> live;
  const size_t cap = options.max_generation_batch > 0 ? static_cast<size_t>(options.max_generation_batch) : jobs.size();
  live.reserve(std::min(cap, jobs.size()));
  size_t next_job = 0;
  size_t finished = 0;
  auto finish = [&] {
    ++finished;
    if (on_finished && *on_finished) (*on_finished)(finished, jobs.size());
  };
  // An LLM patient words the replies of all live episodes at once.
  int patient_workers = 1;
  for (const auto& job : jobs) patient_workers = std::max(patient_workers, job.simulator->realiser().concurrency());
  // Starts waiting jobs, in order, while there is room.
  auto admit = [&] {
    std::vector<Live> admitted;
    for (; next_job < jobs.size() && live.size() + admitted.size() < cap; ++next_job)
      admitted.push_back({next_job, session.add(), jobs[next_job].simulator->new_episode()});
    core::parallel_for(admitted.size(), patient_workers,
                       [&](size_t i) { admitted[i].state.reset(jobs[admitted[i].job].seed); });
    for (auto& l : admitted) {
      const size_t j = l.job;
      // The job's own stream, so its draws do not depend on when it was admitted.
      const int64_t stream = jobs[j].sample_stream >= 0 ? jobs[j].sample_stream : static_cast<int64_t>(j);
      session.set_rng(l.sequence, Rng::stream(sampler_seed, "sample", static_cast<uint64_t>(stream)));
      auto prompt = to_int64(chat.render(to_conversation(l.state.transcript(), options.system_prompt), true).ids);
      add_tokens(out[j].tokens, prompt, nullptr);
      session.append(l.sequence, prompt);
      live.push_back(std::move(l));
    }
  };

  for (admit(); !live.empty(); admit()) {
    // Episodes without room for another turn end here, truncated.
    std::vector<Live> playing;
    for (auto& l : live) {
      if (static_cast<int64_t>(out[l.job].tokens.ids.size()) + options.max_turn_tokens > context) {
        out[l.job].truncated = true;
        out[l.job].tokens.truncated = true;
        out[l.job].transcript = l.state.transcript();
        session.release(l.sequence);
        finish();
      } else {
        playing.push_back(std::move(l));
      }
    }
    live = std::move(playing);
    if (live.empty()) continue;  // room for waiting jobs, if any

    if (!keep_cache) {
      // Baseline: forget every cache and feed each dialogue again from its start.
      for (auto& l : live) {
        session.release(l.sequence);
        l.sequence = session.add();
        session.append(l.sequence, out[l.job].tokens.ids);
      }
    }
    std::vector<int64_t> sequences;
    for (const auto& l : live) sequences.push_back(l.sequence);
    auto generations = session.generate(sequences, sampler, stop);

    std::vector<std::string> doctor_texts(live.size());
    std::vector<bool> ended_turn(live.size());
    for (size_t i = 0; i < live.size(); ++i) {
      auto& episode = out[live[i].job];
      const auto& g = generations[i];
      add_tokens(episode.tokens, g.tokens, &g.logprobs);
      ++episode.doctor_turns;
      ended_turn[i] = g.stop_reason == model::StopReason::eos;
      // Ids past the tokenizer (a checkpoint's padded vocabulary rows) carry no text.
      std::vector<int32_t> text_ids;
      for (auto it = g.tokens.begin(); it != g.tokens.end() - (ended_turn[i] ? 1 : 0); ++it)
        if (*it < chat.tokenizer().vocab_size()) text_ids.push_back(static_cast<int32_t>(*it));
      doctor_texts[i] = chat.tokenizer().decode(text_ids, /*skip_special=*/true);
    }
    std::vector<sim::PatientTurn> turns(live.size());
    core::parallel_for(live.size(), patient_workers,
                       [&](size_t i) { turns[i] = live[i].state.step(doctor_texts[i]); });

    std::vector<Live> next;
    for (size_t i = 0; i < live.size(); ++i) {
      Live& l = live[i];
      auto& episode = out[l.job];
      const auto& turn = turns[i];
      if (turn.done) {
        episode.transcript = l.state.transcript();
        session.release(l.sequence);
        finish();
        continue;
      }
      std::vector<int64_t> suffix;
      if (!ended_turn[i]) suffix.push_back(replies.turn_end());  // close the cut-off turn (context, no loss)
      auto reply = replies.encode(turn.text);
      suffix.insert(suffix.end(), reply.begin(), reply.end());
      add_tokens(episode.tokens, suffix, nullptr);
      if (keep_cache) session.append(l.sequence, suffix);
      next.push_back(std::move(l));
    }
    live = std::move(next);
  }
  return out;
}

}  // namespace

std::vector<RolloutEpisode> roll_out(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                     const RolloutOptions& options, uint64_t sampler_seed) {
  return play(policy, jobs, options, sampler_seed, true);
}

std::vector<RolloutEpisode> roll_out(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                     const RolloutOptions& options, uint64_t sampler_seed,
                                     const EpisodeFinished& on_finished) {
  return play(policy, jobs, options, sampler_seed, true, &on_finished);
}

std::vector<RolloutEpisode> roll_out_reencoding(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                                const RolloutOptions& options, uint64_t sampler_seed) {
  return play(policy, jobs, options, sampler_seed, false);
}

}  // namespace clinrl::rl
