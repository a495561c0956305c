#pragma once
// Where this process sits in a data-parallel job, read from the variables
// torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT). No variables at all means one process.
#include <cstdint>
#include <string>

namespace clinrl::dist {

struct LaunchEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;

  // UserError naming the variable when one is missing, not a number, or out of range.
  static LaunchEnv from_environment();
  // The same checks on already-filled fields (RANK < WORLD_SIZE, ...).
  void validate() const;
};

}  // namespace clinrl::dist
