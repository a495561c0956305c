#pragma once
// `--suite` is either a HealthBench-format suite (single-turn prompts with
// rubrics) or a record set (multi-turn dialogues with simulated patients);
// the file's first row decides.
#include <filesystem>

namespace clinrl::eval {

enum class SuiteKind { healthbench, records };

// A row with "prompt" and "rubrics" is a HealthBench suite; one with "id",
// "facts" and "diagnosis" is a record set. Anything else (or an empty or
// missing file) is a UserError naming the file, line and both formats.
SuiteKind detect_suite_kind(const std::filesystem::path& path);

const char* to_string(SuiteKind kind);

}  // namespace clinrl::eval
