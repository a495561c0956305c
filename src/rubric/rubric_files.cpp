#include "clinrl/rubric/rubric_files.h"

#include <set>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/rule_grader.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

void save_record_rubrics(const std::filesystem::path& path, const std::vector<RecordRubric>& rubrics) {
  std::vector<Json> rows;
  rows.reserve(rubrics.size());
  for (const auto& r : rubrics) rows.push_back({{"record_id", r.record_id}, {"rubrics", rubric_to_json(r.rubrics)}});
  core::write_jsonl_atomic(path, rows);
}

std::vector<RecordRubric> load_record_rubrics(const std::filesystem::path& path, const Lexicon& lex) {
  std::vector<RecordRubric> out;
  std::set<std::string> seen;
  core::read_jsonl(path, [&](size_t line, Json&& row) {
    std::string where = format("{}:{}", path.string(), line);
    if (!row.is_object() || !row.contains("record_id") || !row["record_id"].is_string())
      throw UserError(format("{}: record_id: expected a string", where));
    where += ": record " + row["record_id"].get<std::string>();
    if (!row.contains("rubrics")) throw UserError(format("{}: missing 'rubrics'", where));
    RecordRubric r{row["record_id"].get<std::string>(), rubric_from_json(row["rubrics"], where + ": rubrics")};
    if (!seen.insert(r.record_id).second) throw UserError(format("{}: a second rubric for this record", where));
    validate_matches(r.rubrics, lex, where + ": rubrics");
    out.push_back(std::move(r));
  });
  return out;
}

std::vector<RecordRubric> generate_rubrics(const std::vector<records::Record>& records, const GeneratorOptions& options) {
  std::vector<RecordRubric> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back({r.id, generate_rubric(r, options)});
  return out;
}

Suite generate_suite(const std::vector<records::Record>& records, const GeneratorOptions& generator,
                     const SuiteOptions& suite_options) {
  // One reply is all a single-turn suite sees, so a diagnosis in it is expected, not premature.
  GeneratorOptions single_turn = generator;
  single_turn.premature_diagnosis = false;
  Suite suite;
  for (const auto& r : records) suite.examples.push_back(make_suite_example(r, generate_rubric(r, single_turn), suite_options));
  return suite;
}

}  // namespace clinrl::rubric
