#include "clinrl/rl/run_data.h"

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/demonstrations.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

std::vector<records::Record> load_split(const std::string& path, const char* what) {
  fs::path p = resolve_data_path(path, std::string("data.") + what);
  auto records = records::load_records(p);
  if (records.empty()) throw UserError(core::format("data.{}: {} holds no records", what, p.string()));
  return records;
}

}  // namespace

fs::path resolve_data_path(const std::string& path, const std::string& key) {
  fs::path p(path);
  if (p.is_absolute()) {
    if (!fs::exists(p)) throw UserError(core::format("{}: {} does not exist", key, path));
    return p;
  }
  if (fs::exists(p)) return p;
  fs::path in_tree = fs::path(CLINRL_SOURCE_DIR) / p;
  if (!fs::exists(in_tree))
    throw UserError(core::format("{}: {} exists neither in the working directory ({}) nor in the source tree ({})", key,
                                 path, fs::current_path().string(), CLINRL_SOURCE_DIR));
  log::info("{}: {} is not in the working directory; using the source tree's {}", key, path, in_tree.string());
  return in_tree;
}

RunData load_run_data(const TrainConfig& config) {
  RunData data;
  data.train = load_split(config.data.train, "train");
  data.val = load_split(config.data.val, "val");
  data.test = load_split(config.data.test, "test");
  log::info("records: {} train, {} val, {} test", data.train.size(), data.val.size(), data.test.size());
  data.train_sims = make_simulators(data.train, config.sim);
  data.val_sims = make_simulators(data.val, config.sim);
  return data;
}

}  // namespace clinrl::rl
