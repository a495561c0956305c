#include "clinrl/rl/grpo_update.h"

#include <algorithm>

#include "clinrl/dist/tensor_buckets.h"
#include "clinrl/model/activation_checkpoint.h"
#include "clinrl/model/token_logprobs.h"
#include "clinrl/rl/data_parallel.h"
#include "clinrl/rl/optimizer.h"

namespace clinrl::rl {

EpisodeBatch collate_episodes(const std::vector<const EpisodeTokens*>& episodes, torch::Device device,
                              const std::vector<const std::vector<float>*>& advantages) {
  TORCH_CHECK(advantages.empty() || advantages.size() == episodes.size(), "collate_episodes: advantages per episode");
  int64_t B = static_cast<int64_t>(episodes.size()), T = 0;
  for (const auto* e : episodes) T = std::max<int64_t>(T, static_cast<int64_t>(e->ids.size()));
  EpisodeBatch batch;
  batch.ids = torch::zeros({B, T}, torch::kInt64);
  batch.attention = torch::zeros({B, T}, torch::kInt64);
  batch.loss_mask = torch::zeros({B, T}, torch::kFloat32);
  batch.old_logp = torch::zeros({B, T}, torch::kFloat32);
  batch.truncated = torch::zeros({B}, torch::kBool);
  if (!advantages.empty()) {
    batch.advantages = torch::zeros({B, T}, torch::kFloat32);
    auto adv = batch.advantages.accessor<float, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const auto& a = *advantages[static_cast<size_t>(b)];
      TORCH_CHECK(a.size() == episodes[static_cast<size_t>(b)]->ids.size(), "collate_episodes: one advantage per token");
      for (size_t t = 0; t < a.size(); ++t) adv[b][static_cast<int64_t>(t)] = a[t];
    }
    batch.advantages = batch.advantages.to(device);
  }
  auto ids = batch.ids.accessor<int64_t, 2>();
  auto att = batch.attention.accessor<int64_t, 2>();
  auto mask = batch.loss_mask.accessor<float, 2>();
  auto old = batch.old_logp.accessor<float, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& e = *episodes[static_cast<size_t>(b)];
    for (size_t t = 0; t < e.ids.size(); ++t) {
      auto ti = static_cast<int64_t>(t);
      ids[b][ti] = e.ids[t];
      att[b][ti] = 1;
      mask[b][ti] = e.carries_loss(t) ? 1.0f : 0.0f;
      old[b][ti] = e.old_logp[t];
    }
    batch.truncated[b] = e.truncated;
  }
  batch.ids = batch.ids.to(device);
  batch.attention = batch.attention.to(device);
  batch.loss_mask = batch.loss_mask.to(device);
  batch.old_logp = batch.old_logp.to(device);
  batch.truncated = batch.truncated.to(device);
  return batch;
}

model::Transformer frozen_copy(model::Transformer& policy) {
  // Born uninitialised in the policy's dtype on its device: no random fp32 model first.
  model::Transformer copy(policy->options(), model::ParameterOptions{policy->dtype(), policy->device(), /*initialize=*/false});
  torch::NoGradGuard no_grad;
  auto target = copy->named_parameters();
  for (const auto& item : policy->named_parameters()) target[item.key()].copy_(item.value());
  auto target_buffers = copy->named_buffers();
  for (const auto& item : policy->named_buffers()) target_buffers[item.key()].copy_(item.value());
  copy->eval();
  for (auto& p : copy->parameters()) p.set_requires_grad(false);
  return copy;
}

UpdateResult grpo_update(model::Transformer& policy, torch::optim::Optimizer& optimizer,
                         const std::vector<EpisodeTokens>& episodes, const std::vector<std::vector<float>>& advantages,
                         const GrpoOptions& options, int64_t step, model::Transformer* reference) {
  TORCH_CHECK(episodes.size() == advantages.size(), "grpo_update: one advantage per episode");
  TORCH_CHECK(!options.uses_reference() || reference, "grpo_update: kl_beta > 0 needs a reference model");
  const torch::Device device = policy->device();

  // The step's denominators, so micro-batch losses add up to the full-batch loss.
  LossNormalizer normalizer;
  for (const auto& e : episodes) {
    if (options.mask_truncated && e.truncated) continue;
    const int64_t n = e.loss_tokens();
    normalizer.tokens += static_cast<double>(n);
    normalizer.sequences += n > 0 ? 1 : 0;
  }
  // Over every rank's episodes: each rank's loss is then its share of the
  // one-process loss, and the summed gradients are the one-process gradient.
  dist::ProcessGroup& world = dist::world();
  normalizer.tokens = std::max(1.0, world.sum(normalizer.tokens));
  normalizer.sequences = std::max(1.0, world.sum(normalizer.sequences));

  std::vector<torch::Tensor> params = policy->parameters();
  model::ActivationCheckpointingGuard checkpointing(options.activation_checkpointing);
  UpdateResult result;
  const size_t micro = static_cast<size_t>(options.micro_batch_size);
  for (int pass = 0; pass < options.num_iterations; ++pass) {
    optimizer.zero_grad();
    GrpoLossStats merged;
    double step_loss = 0;
    for (size_t start = 0; start < episodes.size(); start += micro) {
      size_t end = std::min(episodes.size(), start + micro);
      std::vector<const EpisodeTokens*> slice;
      std::vector<const std::vector<float>*> adv;
      for (size_t i = start; i < end; ++i) {
        slice.push_back(&episodes[i]);
        adv.push_back(&advantages[i]);
      }
      auto batch = collate_episodes(slice, device, adv);
      GrpoLossInput input;
      input.logp = model::token_logprobs(policy, batch.ids, batch.attention);
      input.old_logp = batch.old_logp;
      input.advantages = batch.advantages;
      input.loss_mask = batch.loss_mask;
      input.truncated = batch.truncated;
      if (options.uses_reference()) {
        torch::NoGradGuard no_grad;
        input.ref_logp = model::token_logprobs(*reference, batch.ids, batch.attention);
      }
      auto out = grpo_loss(input, options, normalizer);
      check_finite_loss(out.loss, step);
      out.loss.backward();
      step_loss += out.loss.item<double>();
      merged = start == 0 ? out.stats : merge_stats(merged, out.stats);
      result.tokens += batch.attention.sum().item<int64_t>();
    }
    dist::all_reduce_gradients(world, params, world.bucket_bytes());
    result.grad_norm = clip_gradients(params, options.optimizer.grad_clip, step);
    optimizer.step();
    result.stats = merge_stats_over_ranks(world, merged);
    result.loss = world.sum(step_loss);
  }
  result.tokens = static_cast<int64_t>(world.sum(static_cast<double>(result.tokens)));
  return result;
}

}  // namespace clinrl::rl
