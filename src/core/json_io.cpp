#include "clinrl/core/json_io.h"

#include <fstream>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_depth.h"
#include "clinrl/core/strings.h"

namespace clinrl::core {
namespace {

// Line and column (1-based) of byte offset `byte` in `text`.
std::pair<size_t, size_t> line_column(std::string_view text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 2: ";
// keep only the explanation after the last ": " of that prefix.
std::string short_reason(const std::string& what) {
  auto pos = what.find(": ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

// nlohmann reports a number beyond double's range ("1e420") as out_of_range,
// not parse_error: "[json.exception.out_of_range.406] number overflow parsing '1e420'".
std::string without_id(const std::string& what) {
  auto pos = what.find("] ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

std::string too_deep() { return format("JSON nested deeper than {} levels", kMaxJsonDepth); }

}  // namespace

Json parse_json(std::string_view text, const std::string& source) {
  if (json_nesting_depth(text) > kMaxJsonDepth) throw UserError(format("{}: {}", source, too_deep()));
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    auto [line, column] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    throw UserError(format("{}:{}:{}: malformed JSON: {}", source, line, column, short_reason(e.what())));
  } catch (const Json::out_of_range& e) {
    throw UserError(format("{}: malformed JSON: {}", source, without_id(e.what())));
  }
}

Json read_json_file(const std::filesystem::path& path) { return parse_json(read_file(path), path.string()); }

std::string dump_json(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

void write_json_file_atomic(const std::filesystem::path& path, const Json& value, int indent) {
  write_file_atomic(path, dump_json(value, indent) + "\n");
}

void read_jsonl(const std::filesystem::path& path, const std::function<void(size_t, Json&&)>& on_value,
                const std::function<void(const JsonlProblem&)>& on_problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(format("cannot read {}", path.string()));
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    if (json_nesting_depth(line) > kMaxJsonDepth) {
      if (!on_problem) throw UserError(format("{}:{}: {}", path.string(), number, too_deep()));
      on_problem({number, too_deep()});
      continue;
    }
    Json value;
    try {
      value = Json::parse(line);
    } catch (const Json::parse_error& e) {
      std::string reason = format("malformed JSON at column {}: {}", e.byte, short_reason(e.what()));
      if (!on_problem) throw UserError(format("{}:{}: {}", path.string(), number, reason));
      on_problem({number, reason});
      continue;
    } catch (const Json::out_of_range& e) {
      std::string reason = format("malformed JSON: {}", without_id(e.what()));
      if (!on_problem) throw UserError(format("{}:{}: {}", path.string(), number, reason));
      on_problem({number, reason});
      continue;
    }
    on_value(number, std::move(value));
  }
  if (in.bad()) throw UserError(format("cannot read {}: read failed after line {}", path.string(), number));
}

void write_jsonl_atomic(const std::filesystem::path& path, const std::vector<Json>& rows) {
  std::string out;
  for (const auto& row : rows) {
    out += dump_json(row);
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace clinrl::core
