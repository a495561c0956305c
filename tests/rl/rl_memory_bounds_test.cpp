#include <catch2/catch.hpp>

#include "clinrl/model/activation_checkpoint.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/core/process_memory.h"
#include "clinrl/rl/peak_memory.h"
#include "clinrl/rl/rollout.h"
#include "clinrl/rl/sft.h"
#include "clinrl/rl/step_metrics.h"
#include "rl/rl_policy_fixture.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

model::Transformer tiny_model(uint64_t seed) {
  model::TransformerOptions o;
  o.vocab_size = 48;
  o.hidden_size = 16;
  o.intermediate_size = 32;
  o.num_hidden_layers = 3;
  o.num_attention_heads = 4;
  o.num_key_value_heads = 2;
  o.max_position_embeddings = 128;
  model::Transformer m(o);
  m->initialize(seed);
  m->train();
  return m;
}

// Five dialogues of 5, 7, 9, 11 and 6 tokens packed first-fit into 4 rows of 12 tokens.
rl::PackedBatch packed_batch() {
  std::vector<rl::TokenizedDialogue> dialogues;
  for (int d = 0; d < 5; ++d) {
    rl::TokenizedDialogue t;
    for (int i = 0; i < 5 + 2 * d % 7; ++i) {
      t.ids.push_back((7 * d + 3 * i + 1) % 48);
      t.loss_mask.push_back(i % 3 != 0);
    }
    dialogues.push_back(t);
  }
  auto batches = rl::pack_dialogues(dialogues, 12, 4);
  REQUIRE(batches.size() == 1);
  REQUIRE(batches[0].ids.size(0) == 4);
  return batches[0];
}

