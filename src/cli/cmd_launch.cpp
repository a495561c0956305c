// clinrl launch: starts the processes of a data-parallel run on this node with
// the environment torchrun would give them (so `torchrun --no-python
// --nproc-per-node N clinrl train ...` works the same), forwards SIGINT and
// SIGTERM to them, and returns the first non-zero exit code.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "command.h"
#include "stop_signals.h"

namespace clinrl::cli {
namespace {

struct LaunchArgs {
  int nproc = 1;
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  double failure_grace = 330;  // seconds the others get to notice a failed rank and exit on their own
  std::vector<std::string> command;
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

pid_t start_rank(const LaunchArgs& a, int local_rank) {
  const pid_t pid = fork();
  if (pid < 0) throw UserError(core::format("launch: fork failed for local rank {}", local_rank));
  if (pid > 0) return pid;
  // The child: the signals the launcher blocked are the child's own again.
  sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  const int world = a.nnodes * a.nproc;
  setenv("RANK", std::to_string(a.node_rank * a.nproc + local_rank).c_str(), 1);
  setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(local_rank).c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
  setenv("GROUP_RANK", std::to_string(a.node_rank).c_str(), 1);
  setenv("MASTER_ADDR", a.master_addr.c_str(), 1);
  setenv("MASTER_PORT", std::to_string(a.master_port).c_str(), 1);
  std::vector<std::string> words = {"clinrl"};
  words.insert(words.end(), a.command.begin(), a.command.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  std::cerr << "error: launch: could not start " << words[0] << " for local rank " << local_rank << "\n";
  std::_Exit(127);
}

int launch(const LaunchArgs& a) {
  if (a.nproc < 1) throw UserError(core::format("--nproc must be >= 1, got {}", a.nproc));
  if (a.nnodes < 1) throw UserError(core::format("--nnodes must be >= 1, got {}", a.nnodes));
  if (a.node_rank < 0 || a.node_rank >= a.nnodes)
    throw UserError(core::format("--node-rank must be in [0, --nnodes={}), got {}", a.nnodes, a.node_rank));
  if (a.master_port < 1 || a.master_port > 65535)
    throw UserError(core::format("--master-port must be in [1, 65535], got {}", a.master_port));
  if (a.command.empty() || (a.command[0] != "train" && a.command[0] != "sft"))
    throw UserError("launch: give the command after --, e.g. clinrl launch --nproc 2 -- train --config F");

  block_stop_signals();  // delivered through sigtimedwait below, then forwarded
  std::map<pid_t, int> running;  // pid -> local rank
  for (int r = 0; r < a.nproc; ++r) running[start_rank(a, r)] = r;

  int first_failure = 0;
  std::chrono::steady_clock::time_point failed_at;
  const sigset_t signals = stop_signal_set();
  while (!running.empty()) {
    int status = 0;
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      const int code = exit_code_of(status);
      if (code != 0 && first_failure == 0) {
        first_failure = code;
        failed_at = std::chrono::steady_clock::now();
        std::cerr << core::format("launch: local rank {} exited with status {}\n", running[done], code);
      }
      running.erase(done);
      continue;
    }
    timespec wait{0, 100 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig > 0)
      for (const auto& [pid, rank] : running) kill(pid, sig);
    if (first_failure != 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - failed_at).count() > a.failure_grace) {
      for (const auto& [pid, rank] : running) kill(pid, SIGKILL);
    }
  }
  return first_failure;
}

const bool registered = register_command(
    {"launch", "start a data-parallel run: N processes on this node with torchrun's environment", [](CLI::App& app) {
       auto a = std::make_shared<LaunchArgs>();
       app.add_option("--nproc", a->nproc, "processes on this node")->required();
       app.add_option("--nnodes", a->nnodes, "nodes in the job");
       app.add_option("--node-rank", a->node_rank, "this node's index, 0 .. nnodes-1");
       app.add_option("--master-addr", a->master_addr, "address of the node running rank 0 (its TCPStore)");
       app.add_option("--master-port", a->master_port, "port of rank 0's TCPStore");
       app.add_option("--failure-grace", a->failure_grace,
                      "seconds the other ranks get to exit on their own after one fails, then they are killed");
       app.add_option("command", a->command, "after --: the clinrl command, e.g. train --config F")->required();
       app.callback([a] {
         const int code = launch(*a);
         if (code != 0) std::exit(code);
       });
     }});

}  // namespace
}  // namespace clinrl::cli
