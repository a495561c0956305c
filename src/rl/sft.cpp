#include "clinrl/rl/sft.h"

#include <chrono>
#include <cstdio>

#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/progress.h"
#include "clinrl/dist/tensor_buckets.h"
#include "clinrl/model/activation_checkpoint.h"
#include "clinrl/model/token_logprobs.h"
#include "clinrl/rl/data_parallel.h"
#include "clinrl/rl/lr_schedule.h"
#include "clinrl/rl/optimizer.h"
#include "clinrl/rl/peak_memory.h"

namespace clinrl::rl {

void SftOptions::validate() const {
  if (demonstrations < 1) throw std::invalid_argument(core::format("demonstrations must be >= 1, got {}", demonstrations));
  if (epochs < 1) throw std::invalid_argument(core::format("epochs must be >= 1, got {}", epochs));
  if (row_length < 16) throw std::invalid_argument(core::format("row_length must be >= 16, got {}", row_length));
  if (rows_per_batch < 1) throw std::invalid_argument(core::format("rows_per_batch must be >= 1, got {}", rows_per_batch));
  if (eval_every < 0) throw std::invalid_argument(core::format("eval_every must be >= 0, got {}", eval_every));
  if (micro_batch_rows < 0)
    throw std::invalid_argument(
        core::format("micro_batch_rows must be >= 0 (0 = the whole batch of rows_per_batch rows), got {}",
                     micro_batch_rows));
  expert.validate();
}

double loss_token_count(const PackedBatch& batch) {
  const int64_t T = batch.loss_mask.size(1);
  return batch.loss_mask.narrow(1, 1, T - 1).sum().item<double>();
}

torch::Tensor packed_nll(model::Transformer& model, const PackedBatch& packed, double denominator) {
  const PackedBatch batch = to_device(packed, model->device());
  model::ForwardArgs args;
  args.ids = batch.ids;
  args.positions = batch.positions;
  args.mask = document_causal_mask(batch.document);
  args.logits = false;
  auto hidden = model->run(args).hidden;  // [B, T, H]
  const int64_t B = hidden.size(0), T = hidden.size(1), H = hidden.size(2);
  auto inputs = hidden.narrow(1, 0, T - 1).reshape({B * (T - 1), H});
  auto targets = batch.ids.narrow(1, 1, T - 1).reshape({B * (T - 1)});
  // [B, T-1] float32 log-probs, so the sum below is fp32 in any model dtype.
  auto logp = model::chunked_target_logprobs(inputs, model->output_weight(), targets, 256).view({B, T - 1});
  auto mask = batch.loss_mask.narrow(1, 1, T - 1).to(torch::kFloat32);
  auto total = -(logp * mask).sum();
  if (denominator > 0) return total / denominator;
  return total / mask.sum().clamp_min(1.0);
}

namespace {

// Row slices of `rows` rows each (one slice when rows is 0 or covers the batch).
std::vector<PackedBatch> micro_batches(const PackedBatch& batch, int64_t rows) {
  const int64_t B = batch.ids.size(0);
  if (rows <= 0 || rows >= B) return {batch};
  std::vector<PackedBatch> out;
  for (int64_t start = 0; start < B; start += rows) out.push_back(slice_rows(batch, start, std::min(rows, B - start)));
  return out;
}

// "0.52 s/step"
std::string seconds_per_step(double seconds, int64_t steps) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f s/step", steps > 0 ? seconds / static_cast<double>(steps) : 0.0);
  return buf;
}

}  // namespace

double evaluate_nll(model::Transformer& model, const std::vector<PackedBatch>& batches, int64_t micro_batch_rows) {
  torch::NoGradGuard no_grad;
  double total = 0, weight = 0;
  for (const auto& b : batches) {
    for (const auto& micro : micro_batches(b, micro_batch_rows)) total += packed_nll(model, micro, 1.0).item<double>();
    weight += loss_token_count(b);
  }
  return weight > 0 ? total / weight : 0.0;
}

double sft_backward(model::Transformer& model, const PackedBatch& packed, int64_t micro_batch_rows, int64_t step) {
  const PackedBatch batch = to_device(packed, model->device());  // once per batch
  // The whole batch's loss tokens: every rank packs the same batch, so the
  // normaliser is global; this rank runs only its share of the rows.
  const double tokens = std::max(1.0, loss_token_count(batch));
  dist::ProcessGroup& world = dist::world();
  const auto [first, count] = rows_of_rank(world, batch.ids.size(0));
  torch::Tensor loss = torch::zeros({}, torch::kFloat32);
  if (count > 0) {
    const PackedBatch share = count == batch.ids.size(0) ? batch : slice_rows(batch, first, count);
    for (const auto& micro : micro_batches(share, micro_batch_rows)) {
      auto part = packed_nll(model, micro, tokens);
      part.backward();
      loss = loss + part.detach().to(torch::kCPU);
    }
  }
  // One check per step: a non-finite part makes the sum non-finite, and nothing has been stepped yet.
  check_finite_loss(loss, step);
  dist::all_reduce_gradients(world, model->parameters(), world.bucket_bytes());
  return world.sum(loss.item<double>());
}

