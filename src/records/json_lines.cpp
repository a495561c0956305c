#include "clinrl/records/json_lines.h"

#include <fstream>
#include <limits>

#include "clinrl/core/error.h"
#include "clinrl/core/json_depth.h"
#include "clinrl/core/strings.h"

namespace clinrl::records {

int json_nesting_depth(std::string_view text) {
  return core::json_nesting_depth(text, std::numeric_limits<int>::max());
}

size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    if (n > 1 && !core::is_valid_utf8(s.substr(i, n))) return i;
    i += n;
  }
  return std::string_view::npos;
}

void read_json_lines(const std::filesystem::path& path, const JsonLinesOptions& options,
                     const std::function<void(size_t, core::Json&&)>& on_value,
                     const std::function<void(size_t, const std::string&)>& on_problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(core::format("cannot read {}", path.string()));
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (core::trim(line).empty()) continue;
    if (line.size() > options.max_line_bytes) {
      on_problem(number, core::format("line is {} bytes, over the limit of {} bytes; skipped", line.size(),
                                      options.max_line_bytes));
      continue;
    }
    if (!core::is_valid_utf8(line)) {
      size_t bad = first_invalid_utf8(line);
      on_problem(number, core::format("invalid UTF-8 at byte {}", bad + 1));
      continue;
    }
    if (int depth = json_nesting_depth(line); depth > options.max_depth) {
      on_problem(number, core::format("JSON nested {} levels deep, over the limit of {}", depth, options.max_depth));
      continue;
    }
    core::Json value;
    try {
      value = core::Json::parse(line);
    } catch (const core::Json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find(": ");
      std::string reason = pos == std::string::npos ? what : what.substr(pos + 2);
      bool truncated = e.byte >= line.size();
      on_problem(number, core::format("{} at column {}: {}", truncated ? "truncated JSON" : "malformed JSON", e.byte, reason));
      continue;
    } catch (const core::Json::out_of_range& e) {  // a number beyond double's range ("1e420")
      std::string what = e.what();
      on_problem(number, core::format("malformed JSON: {}", what.substr(what.find("] ") + 2)));
      continue;
    }
    on_value(number, std::move(value));
  }
  if (in.bad()) throw UserError(core::format("cannot read {}: read failed after line {}", path.string(), number));
}

}  // namespace clinrl::records