// Gradients of every parameter after sft_backward, flattened into one vector.
std::pair<double, torch::Tensor> sft_gradients(model::Transformer& m, const rl::PackedBatch& batch, int64_t micro_rows) {
  m->zero_grad();
  double loss = rl::sft_backward(m, batch, micro_rows, 0);
  std::vector<torch::Tensor> grads;
  for (auto& p : m->parameters()) grads.push_back(p.grad().detach().flatten().clone());
  return {loss, torch::cat(grads)};
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

TEST_CASE("memory: SFT micro-batches accumulate exactly the full-batch loss and gradient", "[rl]") {
  auto m = tiny_model(11);
  auto batch = packed_batch();
  auto [full_loss, full] = sft_gradients(m, batch, 0);
  // The same mean as packed_nll over the whole batch.
  CHECK(full_loss == Approx(rl::packed_nll(m, batch).item<double>()).epsilon(1e-6));
  for (int64_t rows : {1, 3}) {  // 3: an uneven split, 3 + 1 rows
    auto [loss, grads] = sft_gradients(m, batch, rows);
    CHECK(std::abs(loss - full_loss) < 1e-6);
    CHECK(max_abs_diff(grads, full) < 1e-6);
  }
  CHECK(full.abs().sum().item<double>() > 0);
  CHECK(rl::evaluate_nll(m, {batch}, 1) == Approx(rl::evaluate_nll(m, {batch}, 0)).epsilon(1e-6));
  rl::SftOptions bad;
  bad.micro_batch_rows = -1;
  CHECK_THROWS_WITH(bad.validate(), Catch::Matchers::Contains("micro_batch_rows must be >= 0"));
}

TEST_CASE("memory: activation checkpointing recomputes layers and gives the same gradients", "[rl]") {
  auto m = tiny_model(12);
  auto batch = packed_batch();
  auto [plain_loss, plain] = sft_gradients(m, batch, 0);
  {
    model::ActivationCheckpointingGuard on(true);
    auto [loss, grads] = sft_gradients(m, batch, 0);
    CHECK(loss == plain_loss);
    CHECK(torch::equal(grads, plain));  // the same operations run again: identical numbers
    // Micro-batches and checkpointing together.
    auto [micro_loss, micro] = sft_gradients(m, batch, 1);
    CHECK(max_abs_diff(micro, plain) < 1e-6);
  }
  CHECK_FALSE(model::activation_checkpointing_enabled());  // the guard restores the mode

  SECTION("the checkpointed block: gradients for its input and its parameters") {
    auto w = torch::linspace(-1, 1, 6).view({2, 3}).requires_grad_(true);
    auto x = torch::linspace(0.1, 0.6, 6).view({3, 2}).requires_grad_(true);
    auto block = [&](const torch::Tensor& in) { return torch::tanh(torch::matmul(in, w)).pow(2); };
    block(x).sum().backward();
    auto gx = x.grad().clone(), gw = w.grad().clone();
    x.mutable_grad().zero_();
    w.mutable_grad().zero_();
    auto y = model::checkpointed(block, x, {w});
    CHECK(y.requires_grad());
    y.sum().backward();
    CHECK(torch::equal(x.grad(), gx));
    CHECK(torch::equal(w.grad(), gw));
  }
}

TEST_CASE("memory: a capped generation batch plays the same episodes as an uncapped one", "[rl]") {
  test::TempDir dir;
  auto records = records::load_records(fs::path(CLINRL_SOURCE_DIR) / "data/records/synth.val.jsonl");
  records.resize(2);
  sim::SimOptions sim_options;
  sim_options.max_turns = 3;
  auto sims = rl::make_simulators(records, sim_options);
  auto policy = test::tiny_policy(dir.path(), sims, {/*vocab_size=*/320, /*demonstrations=*/6, /*max_position_embeddings=*/1024, /*init_seed=*/4});
  std::vector<rl::EpisodeJob> jobs;
  for (uint64_t i = 0; i < 5; ++i) jobs.push_back({sims[i % 2], 200 + i});

  rl::RolloutOptions options;
  options.max_turn_tokens = 10;
  options.max_episode_tokens = 300;
  options.system_prompt = "You are a doctor.";
  for (double temperature : {0.0, 1.0}) {
    options.sampler.temperature = temperature;
    options.max_generation_batch = 0;
    auto uncapped = rl::roll_out(policy, jobs, options, 17);
    for (int64_t cap : {1, 2}) {
      options.max_generation_batch = cap;
      auto capped = rl::roll_out(policy, jobs, options, 17);
      REQUIRE(capped.size() == uncapped.size());
      for (size_t i = 0; i < jobs.size(); ++i) {
        INFO("temperature " << temperature << ", cap " << cap << ", episode " << i);
        CHECK(capped[i].tokens.ids == uncapped[i].tokens.ids);
        CHECK(capped[i].tokens.policy_mask == uncapped[i].tokens.policy_mask);
        CHECK(capped[i].doctor_turns == uncapped[i].doctor_turns);
        CHECK(capped[i].truncated == uncapped[i].truncated);
        // Float sums over a differently shaped batch may differ in the last bits.
        for (size_t t = 0; t < capped[i].tokens.old_logp.size(); ++t)
          CHECK(std::abs(capped[i].tokens.old_logp[t] - uncapped[i].tokens.old_logp[t]) < 1e-4);
      }
    }
  }
  options.max_generation_batch = -1;
  CHECK_THROWS_WITH(options.validate(), Catch::Matchers::Contains("max_generation_batch must be >= 0"));
}

TEST_CASE("memory: the peak of a step is read from /proc/self/status", "[rl]") {
  CHECK(core::parse_vm_hwm_mb("Name:\tx\nVmPeak:\t  999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n") == 200.0);
  CHECK_FALSE(core::parse_vm_hwm_mb("VmRSS:\t 1 kB\n").has_value());
  CHECK_FALSE(core::parse_vm_hwm_mb("VmHWM:\t lots\n").has_value());
  rl::reset_peak_memory(torch::kCPU);
  auto peak = rl::read_peak_memory(torch::kCPU);
  REQUIRE(peak.host_mb.has_value());
  CHECK(*peak.host_mb > 1.0);
  CHECK_FALSE(peak.device_mb.has_value());  // no CUDA figure off CUDA
  // The metrics row declares both fields.
  std::vector<std::string> keys;
  rl::StepMetrics metrics;
  auto names = [&](const char* name, auto&) { keys.push_back(name); };
  metrics.fields(names);
  CHECK(std::count(keys.begin(), keys.end(), "peak_host_mb") == 1);
  CHECK(std::count(keys.begin(), keys.end(), "peak_device_mb") == 1);
}
