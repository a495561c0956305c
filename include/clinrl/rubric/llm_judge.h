#pragma once
// The LLM-judge grader, following the HealthBench protocol: for each rubric
// item, a template with <<conversation>> (the turns written "role: content"
// and joined by blank lines) and <<rubric_item>> ("[points] criterion") is
// sent to a LanguageModel, which answers JSON {"explanation", "criteria_met"}
// (a ```json fence is stripped). Unparsable answers, and backend calls that
// throw std::runtime_error (e.g. HTTP failures), are retried up to a cap with
// backoff between rounds; after that the item is ungraded.
//
// grade_batch sends every item of every job in one batch: on a backend whose
// chat() is thread-safe (core::LanguageModel::concurrent, an HTTP client) a
// pool of `concurrency` workers calls it, timing and failing each request on
// its own; otherwise one chat_batch call per round. Identical prompts (same
// conversation, item and template; one grader = one judge model) are sent
// once per grader lifetime: a content-hash cache, counted in the stats.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "clinrl/core/language_model.h"
#include "clinrl/rubric/grader.h"

namespace clinrl::rubric {

struct LlmJudgeOptions {
  std::string template_path;           // "" = the built-in template
  std::string negative_template_path;  // used for items with negative points; "" = same as positive
  bool separate_negative_template = false;  // use the built-in negative template when no path is given
  int max_attempts = 3;                // per item, including the first
  double retry_backoff_s = 0.5;        // wait before retry round k: retry_backoff_s * 2^(k-1), at most 30 s
  bool cache = true;                   // answer identical requests once
  core::ChatOptions chat;

  template <class V>
  void fields(V& v) {
    v("template_path", template_path);
    v("negative_template_path", negative_template_path);
    v("separate_negative_template", separate_negative_template);
    v("max_attempts", max_attempts);
    v("retry_backoff_s", retry_backoff_s);
    v("cache", cache);
    v("chat", chat);
  }
  void validate() const;
};

// Our default judge instructions (placeholders <<conversation>>, <<rubric_item>>).
const std::string& default_judge_template();
// Our default instructions for negative items: "did the reply do this undesirable thing?"
const std::string& default_negative_judge_template();

// "user: ...\n\nassistant: ..."
std::string format_conversation(const core::Conversation& conversation);
// "[points] criterion"
std::string format_rubric_item(const RubricItem& item);
// The template with both placeholders replaced (each occurrence).
std::string fill_template(const std::string& text, const std::string& conversation, const std::string& rubric_item);

struct JudgeAnswer {
  bool criteria_met = false;
  std::string explanation;
};
// Parses a judge reply; nullopt when it is not a JSON object whose
// criteria_met is a real boolean.
std::optional<JudgeAnswer> parse_judge_answer(const std::string& reply);

// What the judge did since the last take_stats() call.
struct JudgeStats {
  size_t items = 0;            // rubric items asked for
  size_t requests = 0;         // prompts sent to the backend (retries included)
  size_t cache_hits = 0;       // items answered by an earlier identical request
  size_t failed_attempts = 0;  // requests that failed or came back unparsable
  size_t ungraded = 0;         // items with no usable answer after max_attempts
  std::vector<double> latency_s;  // per request sent: seconds until its answer (or failure)
  double seconds_waiting = 0;  // wall time spent waiting on the backend
};

class LlmJudgeGrader : public Grader {
 public:
  // `concurrency`: requests in flight at once on a concurrent backend.
  LlmJudgeGrader(core::LanguageModel& model, LlmJudgeOptions options, int concurrency = 16);
  GradeResult grade(const core::Conversation& conversation, const Rubric& rubric) override;
  // Not thread-safe: one caller at a time (the batch itself runs in parallel).
  std::vector<GradeResult> grade_batch(const std::vector<GradeJob>& jobs) override;

  // Requests sent so far (for logs and tests).
  size_t requests() const { return requests_; }
  // The counters since the previous call, which resets them.
  JudgeStats take_stats();

 private:
  struct Answer {
    bool met = false;
    std::string explanation;
  };
  // Sends `prompts` once each; the replies (nullopt: failed) in order.
  std::vector<std::optional<std::string>> send(const std::vector<const std::string*>& prompts, int attempt);

  core::LanguageModel* model_;
  LlmJudgeOptions options_;
  int concurrency_;
  std::string template_;
  std::string negative_template_;
  size_t requests_ = 0;
  JudgeStats stats_;
  std::unordered_map<std::string, Answer> cache_;  // by content hash of the prompt
};

// The cache key of a prompt: two independent 64-bit FNV-1a hashes and the
// length, as hex (a collision needs all three to agree).
std::string prompt_hash(const std::string& prompt);

}  // namespace clinrl::rubric
