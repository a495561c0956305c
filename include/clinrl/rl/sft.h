#pragma once
// Supervised warm start: next-token loss on the doctor's tokens of packed
// demonstration dialogues, AdamW with warmup + cosine, gradient clipping,
// validation loss.
#include <cstdint>
#include <string>
#include <vector>

#include "clinrl/rl/expert_doctor.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/optimizer_options.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/rl/sequence_packing.h"

namespace clinrl::rl {

struct SftOptions {
  int64_t demonstrations = 400;  // expert episodes played from the training records
  int64_t epochs = 2;
  int64_t row_length = 512;      // packed row length in tokens
  int64_t rows_per_batch = 8;    // rows per optimizer step
  int64_t micro_batch_rows = 0;  // rows per forward/backward, gradients accumulate over the batch; 0 = all
  bool activation_checkpointing = false;  // recompute each decoder layer in backward (less memory)
  int64_t eval_every = 20;       // steps between validation losses (and one at the end)
  std::string question_book = "data/rl/expert_questions.json";  // the expert's phrasings
  ExpertOptions expert;
  // total_steps is derived from the data (epochs x packed batches).
  OptimizerOptions optimizer = [] {
    OptimizerOptions o;
    o.lr = 3e-3;  // a tiny model from scratch learns fast; lower it for real checkpoints
    o.beta2 = 0.95;
    o.warmup_steps = 10;
    return o;
  }();

  template <class V>
  void fields(V& v) {
    v("demonstrations", demonstrations);
    v("epochs", epochs);
    v("row_length", row_length);
    v("rows_per_batch", rows_per_batch);
    v("micro_batch_rows", micro_batch_rows);
    v("activation_checkpointing", activation_checkpointing);
    v("eval_every", eval_every);
    v("question_book", question_book);
    v("expert", expert);
    v("optimizer", optimizer);
  }
  void validate() const;
};

struct SftReport {
  int64_t steps = 0;
  double first_train_loss = 0;
  double last_train_loss = 0;
  double first_val_loss = 0;  // before any step
  double last_val_loss = 0;
  int64_t tokens = 0;         // loss tokens seen
  double seconds = 0;
};

// Loss tokens of `batch`: what the mean negative log-likelihood divides by.
double loss_token_count(const PackedBatch& batch);

// Negative log-likelihood of the loss tokens of `batch` divided by
// `denominator` (0: the batch's own loss_token_count, i.e. the mean);
// differentiable, fp32 whatever the model dtype. The batch is moved to the
// model's device (a no-op when it is there already).
torch::Tensor packed_nll(model::Transformer& model, const PackedBatch& batch, double denominator = 0);

// Mean loss over all batches, without gradients, `micro_batch_rows` rows per
// forward (0 = a whole batch).
double evaluate_nll(model::Transformer& model, const std::vector<PackedBatch>& batches, int64_t micro_batch_rows = 0);

// Accumulates into the parameters' .grad the gradient of the batch's mean
// loss, `micro_batch_rows` rows per forward/backward (0 = all at once): each
// micro-batch's sum is divided by the whole batch's token count, so the sum of
// their gradients is the full-batch gradient. Returns the batch loss; throws
// NonFiniteError naming `step` when it is not finite. On several ranks
// (dist::world()) each runs its share of the rows and the gradients and the
// loss are summed over ranks: the result is the one-process one.
double sft_backward(model::Transformer& model, const PackedBatch& batch, int64_t micro_batch_rows, int64_t step);

// Trains `policy` in place; one metrics row per step ("sft_loss", "lr", ...)
// when `metrics` is given.
SftReport train_sft(model::ChatModel& policy, const std::vector<TokenizedDialogue>& train,
                    const std::vector<TokenizedDialogue>& val, const SftOptions& options, uint64_t seed,
                    MetricsWriter* metrics);

}  // namespace clinrl::rl
