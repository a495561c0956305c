// A rank killed in the middle of a 2-process run: the survivor exits non-zero
// within the collective timeout naming the lost rank, and --resume on 2
// processes continues from the last complete checkpoint.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <algorithm>
#include <thread>

#include "clinrl/core/strings.h"
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

fs::path long_config(const fs::path& root) {
  test::write_text(root / "model.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
    "tie_word_embeddings": true})");
  test::write_text(root / "config.json", R"({
    "run": {"name": "killed", "output_root": ")" + (root / "runs").string() + R"(", "seed": 3, "threads": 1},
    "tokenizer": {"train": {"vocab_size": 300}},
    "policy": {"init_config": ")" + (root / "model.json").string() + R"("},
    "sim": {"max_turns": 3},
    "sft": {"demonstrations": 12, "epochs": 1, "row_length": 256, "rows_per_batch": 4,
            "expert": {"max_turns": 3, "max_tests": 0}},
    "grpo_steps": 40,
    "grpo": {"group_size": 2, "records_per_step": 2, "micro_batch_size": 2,
             "optimizer": {"lr": 1e-3, "total_steps": 40}},
    "rollout": {"max_turn_tokens": 8, "max_episode_tokens": 256},
    "checkpoints": {"every": 1, "keep_last": 2, "samples_every": 0},
    "eval": {"records": 1},
    "dist": {"timeout_seconds": 15}
  })");
  return root / "config.json";
}

// The pid of the process running `clinrl train --config <config>` as RANK=1
// (found through /proc: the log files are written in blocks), or 0.
pid_t rank_one_pid(const fs::path& config) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline, environ;
    try {
      cmdline = test::read_text(entry.path() / "cmdline");
      environ = test::read_text(entry.path() / "environ");
    } catch (const std::exception&) {
      continue;  // gone, or not ours
    }
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find("train --config " + config.string()) == std::string::npos) continue;
    if (("\0" + environ).find(std::string("\0RANK=1\0", 8)) == std::string::npos) continue;
    return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

}  // namespace

TEST_CASE("dist failure: a killed rank makes the survivor exit naming it; --resume continues", "[dist][slow]") {
  test::TempDir dir;
  const fs::path config = long_config(dir.path());
  const fs::path run = dir / "runs/killed";
  auto job = std::async(std::launch::async, [&] {
    return test::run_clinrl(core::format("launch --nproc 2 --master-port {} -- train --config {}", free_port(),
                                         config.string()));
  });
  // Wait for the second GRPO step to be logged, then kill rank 1 mid-run.
  pid_t victim = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (std::chrono::steady_clock::now() < give_up) {
    if (fs::exists(run / "metrics.jsonl") && rl::read_metrics(run / "metrics.jsonl").size() >= 2 &&
        (victim = rank_one_pid(config)) != 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(victim != 0);
  REQUIRE(kill(victim, SIGKILL) == 0);
  const auto killed_at = std::chrono::steady_clock::now();
  auto result = job.get();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  INFO(result.output);
  CHECK(result.status != 0);
  CHECK_THAT(result.output, Contains("lost rank 1"));
  CHECK(seconds < 15 + 10);  // the collective timeout, and the heartbeat check after it
  const size_t logged = rl::read_metrics(run / "metrics.jsonl").size();
  REQUIRE(logged < 40);

  auto resumed = test::run_clinrl(
      core::format("launch --nproc 2 --master-port {} -- train --resume {}", free_port(), run.string()));
  INFO(resumed.output);
  REQUIRE(resumed.status == 0);
  CHECK(rl::read_metrics(run / "metrics.jsonl").size() == 40);
}
