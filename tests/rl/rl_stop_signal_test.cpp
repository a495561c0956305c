// SIGTERM (a preempted job) and Ctrl-C during GRPO: the step in progress
// finishes, its checkpoint is written, the run exits cleanly and resumes;
// a second signal ends the process at once.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "clinrl/core/strings.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/metrics_log.h"
#include "support/test_support.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

// A tiny run with many short GRPO steps, so a signal lands mid-run.
fs::path write_config(const fs::path& root) {
  test::write_text(root / "model.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
    "tie_word_embeddings": true})");
  test::write_text(root / "config.json", R"({
    "run": {"name": "sig", "output_root": ")" + (root / "runs").string() + R"(", "seed": 3, "threads": 1},
    "tokenizer": {"train": {"vocab_size": 300}},
    "policy": {"init_config": ")" + (root / "model.json").string() + R"("},
    "sim": {"max_turns": 3},
    "sft": {"demonstrations": 8, "epochs": 1, "row_length": 256, "rows_per_batch": 4,
            "expert": {"max_turns": 3, "max_tests": 0}},
    "grpo_steps": 400,
    "grpo": {"group_size": 2, "records_per_step": 1, "micro_batch_size": 2, "optimizer": {"lr": 1e-3}},
    "rollout": {"max_turn_tokens": 8, "max_episode_tokens": 256},
    "checkpoints": {"every": 1000, "keep_last": 2, "samples_every": 0},
    "eval": {"records": 1}
  })");
  return root / "config.json";
}

pid_t start_clinrl(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv_s = {CLINRL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits until metrics.jsonl has `rows` rows (GRPO is running), at most a minute.
bool wait_for_steps(const fs::path& metrics, size_t rows) {
  for (int i = 0; i < 600; ++i) {
    std::error_code ec;
    if (fs::exists(metrics, ec) && rl::read_metrics(metrics).size() >= rows) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("stop signals: SIGTERM mid-GRPO writes the step's checkpoint, exits 0, and --resume continues", "[rl]") {
  test::TempDir dir;
  const fs::path config = write_config(dir.path());
  const fs::path run = dir / "runs/sig";
  const pid_t pid = start_clinrl({"train", "--config", config.string()}, dir / "train.log");
  REQUIRE(wait_for_steps(run / "metrics.jsonl", 2));
  REQUIRE(kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  const std::string log = test::read_text(dir / "train.log");
  INFO(log);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(log, Catch::Matchers::Contains("interrupted: checkpoint of step"));
  // The checkpoint is the last step the metrics hold (checkpoints.every is far away).
  const auto latest = rl::CheckpointDir(run, 2).latest_complete();
  REQUIRE(latest.has_value());
  const auto rows = rl::read_metrics(run / "metrics.jsonl");
  CHECK(latest->step == static_cast<int64_t>(rows.size()));
  CHECK(latest->step < 400);

  // --resume picks it up (and is stopped the same way).
  const pid_t again = start_clinrl({"train", "--resume", run.string()}, dir / "resume.log");
  REQUIRE(wait_for_steps(run / "metrics.jsonl", rows.size() + 1));
  REQUIRE(kill(again, SIGINT) == 0);
  REQUIRE(waitpid(again, &status, 0) == again);
  INFO(test::read_text(dir / "resume.log"));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(test::read_text(dir / "resume.log"), Catch::Matchers::Contains("resum"));
  CHECK(rl::CheckpointDir(run, 2).latest_complete()->step > latest->step);
}

TEST_CASE("stop signals: a second SIGTERM ends the process at once", "[rl]") {
  test::TempDir dir;
  const fs::path config = write_config(dir.path());
  const pid_t pid = start_clinrl({"train", "--config", config.string()}, dir / "train.log");
  REQUIRE(wait_for_steps(dir / "runs/sig/metrics.jsonl", 1));
  REQUIRE(kill(pid, SIGTERM) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // two pending SIGTERMs would merge into one
  REQUIRE(kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO(test::read_text(dir / "train.log"));
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
}
