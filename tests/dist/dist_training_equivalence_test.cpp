// 1 process against 2 processes (clinrl launch, Gloo on loopback) on the same
// config and seed: identical episodes and rewards, weights within 1e-5.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/safetensors.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/metrics_log.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;
using Catch::Matchers::Contains;

namespace {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The tiny whole run of rl_training_run_test, with 3 GRPO steps and samples every step.
fs::path tiny_config(const fs::path& root, const std::string& grpo_extra) {
  test::write_text(root / "model.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
    "tie_word_embeddings": true})");
  test::write_text(root / "config.json", R"({
    "run": {"name": "one", "output_root": ")" + (root / "runs").string() + R"(", "seed": 3, "threads": 1},
    "tokenizer": {"train": {"vocab_size": 300}},
    "policy": {"init_config": ")" + (root / "model.json").string() + R"("},
    "sim": {"max_turns": 3},
    "sft": {"demonstrations": 12, "epochs": 1, "row_length": 256, "rows_per_batch": 4,
            "expert": {"max_turns": 3, "max_tests": 0}},
    "grpo_steps": 3,
    "grpo": {"group_size": 2, "records_per_step": 3, "micro_batch_size": 2, )" + grpo_extra + R"(
             "reward": {"length_weight": 1.0, "length_max_tokens": 20, "length_cache_tokens": 16},
             "optimizer": {"lr": 1e-3, "total_steps": 3}},
    "rollout": {"max_turn_tokens": 8, "max_episode_tokens": 256},
    "checkpoints": {"every": 1, "keep_last": 3, "samples_every": 1},
    "eval": {"records": 1},
    "dist": {"timeout_seconds": 30}
  })");
  return root / "config.json";
}

// Metrics rows without wall-clock figures; the figures that sum floats over
// ranks (loss, gradient norm, log-prob statistics) split off for a tolerance.
struct SplitMetrics {
  std::vector<core::Json> exact, rounded;
};
SplitMetrics split_metrics(const fs::path& file) {
  SplitMetrics out;
  for (auto row : rl::read_metrics(file)) {
    for (const char* key : {"tokens_per_second", "seconds_rollout", "seconds_grade", "seconds_train", "peak_host_mb",
                            "peak_device_mb"})
      row.erase(key);
    core::Json rounded = core::Json::object();
    for (const char* key : {"loss", "grad_norm", "approx_kl", "kl", "clip_fraction", "clip_fraction_low",
                            "clip_fraction_high", "dual_clip_fraction", "entropy"})
      if (row.contains(key)) {
        rounded[key] = row[key];
        row.erase(key);
      }
    out.exact.push_back(row);
    out.rounded.push_back(rounded);
  }
  return out;
}

// A step's transcripts as a sorted list (2 processes write them rank by rank).
std::vector<std::string> sorted_samples(const fs::path& file) {
  std::vector<std::string> out;
  for (const auto& row : core::read_json_file(file)) out.push_back(row.dump());
  std::sort(out.begin(), out.end());
  return out;
}

double max_weight_difference(const fs::path& a, const fs::path& b) {
  auto x = model::load_safetensors(a / "model.safetensors");
  auto y = model::load_safetensors(b / "model.safetensors");
  REQUIRE(x.size() == y.size());
  double worst = 0;
  for (const auto& [name, t] : x) worst = std::max(worst, (t.to(torch::kFloat64) - y.at(name).to(torch::kFloat64)).abs().max().item<double>());
  return worst;
}

