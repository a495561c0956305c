#pragma once
// What a finished rollout hands to the GRPO update: the episode's whole token
// sequence with the policy's own tokens marked, and their log-probs at
// sampling time.
#include <cstdint>
#include <string>
#include <vector>

#include "clinrl/model/loss_positions.h"

namespace clinrl::rl {

struct EpisodeTokens {
  std::vector<int64_t> ids;         // prompt, every doctor and patient turn, in order
  std::vector<uint8_t> policy_mask; // 1 on tokens the policy sampled (the only ones with loss)
  std::vector<float> old_logp;      // log-prob of each sampled token at rollout time; 0 elsewhere
  bool truncated = false;           // cut by the turn or token cap
  int64_t policy_tokens() const {
    int64_t n = 0;
    for (uint8_t m : policy_mask) n += m;
    return n;
  }
  // Whether token t enters the loss: sampled by the policy at a position that can carry loss.
  bool carries_loss(size_t t) const {
    return model::position_carries_loss(static_cast<int64_t>(t)) && policy_mask[t];
  }
  int64_t loss_tokens() const {
    int64_t n = 0;
    for (size_t t = 0; t < policy_mask.size(); ++t) n += carries_loss(t);
    return n;
  }
};

}  // namespace clinrl::rl