SftReport train_sft(model::ChatModel& policy, const std::vector<TokenizedDialogue>& train,
                    const std::vector<TokenizedDialogue>& val, const SftOptions& options, uint64_t seed,
                    MetricsWriter* metrics) {
  auto& model = policy.model;
  model::ActivationCheckpointingGuard checkpointing(options.activation_checkpointing);
  auto val_batches = pack_dialogues(val, options.row_length, options.rows_per_batch);

  std::vector<torch::Tensor> decayed, not_decayed;
  for (auto& p : model->parameters()) (p.dim() >= 2 ? decayed : not_decayed).push_back(p);
  auto params = model->parameters();

  // Steps per epoch are known only after packing; the schedule spans all epochs.
  const std::vector<PackedBatch> packed = pack_dialogues(train, options.row_length, options.rows_per_batch);
  const size_t batches_per_epoch = packed.size();
  // A cut dialogue loses its ending, where the diagnosis is: say so rather than learn it silently.
  if (!packed.empty() && packed.front().truncated > 0)
    log::warn("sft: {} of {} training dialogues are longer than sft.row_length ({} tokens) and are cut to it; "
              "their endings (the diagnosis) are not learned: raise sft.row_length",
              packed.front().truncated, train.size(), options.row_length);
  OptimizerOptions optimizer_options = options.optimizer;
  optimizer_options.total_steps = static_cast<int64_t>(batches_per_epoch) * options.epochs;
  auto optimizer = make_adamw(decayed, not_decayed, optimizer_options);

  SftReport report;
  model->train();
  report.first_val_loss = val_batches.empty() ? 0.0 : evaluate_nll(model, val_batches, options.micro_batch_rows);
  report.last_val_loss = report.first_val_loss;
  log::info("sft: {} training dialogues, {} steps, validation loss {}", train.size(), optimizer_options.total_steps,
            report.first_val_loss);
  auto start = std::chrono::steady_clock::now();
  core::ProgressClock progress(optimizer_options.total_steps);
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng = Rng::stream(seed, "sft-shuffle");

  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    rng.shuffle(order.begin(), order.end());
    std::vector<TokenizedDialogue> shuffled;
    shuffled.reserve(order.size());
    for (size_t i : order) shuffled.push_back(train[i]);
    auto batches = pack_dialogues(shuffled, options.row_length, options.rows_per_batch);
    for (size_t b = 0; b < batches.size(); ++b) {
      const PackedBatch& batch = batches[b];
      double lr = learning_rate_at(optimizer_options, report.steps);
      set_learning_rate(*optimizer, lr);
      reset_peak_memory(model->device());
      optimizer->zero_grad();
      const double value = sft_backward(model, batch, options.micro_batch_rows, report.steps);
      double grad_norm = clip_gradients(params, optimizer_options.grad_clip, report.steps);
      optimizer->step();
      if (report.steps == 0) report.first_train_loss = value;
      report.last_train_loss = value;
      int64_t tokens = batch.loss_mask.sum().item<int64_t>();
      report.tokens += tokens;
      ++report.steps;
      core::Json row = {{"step", report.steps}, {"phase", "sft"}, {"sft_loss", value}, {"lr", lr},
                        {"grad_norm", grad_norm}, {"tokens", tokens}};
      PeakMemory peak = read_peak_memory(model->device());
      if (peak.host_mb) row["peak_host_mb"] = *peak.host_mb;
      if (peak.device_mb) row["peak_device_mb"] = *peak.device_mb;
      // First-fit packing depends on the order, so an epoch's batch count can
      // differ slightly from the first packing's; the schedule just stays at its floor.
      bool last = epoch + 1 == options.epochs && b + 1 == batches.size();
      const bool validate =
          !val_batches.empty() && ((options.eval_every > 0 && report.steps % options.eval_every == 0) || last);
      if (validate) {
        report.last_val_loss = evaluate_nll(model, val_batches, options.micro_batch_rows);
        row["sft_val_loss"] = report.last_val_loss;
      }
      // A progress line about every tenth of the steps or 30 s, and with each validation.
      if (progress.due(report.steps) || validate) {
        const double elapsed = progress.elapsed_seconds();
        std::string line = core::format("sft step {}/{} | loss {}", report.steps, optimizer_options.total_steps, value);
        if (validate) line += core::format(" | validation {}", report.last_val_loss);
        log::info("{} | {} | ETA {}", line, seconds_per_step(elapsed, report.steps),
                  core::format_eta(report.steps, optimizer_options.total_steps, elapsed));
      }
      if (metrics) metrics->append(row);
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model->eval();
  return report;
}

}  // namespace clinrl::rl
