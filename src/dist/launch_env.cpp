#include "clinrl/dist/launch_env.h"

#include <cstdlib>
#include <optional>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"

namespace clinrl::dist {
namespace {

std::optional<std::string> variable(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

int integer_variable(const char* name, int fallback) {
  auto v = variable(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const long n = std::stol(*v, &used);
    if (used == v->size()) return static_cast<int>(n);
  } catch (const std::exception&) {
  }
  throw UserError(core::format("environment variable {}={} is not an integer", name, *v));
}

}  // namespace

LaunchEnv LaunchEnv::from_environment() {
  LaunchEnv env;
  env.world_size = integer_variable("WORLD_SIZE", 1);
  if (env.world_size > 1 && !variable("RANK"))
    throw UserError(core::format("WORLD_SIZE={} but RANK is not set (start the processes with clinrl launch or torchrun)",
                                 env.world_size));
  env.rank = integer_variable("RANK", 0);
  env.local_world_size = integer_variable("LOCAL_WORLD_SIZE", env.world_size);
  env.local_rank = integer_variable("LOCAL_RANK", env.rank % std::max(1, env.local_world_size));
  if (auto addr = variable("MASTER_ADDR")) env.master_addr = *addr;
  else if (env.world_size > 1) throw UserError(core::format("WORLD_SIZE={} but MASTER_ADDR is not set", env.world_size));
  if (variable("MASTER_PORT")) env.master_port = integer_variable("MASTER_PORT", env.master_port);
  else if (env.world_size > 1) throw UserError(core::format("WORLD_SIZE={} but MASTER_PORT is not set", env.world_size));
  env.validate();
  return env;
}

void LaunchEnv::validate() const {
  if (world_size < 1) throw UserError(core::format("WORLD_SIZE must be >= 1, got {}", world_size));
  if (rank < 0 || rank >= world_size)
    throw UserError(core::format("RANK must be in [0, WORLD_SIZE={}), got {}", world_size, rank));
  if (local_world_size < 1 || local_world_size > world_size)
    throw UserError(core::format("LOCAL_WORLD_SIZE must be in [1, WORLD_SIZE={}], got {}", world_size, local_world_size));
  if (local_rank < 0 || local_rank >= local_world_size)
    throw UserError(
        core::format("LOCAL_RANK must be in [0, LOCAL_WORLD_SIZE={}), got {}", local_world_size, local_rank));
  if (master_port < 1 || master_port > 65535)
    throw UserError(core::format("MASTER_PORT must be in [1, 65535], got {}", master_port));
}

}  // namespace clinrl::dist
