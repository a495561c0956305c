#pragma once
// Position 0 never carries loss: no token precedes it to predict it from, so
// token_logprobs leaves column 0 at 0. Every loss mask (SFT packing, GRPO
// batches and their normaliser) asks here rather than restating it.
#include <cstdint>

namespace clinrl::model {

constexpr bool position_carries_loss(int64_t position) { return position > 0; }

}  // namespace clinrl::model
