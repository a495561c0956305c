// libFuzzer target for config loading (core/config.h) with "extends" and
// --set overrides. The input is "run.json ---- base.json ---- overrides" (one
// a.b=value per line), loaded as sim::SimOptions: run configs proper
// (rl::TrainConfig) need libtorch, and the loader is the same template for
// every section. Must load or throw UserError (ConfigError).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "clinrl/core/config.h"
#include "clinrl/sim/sim_options.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = clinrl::fuzz::split_parts(data, size, 3);
  auto run = clinrl::fuzz::write_scratch("run.json", parts[0]);
  clinrl::fuzz::write_scratch("base.json", parts.size() > 1 ? parts[1] : "{}");
  std::vector<std::string> overrides;
  if (parts.size() > 2) {
    std::istringstream lines(parts[2]);
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  }
  clinrl::fuzz::expect_clean([&] {
    auto options = clinrl::core::load_config<clinrl::sim::SimOptions>(run, overrides);
    // What loads must write back to a config that loads to the same JSON.
    auto json = clinrl::core::to_json_value(options);
    clinrl::sim::SimOptions again;
    clinrl::core::from_json_value(json, again, "", "fuzz (written back)");
    clinrl::fuzz::check(clinrl::core::to_json_value(again) == json);
  });
  return 0;
}
