#pragma once
// The LLM rubric generator (Baichuan-M2's Clinical Rubrics Generator): an
// LLM proposes rubric items for each record, every proposal is checked, and
// the ones the rule generator (generator.h) does not already have are kept.
//
// Prompt (llm_rubric_prompt): a system message saying it writes HealthBench-
// style rubrics, and a user message with the case (demographics, specialty,
// urgency, chief complaint, every fact in clinical wording with its category
// and value, diagnosis and synonyms, differential, red flags, must-ask
// topics, management) and the rules for items. The rule items are not shown,
// so the consistency report measures agreement, not copying.
//
// Reply: one JSON object
//   {"items": [{"criterion": "Asks about ...", "points": 5,
//               "dimension": "inquiry_logic", "axis": "completeness"}, ...]}
// (a bare array of items is accepted too; a ```json fence or text around the
// JSON is stripped). A reply with no such JSON is retried (max_attempts);
// after that the record gets no LLM items and counts as unparseable.
//
// Each proposal, in reply order, is:
//   invalid (dropped, counted by reason) when it is not an object
//   ("not_an_object"), its criterion is not a string with content words
//   ("criterion"), its points are not a non-zero integer in [-10, 10]
//   ("points"), its dimension is missing or not one of dimensions()
//   ("dimension"), its axis is missing or not one of axes() ("axis"), or it
//   is a proposal past max_items ("beyond_max_items"); other keys (a `match`
//   too) are ignored. The item is built as {criterion, points, tags
//   [level:example, axis:A, dimension:D, source:llm], dimension} and read
//   back with RubricItem::from_json.
//   repeated when it has the same intent (criterion_overlap.h) at
//   duplicate_overlap as an earlier valid proposal of the same reply;
//   a duplicate of the rule rubric when it has the same intent at
//   duplicate_overlap as a rule item of the record;
//   written otherwise.
// proposed = invalid + repeated + duplicates of rule items + written.
//
// LLM items have no `match` block: the rule grader reports them ungraded,
// only the LLM judge can grade them.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"
#include "clinrl/core/language_model.h"
#include "clinrl/records/record.h"
#include "clinrl/rubric/generator.h"
#include "clinrl/rubric/rubric_consistency.h"
#include "clinrl/rubric/rubric_files.h"

namespace clinrl::rubric {

struct LlmRubricOptions {
  int max_items = 12;               // items the prompt asks for at most; later proposals are invalid
  int max_attempts = 2;             // per record, including the first, for an unparseable reply
  double duplicate_overlap = 0.8;   // same intent at this overlap = a duplicate (not written)
  double intent_overlap = 0.5;      // same intent at this overlap = a match in the consistency report
  core::ChatOptions chat{0.0, 2048, 0};
  GeneratorOptions rules;           // the rule rubric proposals are compared with (and written before them)

  template <class V>
  void fields(V& v) {
    v("max_items", max_items);
    v("max_attempts", max_attempts);
    v("duplicate_overlap", duplicate_overlap);
    v("intent_overlap", intent_overlap);
    v("chat", chat);
    v("rules", rules);
  }
  // Also requires intent_overlap <= duplicate_overlap, so every duplicate counts as a match.
  void validate() const;
};

// The two messages asking for one record's items.
core::Conversation llm_rubric_prompt(const records::Record& record, const LlmRubricOptions& options);

// The proposals of a reply (a JSON array), or none when the reply holds no
// {"items": [...]} object or array. Tried in turn: the whole reply (less a
// fence), its outermost {...}, its outermost [...]; the first that is JSON
// decides, so {"rubric": [...]} is not read as its inner array.
std::optional<core::Json> parse_rubric_reply(const std::string& reply);

struct ProposalCheck {
  std::optional<RubricItem> item;  // set when valid
  std::string reason;              // when invalid: "criterion", "points", ... (see above)
  std::string message;             // when invalid: "<where>.points: expected ..., got 12"
};
// Checks one proposal; `where` names it in the message ("acs-1: items[2]").
ProposalCheck check_proposal(const core::Json& proposal, const std::string& where);

struct LlmRubricCounts {
  size_t records = 0;
  size_t requests = 0;             // prompts sent, retries included
  size_t unparseable_replies = 0;  // records left without LLM items after max_attempts
  size_t proposed = 0;
  size_t invalid = 0;
  std::map<std::string, size_t> invalid_by_reason;
  size_t repeated = 0;                // same intent as an earlier proposal of the reply
  size_t duplicates_of_rules = 0;     // same intent as a rule item
  size_t written = 0;                 // LLM items kept
  size_t rule_items = 0;
  std::vector<std::string> invalid_examples;  // the first few invalid messages
  std::vector<std::string> unparseable_records;  // record ids

  size_t duplicates() const { return repeated + duplicates_of_rules; }
  core::Json to_json() const;
};

struct RecordLlmRubric {
  std::string record_id;
  Rubric rule_items;  // generate_rubric(record, options.rules)
  Rubric llm_items;   // the written proposals
  Rubric distinct;    // valid proposals less the repeated ones: llm_items + duplicates of rule items
  bool unparseable = false;
};

struct LlmRubricRun {
  std::vector<RecordLlmRubric> records;
  LlmRubricCounts counts;

  // The rubric file rows: rule items followed by the record's LLM items, or
  // the LLM items alone.
  std::vector<RecordRubric> rows(bool llm_only = false) const;
  // Consistency of the distinct valid proposals with the rule items.
  ConsistencyReport consistency(double min_overlap) const;
};

// Asks `model` once for all records (one chat_batch, so an HTTP backend runs
// them concurrently; unparseable replies go again as a smaller batch).
LlmRubricRun generate_llm_rubrics(const std::vector<records::Record>& records, core::LanguageModel& model,
                                  const LlmRubricOptions& options = {}, const Lexicon& lex = Lexicon::builtin());

}  // namespace clinrl::rubric
