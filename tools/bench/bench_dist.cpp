// Data-parallel figures, each as a ratio against a baseline measured in the same run:
//  1. the same GRPO step work (same config, seed and steps) on 1 process x 2
//     torch threads against 2 processes x 1 thread (Gloo on loopback): the
//     ratio of GRPO steps per second;
//  2. the all-reduce of a model-sized fp32 buffer between 2 processes against
//     a local memory copy of the same buffer: the ratio of bandwidths.
//
//   bench_dist [--steps S] [--records-per-step B] [--hidden H] [--buffer-mb M] [--port P]
//
// The workers are this program again (fork + exec with torchrun's variables).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "clinrl/core/config.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/dist/process_group.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/training_run.h"

using namespace clinrl;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int64_t arg(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stoll(argv[i + 1]);
  return fallback;
}

std::string str_arg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

// A tiny run without SFT: the GRPO steps are the work measured.
fs::path write_config(const fs::path& root, int64_t steps, int64_t records, int64_t hidden) {
  fs::create_directories(root);
  const core::Json model = {{"architectures", {"Qwen2ForCausalLM"}}, {"model_type", "qwen2"}, {"vocab_size", 300},
                            {"hidden_size", hidden}, {"intermediate_size", hidden * 2}, {"num_hidden_layers", 2},
                            {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                            {"max_position_embeddings", 1024}, {"tie_word_embeddings", true}};
  std::ofstream(root / "model.json") << model.dump();
  const core::Json config = {
      {"run", {{"name", "run"}, {"output_root", (root / "runs").string()}, {"seed", 3}}},
      {"tokenizer", {{"train", {{"vocab_size", 300}}}}},
      {"policy", {{"init_config", (root / "model.json").string()}}},
      {"sft_enabled", false},
      {"sft", {{"demonstrations", 8}, {"expert", {{"max_turns", 3}, {"max_tests", 0}}}}},
      {"sim", {{"max_turns", 4}}},
      {"grpo_steps", steps},
      {"grpo", {{"group_size", 4}, {"records_per_step", records}, {"micro_batch_size", 4}, {"optimizer", {{"lr", 1e-3}}}}},
      {"rollout", {{"max_turn_tokens", 24}, {"max_episode_tokens", 512}}},
      {"checkpoints", {{"every", 1000}, {"samples_every", 0}}},
      {"eval", {{"records", 1}}}};
  std::ofstream(root / "config.json") << config.dump(2);
  return root / "config.json";
}

// Seconds of the GRPO steps (rollout + grading + training) in a run's metrics.
double grpo_seconds(const fs::path& run) {
  double total = 0;
  for (const auto& row : rl::read_metrics(run / "metrics.jsonl"))
    total += row["seconds_rollout"].get<double>() + row["seconds_grade"].get<double>() +
             row["seconds_train"].get<double>();
  return total;
}

void train(const fs::path& config, const std::string& name, int threads) {
  rl::TrainingRequest request;
  request.config = core::load_config<rl::TrainConfig>(config, {"run.name=" + name, core::format("run.threads={}", threads)});
  request.config_json = core::to_json_value(request.config);
  rl::run_training(request);
}

// Runs this program as 2 workers of `mode`; true when both exit 0.
bool run_workers(const char* self, const std::string& mode, int port, const std::vector<std::string>& extra) {
  std::vector<pid_t> pids;
  for (int r = 0; r < 2; ++r) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("WORLD_SIZE", "2", 1);
      setenv("LOCAL_WORLD_SIZE", "2", 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      setenv("GLOO_SOCKET_IFNAME", "lo", 0);
      std::vector<std::string> words = {self, "--worker", mode};
      words.insert(words.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& w : words) argv.push_back(w.data());
      argv.push_back(nullptr);
      execv("/proc/self/exe", argv.data());
      std::_Exit(127);
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (pid_t p : pids) {
    int status = 0;
    waitpid(p, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

int worker(int argc, char** argv) {
  const std::string mode = argv[2];
  auto group = dist::ProcessGroup::connect(dist::LaunchEnv::from_environment(), std::chrono::seconds(120));
  dist::set_world(group);
  if (mode == "train") {
    train(str_arg(argc, argv, "--config", ""), "two", 1);
  } else {  // allreduce: MB of fp32, reps
    const int64_t mb = arg(argc, argv, "--buffer-mb", 64);
    std::vector<torch::Tensor> buffer{torch::ones({mb * 1024 * 1024 / 4}, torch::kFloat32)};
    group->all_reduce_sum(buffer);  // warm-up: connections, pages
    const int reps = 5;
    group->barrier();
    auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) group->all_reduce_sum(buffer);
    const double s = seconds(t0) / reps;
    if (group->is_main()) std::ofstream(str_arg(argc, argv, "--out", "")) << s;
  }
  group->barrier();
  dist::set_world(nullptr);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--worker") == 0) return worker(argc, argv);
  const int64_t steps = arg(argc, argv, "--steps", 4);
  const int64_t records = arg(argc, argv, "--records-per-step", 4);
  const int64_t hidden = arg(argc, argv, "--hidden", 64);
  const int64_t mb = arg(argc, argv, "--buffer-mb", 64);
  const int port = static_cast<int>(arg(argc, argv, "--port", 29731));
  const fs::path root = fs::temp_directory_path() / core::format("bench_dist_{}", getpid());

  // 1. GRPO step work.
  const fs::path config = write_config(root, steps, records, hidden);
  train(config, "one", 2);
  const double one = grpo_seconds(root / "runs/one");
  if (!run_workers(argv[0], "train", port, {"--config", config.string()})) {
    std::cerr << "bench_dist: the 2-process run failed\n";
    return 1;
  }
  const double two = grpo_seconds(root / "runs/two");
  std::cout << core::format("GRPO: {} steps x {} groups of 4, hidden {}: 1 process x 2 threads {} s, 2 processes x 1 "
                            "thread {} s; throughput ratio (2x1 / 1x2) {}\n",
                            steps, records, hidden, one, two, one / two);

  // 2. All-reduce against a local copy.
  torch::Tensor a = torch::ones({mb * 1024 * 1024 / 4}, torch::kFloat32), b = torch::empty_like(a);
  b.copy_(a);
  auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) b.copy_(a);
  const double copy = seconds(t0) / 5;
  const fs::path out = root / "allreduce.txt";
  if (!run_workers(argv[0], "allreduce", port + 1, {"--buffer-mb", std::to_string(mb), "--out", out.string()})) {
    std::cerr << "bench_dist: the all-reduce workers failed\n";
    return 1;
  }
  double reduce = 0;
  std::ifstream(out) >> reduce;
  const double gb = static_cast<double>(mb) / 1024.0;
  std::cout << core::format("all-reduce of {} MB fp32 over 2 processes (Gloo, loopback): {} s ({} GB/s); local copy "
                            "{} s ({} GB/s); all-reduce / copy bandwidth {}\n",
                            mb, reduce, gb / reduce, copy, gb / copy, copy / reduce);
  fs::remove_all(root);
  return 0;
}
