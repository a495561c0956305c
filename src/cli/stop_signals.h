#pragma once
// SIGINT / SIGTERM for long-running commands (serve): the CLI owns signals,
// the library modules never install handlers of their own for them.
//   block_stop_signals();              // before any thread starts (torch's too)
//   ... start threads ...
//   int sig = wait_for_stop_signal();  // only this sigwait sees them
#include <pthread.h>
#include <signal.h>

namespace clinrl::cli {

inline sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Blocks SIGINT and SIGTERM in this thread and the threads it starts later.
inline void block_stop_signals() {
  sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Returns the signal number once one arrives.
inline int wait_for_stop_signal() {
  sigset_t set = stop_signal_set();
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

}  // namespace clinrl::cli
