// Splitting a synthetic record set into train, val and test, stratified by condition.
#include <cmath>
#include <map>
#include <set>

#include "clinrl/core/error.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/synth.h"

namespace clinrl::records {

Split split_by_condition(const std::vector<Record>& records, const SynthOptions& options) {
  std::map<std::string, std::vector<size_t>> by_condition;
  for (size_t i = 0; i < records.size(); ++i) by_condition[records[i].condition].push_back(i);
  std::vector<int> part(records.size(), 0);  // 0 train, 1 val, 2 test
  for (auto& [condition, members] : by_condition) {
    Rng rng = Rng::stream(options.seed, "synth.split." + condition);
    rng.shuffle(members.begin(), members.end());
    size_t n = members.size();
    size_t n_test = static_cast<size_t>(std::llround(options.test_fraction * static_cast<double>(n)));
    size_t n_val = static_cast<size_t>(std::llround(options.val_fraction * static_cast<double>(n)));
    if (n_test + n_val > n) n_val = n - std::min(n, n_test);
    for (size_t k = 0; k < n; ++k) part[members[k]] = k < n_test ? 2 : k < n_test + n_val ? 1 : 0;
  }
  Split s;
  for (size_t i = 0; i < records.size(); ++i) (part[i] == 0 ? s.train : part[i] == 1 ? s.val : s.test).push_back(records[i]);
  return s;
}

std::filesystem::path split_path(const std::filesystem::path& out, const std::string& part) {
  std::filesystem::path p = out;
  std::string ext = p.extension().string();
  return p.parent_path() / (p.stem().string() + "." + part + (ext.empty() ? ".jsonl" : ext));
}

void keep_conditions(KnowledgeBase& kb, const std::vector<std::string>& ids, const std::string& where) {
  if (ids.empty()) return;
  for (const auto& id : ids)
    if (!kb.find(id)) throw UserError(core::format("{} has no condition '{}'", where, id));
  const std::set<std::string> wanted(ids.begin(), ids.end());
  std::vector<Condition> kept;
  for (auto& c : kb.conditions)
    if (wanted.count(c.id)) kept.push_back(std::move(c));
  kb.conditions = std::move(kept);
}

}  // namespace clinrl::records
