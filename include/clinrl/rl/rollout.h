#pragma once
// Multi-turn rollouts: the policy plays the doctor against simulated
// patients. All live episodes generate their next turn in one batched call;
// each keeps its KV cache across turns and the patient's reply is appended by
// prefill, never by re-encoding the dialogue.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/model/sampler.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rl/rollout_types.h"
#include "clinrl/sim/simulator.h"

namespace clinrl::rl {

struct RolloutOptions {
  int64_t max_turn_tokens = 64;       // new tokens per doctor turn
  int64_t max_episode_tokens = 1024;  // the whole dialogue; longer episodes are truncated
  int64_t max_generation_batch = 0;   // episodes generating at once (bounds the KV cache); more wait; 0 = all
  model::SamplerOptions sampler;
  std::string system_prompt =
      "You are a doctor. Take a focused history, one or two questions at a time. "
      "Request tests with 'REQUEST TEST: <name>'. When you know enough, write "
      "'DIAGNOSIS: <diagnosis>' with a plan and safety-netting advice.";

  template <class V>
  void fields(V& v) {
    v("max_turn_tokens", max_turn_tokens);
    v("max_episode_tokens", max_episode_tokens);
    v("max_generation_batch", max_generation_batch);
    v("sampler", sampler);
    v("system_prompt", system_prompt);
  }
  void validate() const;
};

// One episode to play: a simulator (record + options) and the episode seed.
struct EpisodeJob {
  std::shared_ptr<const sim::PatientSimulator> simulator;
  uint64_t seed = 0;
  // The job's sampling stream under the rollout's sampler seed; -1 = its
  // position in the job list. A rank playing a share of a step's jobs passes
  // the step-wide index, so the episode does not depend on the rank.
  int64_t sample_stream = -1;
};

struct RolloutEpisode {
  sim::Episode transcript;
  EpisodeTokens tokens;
  int64_t doctor_turns = 0;
  bool truncated = false;  // cut by max_episode_tokens
};

// The dialogue as chat messages: system prompt, patient = user, doctor = assistant.
core::Conversation to_conversation(const sim::Episode& episode, const std::string& system_prompt);

// Plays every job to the end. `sampler_seed` seeds each episode's sampling
// stream (with the job index), so a rollout replays exactly. At most
// max_generation_batch episodes are live at once; a job waits, in order, for
// a finished one's slot, and its episode is the same as without the cap.
std::vector<RolloutEpisode> roll_out(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                     const RolloutOptions& options, uint64_t sampler_seed);

// The same episodes without a KV cache kept across turns: every turn re-encodes
// the whole dialogue. Only for the benchmark's baseline.
std::vector<RolloutEpisode> roll_out_reencoding(model::ChatModel& policy, const std::vector<EpisodeJob>& jobs,
                                                const RolloutOptions& options, uint64_t sampler_seed);

}  // namespace clinrl::rl