void check_equivalent(const std::string& grpo_extra, bool resume_on_one = false) {
  test::TempDir dir;
  const fs::path config = tiny_config(dir.path(), grpo_extra);
  auto one = test::run_clinrl("train --config " + config.string() + " --set run.name=one");
  INFO(one.output);
  REQUIRE(one.status == 0);
  auto two = test::run_clinrl(core::format("launch --nproc 2 --master-port {} -- train --config {} --set run.name=two",
                                           free_port(), config.string()));
  INFO(two.output);
  REQUIRE(two.status == 0);
  const fs::path a = dir / "runs/one", b = dir / "runs/two";
  CHECK(fs::exists(b / "rank-1.log"));
  const SplitMetrics ma = split_metrics(a / "metrics.jsonl"), mb = split_metrics(b / "metrics.jsonl");
  CHECK(ma.exact == mb.exact);  // rewards, episode statistics, dynamic sampling, token counts
  // The rewards vary within groups (the length term), so the GRPO updates are not empty.
  double spread = 0;
  for (const auto& row : ma.exact) spread += row["reward_std"].get<double>();
  CHECK(spread > 0);
  REQUIRE(ma.rounded.size() == mb.rounded.size());
  for (size_t i = 0; i < ma.rounded.size(); ++i)
    for (const auto& [key, value] : ma.rounded[i].items()) {
      INFO("step " << i + 1 << " " << key);
      CHECK(mb.rounded[i][key].get<double>() == Approx(value.get<double>()).epsilon(1e-4).margin(1e-6));
    }
  for (int s = 1; s <= 3; ++s) {
    const std::string f = core::format("samples/step-{}.json", s);
    CHECK(sorted_samples(a / f) == sorted_samples(b / f));
  }
  CHECK(max_weight_difference(a / "sft", b / "sft") < 1e-5);
  CHECK(max_weight_difference(a / "checkpoints/step-000003", b / "checkpoints/step-000003") < 1e-5);
  // The record sampler learnt the same on both (every rank updates it from the step-wide rewards).
  const core::Json sampler = rl::read_trainer_state(a / "checkpoints/step-000003")["record_sampler"];
  CHECK(rl::read_trainer_state(b / "checkpoints/step-000003")["record_sampler"] == sampler);
  if (!resume_on_one) return;
  // The 2-process run stopped after step 2, resumed on 1 process: the same step-3 weights.
  const fs::path c = dir / "runs/resumed";
  fs::copy(b, c, fs::copy_options::recursive);
  fs::remove_all(c / "checkpoints/step-000003");
  fs::remove(c / "eval.json");
  auto resumed = test::run_clinrl("train --resume " + c.string());
  INFO(resumed.output);
  REQUIRE(resumed.status == 0);
  CHECK(max_weight_difference(a / "checkpoints/step-000003", c / "checkpoints/step-000003") < 1e-5);
  CHECK(rl::read_trainer_state(c / "checkpoints/step-000003")["record_sampler"] == sampler);
}

}  // namespace

TEST_CASE("dist training: 2 processes equal 1 process (SFT, 3 GRPO steps), also resumed on 1", "[dist][slow]") {
  check_equivalent("", /*resume_on_one=*/true);
}

TEST_CASE("dist training: 2 processes equal 1 with num_iterations 2, kl_beta and dynamic sampling", "[dist][slow]") {
  check_equivalent(R"("num_iterations": 2, "kl_beta": 0.05, "dynamic_sampling": true, "max_resample_batches": 2,)");
}

TEST_CASE("dist training: 2 processes equal 1 with adaptive record sampling and dynamic sampling, also resumed on 1",
          "[dist][slow]") {
  check_equivalent(R"("record_sampling": "adaptive", "dynamic_sampling": true, "max_resample_batches": 2,)",
                   /*resume_on_one=*/true);
}

TEST_CASE("dist training: a bad environment is one clear line and exit 2", "[dist]") {
  test::TempDir dir;
  const fs::path config = tiny_config(dir.path(), "");
  struct Case {
    std::vector<std::pair<const char*, std::string>> env;
    std::string message;
  };
  const int busy_port = free_port();
  // A listener holds busy_port for the third case.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(busy_port));
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(fd, 1);
  const std::vector<Case> cases = {
      {{{"RANK", "2"}, {"MASTER_PORT", "1234"}}, "RANK must be in [0, WORLD_SIZE=2), got 2"},
      {{{"RANK", "1"}, {"MASTER_PORT", std::to_string(free_port())}}, "rank 1 could not reach the master at 127.0.0.1:"},
      {{{"RANK", "0"}, {"MASTER_PORT", std::to_string(busy_port)}}, "the port is already in use"},
  };
  for (const auto& c : cases) {
    setenv("WORLD_SIZE", "2", 1);
    setenv("MASTER_ADDR", "127.0.0.1", 1);
    for (const auto& [k, v] : c.env) setenv(k, v.c_str(), 1);
    auto r = test::run_clinrl("train --config " + config.string() + " --set run.name=bad --set dist.timeout_seconds=2");
    for (const char* k : {"WORLD_SIZE", "MASTER_ADDR", "RANK", "MASTER_PORT"}) unsetenv(k);
    INFO(r.output);
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Contains(c.message));
    // One line from clinrl itself ("error: ..."); c10d may add its own warnings to stderr.
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') >= 1);
  }
  close(fd);
}
