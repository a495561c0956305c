#include "clinrl/rubric/llm_rubric_generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/criterion_overlap.h"

namespace clinrl::rubric {

using core::format;
using core::Json;

namespace {

constexpr size_t kInvalidExamples = 10;  // invalid messages kept for the report and the log

bool one_of(const std::string& value, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

ProposalCheck invalid(const std::string& reason, std::string message) { return {std::nullopt, reason, std::move(message)}; }

// Checks that `p[key]` is a string naming one of `names`.
std::optional<std::string> named(const Json& p, const char* key, const std::vector<std::string>& names) {
  auto it = p.find(key);
  if (it == p.end() || !it->is_string() || !one_of(it->get<std::string>(), names)) return std::nullopt;
  return it->get<std::string>();
}

std::string got(const Json& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? "nothing" : core::dump_json(*it);
}

}  // namespace

void LlmRubricOptions::validate() const {
  core::check_range("max_items", max_items, 1, 100);
  core::check_range("max_attempts", max_attempts, 1, 100);
  core::check_range("duplicate_overlap", duplicate_overlap, 0, 1);
  core::check_range("intent_overlap", intent_overlap, 0, 1);
  if (intent_overlap > duplicate_overlap)
    throw std::invalid_argument(format("intent_overlap ({}) must not exceed duplicate_overlap ({}): every duplicate "
                                       "of a rule item must count as an intent match",
                                       intent_overlap, duplicate_overlap));
  core::check_range("chat.temperature", chat.temperature, 0, 5);
  core::check_positive("chat.max_tokens", chat.max_tokens);
  rules.validate();
}

ProposalCheck check_proposal(const Json& p, const std::string& where) {
  if (!p.is_object()) return invalid("not_an_object", format("{}: expected an object, got {}", where, core::dump_json(p)));
  auto c = p.find("criterion");
  if (c == p.end() || !c->is_string() || content_words(c->get<std::string>()).empty())
    return invalid("criterion", format("{}.criterion: expected a string with content words, got {}", where, got(p, "criterion")));
  auto pts = p.find("points");
  double value = pts != p.end() && pts->is_number() ? pts->get<double>() : 0;
  if (value == 0 || value < -10 || value > 10 || std::trunc(value) != value)
    return invalid("points", format("{}.points: expected a non-zero integer in [-10, 10], got {}", where, got(p, "points")));
  auto dimension = named(p, "dimension", dimensions());
  if (!dimension)
    return invalid("dimension", format("{}.dimension: expected one of {}, got {}", where, core::join(dimensions(), ", "),
                                       got(p, "dimension")));
  auto axis = named(p, "axis", axes());
  if (!axis)
    return invalid("axis", format("{}.axis: expected one of {}, got {}", where, core::join(axes(), ", "), got(p, "axis")));
  Json item = {{"criterion", core::trim(c->get<std::string>())},
               {"points", static_cast<int>(value)},
               {"tags", Json::array({"level:example", "axis:" + *axis, "dimension:" + *dimension, "source:llm"})},
               {"dimension", *dimension}};
  try {
    return {RubricItem::from_json(item, where), "", ""};
  } catch (const UserError& e) {
    return invalid("schema", e.what());
  }
}

Json LlmRubricCounts::to_json() const {
  Json reasons = Json::object();
  for (const auto& [reason, n] : invalid_by_reason) reasons[reason] = n;
  return {{"records", records},
          {"requests", requests},
          {"unparseable_replies", unparseable_replies},
          {"unparseable_records", unparseable_records},
          {"proposed", proposed},
          {"invalid", {{"total", invalid}, {"by_reason", reasons}, {"examples", invalid_examples}}},
          {"duplicates", {{"total", duplicates()}, {"of_rule_items", duplicates_of_rules}, {"repeated", repeated}}},
          {"written", written},
          {"rule_items", rule_items}};
}

std::vector<RecordRubric> LlmRubricRun::rows(bool llm_only) const {
  std::vector<RecordRubric> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    RecordRubric row{r.record_id, llm_only ? Rubric{} : r.rule_items};
    row.rubrics.insert(row.rubrics.end(), r.llm_items.begin(), r.llm_items.end());
    out.push_back(std::move(row));
  }
  return out;
}

ConsistencyReport LlmRubricRun::consistency(double min_overlap) const {
  ConsistencyReport report(min_overlap);
  for (const auto& r : records) report.add(r.distinct, r.rule_items);
  return report;
}

namespace {

// The proposals array of every record's reply (none: unparseable after all attempts).
std::vector<std::optional<Json>> ask_all(const std::vector<core::Conversation>& prompts, core::LanguageModel& model,
                                         const LlmRubricOptions& options, LlmRubricCounts& counts) {
  std::vector<std::optional<Json>> proposals(prompts.size());
  std::vector<size_t> pending(prompts.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (int attempt = 1; attempt <= options.max_attempts && !pending.empty(); ++attempt) {
    std::vector<core::Conversation> batch;
    batch.reserve(pending.size());
    for (size_t i : pending) batch.push_back(prompts[i]);
    counts.requests += batch.size();
    std::vector<std::string> replies;
    try {
      replies = model.chat_batch(batch, options.chat);
    } catch (const std::runtime_error& e) {
      // A backend that failed for good costs this attempt, like an unparseable reply.
      log::warn("rubric generator: attempt {} for {} record(s) failed: {}", attempt, batch.size(), e.what());
      replies.assign(batch.size(), std::string());
    }
    if (replies.size() != batch.size())
      throw std::runtime_error(format("rubric generator backend returned {} replies for {} requests", replies.size(),
                                      batch.size()));
    std::vector<size_t> again;
    for (size_t k = 0; k < pending.size(); ++k) {
      proposals[pending[k]] = parse_rubric_reply(replies[k]);
      if (!proposals[pending[k]]) again.push_back(pending[k]);
    }
    pending.swap(again);
  }
  return proposals;
}

// Sorts one record's proposals into invalid, repeated, duplicates and written.
void sort_proposals(const Json& proposals, const LlmRubricOptions& options, RecordLlmRubric& rec, LlmRubricCounts& counts) {
  for (size_t j = 0; j < proposals.size(); ++j) {
    counts.proposed += 1;
    std::string where = format("{}: items[{}]", rec.record_id, j);
    ProposalCheck check = j < static_cast<size_t>(options.max_items)
                              ? check_proposal(proposals[j], where)
                              : invalid("beyond_max_items", format("{}: more than max_items ({}) proposals", where,
                                                                   options.max_items));
    if (!check.item) {
      counts.invalid += 1;
      counts.invalid_by_reason[check.reason] += 1;
      if (counts.invalid_examples.size() < kInvalidExamples) {
        log::warn("rubric generator: dropped {}", check.message);
        counts.invalid_examples.push_back(check.message);
      }
      continue;
    }
    const RubricItem& item = *check.item;
    if (find_same_intent(item, rec.distinct, options.duplicate_overlap)) {
      counts.repeated += 1;
      continue;
    }
    rec.distinct.push_back(item);
    if (find_same_intent(item, rec.rule_items, options.duplicate_overlap)) {
      counts.duplicates_of_rules += 1;
      continue;
    }
    rec.llm_items.push_back(item);
    counts.written += 1;
  }
}

}  // namespace

LlmRubricRun generate_llm_rubrics(const std::vector<records::Record>& records, core::LanguageModel& model,
                                  const LlmRubricOptions& options, const Lexicon& lex) {
  options.validate();
  LlmRubricRun run;
  run.counts.records = records.size();
  std::vector<core::Conversation> prompts;
  prompts.reserve(records.size());
  for (const auto& r : records) {
    run.records.push_back({r.id, generate_rubric(r, options.rules, lex), {}, {}, false});
    run.counts.rule_items += run.records.back().rule_items.size();
    prompts.push_back(llm_rubric_prompt(r, options));
  }
  auto proposals = ask_all(prompts, model, options, run.counts);
  for (size_t i = 0; i < records.size(); ++i) {
    RecordLlmRubric& rec = run.records[i];
    if (!proposals[i]) {
      rec.unparseable = true;
      run.counts.unparseable_replies += 1;
      run.counts.unparseable_records.push_back(rec.record_id);
      log::warn("rubric generator: {}: no usable reply after {} attempt(s); the record gets no LLM items", rec.record_id,
                options.max_attempts);
      continue;
    }
    sort_proposals(*proposals[i], options, rec, run.counts);
  }
  return run;
}

}  // namespace clinrl::rubric
