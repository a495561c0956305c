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
  fs::path p = resolve_data_path(path);
  if (!fs::exists(p)) throw UserError(core::format("data.{}: record file not found: {}", what, path));
  auto records = records::load_records(p);
  if (records.empty()) throw UserError(core::format("data.{}: {} holds no records", what, p.string()));
  return records;
}

}  // namespace

fs::path resolve_data_path(const std::string& path) {
  fs::path p(path);
  if (p.is_absolute() || fs::exists(p)) return p;
  fs::path in_tree = fs::path(CLINRL_SOURCE_DIR) / p;
  return fs::exists(in_tree) ? in_tree : p;
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
