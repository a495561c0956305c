#include "clinrl/eval/suite_kind.h"

#include <fstream>
#include <string>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"

namespace clinrl::eval {

SuiteKind detect_suite_kind(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(core::format("--suite {}: cannot open the file", path.string()));
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (core::trim(line).empty()) continue;
    const std::string where = core::format("{}:{}", path.string(), number);
    core::Json row = core::parse_json(line, where);
    if (row.is_object() && row.contains("prompt") && row.contains("rubrics")) return SuiteKind::healthbench;
    if (row.is_object() && row.contains("id") && row.contains("facts") && row.contains("diagnosis"))
      return SuiteKind::records;
    throw UserError(core::format(
        "{}: not a suite row: expected a HealthBench example (keys prompt, rubrics, prompt_id) or a record "
        "(keys id, facts, diagnosis; see docs/records.md)",
        where));
  }
  throw UserError(core::format("--suite {}: the file holds no rows", path.string()));
}

const char* to_string(SuiteKind kind) { return kind == SuiteKind::healthbench ? "healthbench" : "records"; }

}  // namespace clinrl::eval
