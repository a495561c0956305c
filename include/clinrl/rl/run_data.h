#pragma once
// The records of a training run (the config's data section) and their
// simulators, loaded once at the start of a run.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/rl/train_config.h"
#include "clinrl/sim/simulator.h"

namespace clinrl::rl {

using Simulators = std::vector<std::shared_ptr<const sim::PatientSimulator>>;

struct RunData {
  std::vector<records::Record> train, val, test;
  Simulators train_sims, val_sims;  // the test simulators are made by the held-out evaluation
};

// A relative data path is looked up in the working directory, then in the
// source tree (logged); UserError naming `key` (the config key) and both
// places when it is in neither, or when an absolute path does not exist.
std::filesystem::path resolve_data_path(const std::string& path, const std::string& key);

// UserError naming the data.* key when a file is missing or holds no records.
RunData load_run_data(const TrainConfig& config);

}  // namespace clinrl::rl
