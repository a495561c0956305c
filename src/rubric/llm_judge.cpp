#include "clinrl/rubric/llm_judge.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_depth.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/parallel.h"
#include "clinrl/core/strings.h"

namespace clinrl::rubric {

using core::format;

void LlmJudgeOptions::validate() const {
  core::check_range("max_attempts", max_attempts, 1, 100);
  core::check_range("retry_backoff_s", retry_backoff_s, 0, 60);
  core::check_range("chat.temperature", chat.temperature, 0, 5);
  core::check_positive("chat.max_tokens", chat.max_tokens);
}

const std::string& default_judge_template() {
  static const std::string text =
      "You are grading one reply in a medical conversation against a single rubric item.\n"
      "Judge only the final assistant turn; earlier turns are context.\n\n"
      "## Conversation\n<<conversation>>\n\n"
      "## Rubric item (points in brackets)\n<<rubric_item>>\n\n"
      "## How to decide\n"
      "- Answer whether the final assistant turn does what the item describes. Decide the facts, not the merit:\n"
      "  an item with negative points describes a mistake, and criteria_met is true only if the reply makes it.\n"
      "- When the item lists several requirements, all of them must hold.\n"
      "- When the item gives examples (\"such as\", \"e.g.\", \"including\"), any fitting example is enough;\n"
      "  the reply need not repeat the listed ones.\n\n"
      "## Answer format\n"
      "Reply with a single JSON object and nothing else:\n"
      "{\"explanation\": \"<one or two sentences of reasoning>\", \"criteria_met\": <true or false>}\n";
  return text;
}

const std::string& default_negative_judge_template() {
  static const std::string text =
      "You are checking one reply in a medical conversation for a specific failure.\n"
      "Judge only the final assistant turn; earlier turns are context.\n\n"
      "## Conversation\n<<conversation>>\n\n"
      "## Failure to look for (a penalty, points in brackets)\n<<rubric_item>>\n\n"
      "## How to decide\n"
      "- criteria_met is true only when the final assistant turn clearly commits this failure.\n"
      "- A reply that avoids the failure, or does the opposite, gets false, however short it is.\n\n"
      "## Answer format\n"
      "Reply with a single JSON object and nothing else:\n"
      "{\"explanation\": \"<one or two sentences of reasoning>\", \"criteria_met\": <true or false>}\n";
  return text;
}

std::string format_conversation(const core::Conversation& conversation) {
  std::string out;
  for (size_t i = 0; i < conversation.size(); ++i) {
    if (i) out += "\n\n";
    out += conversation[i].role;
    out += ": ";
    out += conversation[i].content;
  }
  return out;
}

std::string format_rubric_item(const RubricItem& item) { return format("[{}] {}", item.points, item.criterion); }

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(text.size() + to.size());
  size_t pos = 0;
  for (;;) {
    size_t hit = text.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(text, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(text, pos, std::string::npos);
  text.swap(out);
}

std::string load_template(const std::string& path, const std::string& fallback) {
  if (path.empty()) return fallback;
  std::string text = core::read_file(path);
  if (text.find("<<conversation>>") == std::string::npos || text.find("<<rubric_item>>") == std::string::npos)
    throw UserError(format("{}: a judge template needs both <<conversation>> and <<rubric_item>> placeholders", path));
  return text;
}

}  // namespace

std::string fill_template(const std::string& text, const std::string& conversation, const std::string& rubric_item) {
  // Fill the rubric item first, so that a conversation that happens to
  // contain "<<rubric_item>>" is left as written.
  std::string out = text;
  const std::string marker = "\x01clinrl-conversation\x01";
  replace_all(out, "<<conversation>>", marker);
  replace_all(out, "<<rubric_item>>", rubric_item);
  replace_all(out, marker, conversation);
  return out;
}

std::optional<JudgeAnswer> parse_judge_answer(const std::string& reply) {
  // As the reference: strip a leading ```json and a trailing ``` fence.
  std::string text = core::trim(reply);
  if (core::starts_with(text, "```json")) text = core::trim(text.substr(7));
  else if (core::starts_with(text, "```")) text = core::trim(text.substr(3));
  if (core::ends_with(text, "```")) text = core::trim(text.substr(0, text.size() - 3));
  if (core::json_nesting_depth(text) > core::kMaxJsonDepth) return std::nullopt;  // copies would recurse that deep
  core::Json j = core::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto met = j.find("criteria_met");
  if (met == j.end() || !met->is_boolean()) return std::nullopt;
  JudgeAnswer a;
  a.criteria_met = met->get<bool>();
  auto e = j.find("explanation");
  if (e != j.end()) a.explanation = e->is_string() ? e->get<std::string>() : core::dump_json(*e);
  return a;
}

LlmJudgeGrader::LlmJudgeGrader(core::LanguageModel& model, LlmJudgeOptions options, int concurrency)
    : model_(&model), options_(std::move(options)), concurrency_(std::max(1, concurrency)) {
  options_.validate();
  template_ = load_template(options_.template_path, default_judge_template());
  if (!options_.negative_template_path.empty())
    negative_template_ = load_template(options_.negative_template_path, "");
  else
    negative_template_ = options_.separate_negative_template ? default_negative_judge_template() : template_;
}

std::string prompt_hash(const std::string& prompt) {
  uint64_t a = 14695981039346656037ull, b = 0x9e3779b97f4a7c15ull;
  for (unsigned char c : prompt) {
    a = (a ^ c) * 1099511628211ull;
    b = (b ^ c) * 0x100000001b3ull + 0x5bd1e995ull;
  }
  return format("{:016x}{:016x}-{}", a, b, prompt.size());
}

GradeResult LlmJudgeGrader::grade(const core::Conversation& conversation, const Rubric& rubric) {
  return grade_batch({{&conversation, &rubric, ""}}).front();
}

std::vector<std::optional<std::string>> LlmJudgeGrader::send(const std::vector<const std::string*>& prompts,
                                                             int attempt) {
  using Clock = std::chrono::steady_clock;
  core::ChatOptions chat = options_.chat;
  chat.seed = options_.chat.seed + static_cast<uint64_t>(attempt - 1);  // a retry may answer differently
  std::vector<std::optional<std::string>> replies(prompts.size());
  std::vector<double> latency(prompts.size(), 0.0);
  requests_ += prompts.size();
  stats_.requests += prompts.size();
  const auto t0 = Clock::now();
  if (model_->concurrent()) {
    std::atomic<size_t> errors{0};
    core::parallel_for(prompts.size(), concurrency_, [&](size_t k) {
      const auto start = Clock::now();
      try {
        replies[k] = model_->chat({{"user", *prompts[k]}}, chat);
      } catch (const std::runtime_error& e) {
        if (errors++ == 0) log::warn("judge: attempt {}: request failed: {}", attempt, e.what());
      }
      latency[k] = std::chrono::duration<double>(Clock::now() - start).count();
    });
  } else {
    std::vector<core::Conversation> batch;
    batch.reserve(prompts.size());
    for (const auto* p : prompts) batch.push_back({{"user", *p}});
    try {
      auto answers = model_->chat_batch(batch, chat);
      if (answers.size() != batch.size())
        throw std::runtime_error(format("judge backend returned {} replies for {} requests", answers.size(), batch.size()));
      for (size_t k = 0; k < answers.size(); ++k) replies[k] = std::move(answers[k]);
    } catch (const std::runtime_error& e) {
      // A backend that failed for good costs this attempt, like an unparsable answer.
      log::warn("judge: attempt {} for {} item(s) failed: {}", attempt, batch.size(), e.what());
    }
    // One call answers them all: each request waited for the whole call.
    latency.assign(prompts.size(), std::chrono::duration<double>(Clock::now() - t0).count());
  }
  stats_.seconds_waiting += std::chrono::duration<double>(Clock::now() - t0).count();
  stats_.latency_s.insert(stats_.latency_s.end(), latency.begin(), latency.end());
  return replies;
}

std::vector<GradeResult> LlmJudgeGrader::grade_batch(const std::vector<GradeJob>& jobs) {
  std::vector<GradeResult> results(jobs.size());
  // One entry per distinct prompt still to answer, and the items waiting on it.
  struct Request {
    std::string prompt, key;
    std::vector<std::pair<size_t, size_t>> items;  // (job, item)
  };
  std::vector<Request> requests;
  std::unordered_map<std::string, size_t> by_key;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const Rubric& rubric = *jobs[j].rubric;
    results[j].items.resize(rubric.size());
    stats_.items += rubric.size();
    const std::string convo = format_conversation(*jobs[j].conversation);
    for (size_t i = 0; i < rubric.size(); ++i) {
      const std::string& tmpl = rubric[i].points < 0 ? negative_template_ : template_;
      std::string prompt = fill_template(tmpl, convo, format_rubric_item(rubric[i]));
      std::string key = prompt_hash(prompt);
      if (options_.cache) {
        if (auto hit = cache_.find(key); hit != cache_.end()) {
          results[j].items[i] = {hit->second.met, hit->second.explanation};
          ++stats_.cache_hits;
          continue;
        }
        if (auto same = by_key.find(key); same != by_key.end()) {
          requests[same->second].items.push_back({j, i});
          ++stats_.cache_hits;
          continue;
        }
        by_key.emplace(key, requests.size());
      }
      requests.push_back({std::move(prompt), std::move(key), {{j, i}}});
    }
  }

  std::vector<size_t> pending(requests.size());
  for (size_t r = 0; r < pending.size(); ++r) pending[r] = r;
  for (int attempt = 1; attempt <= options_.max_attempts && !pending.empty(); ++attempt) {
    if (attempt > 1 && options_.retry_backoff_s > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(
          std::min(30.0, options_.retry_backoff_s * std::pow(2.0, static_cast<double>(attempt - 2)))));
    std::vector<const std::string*> prompts;
    prompts.reserve(pending.size());
    for (size_t r : pending) prompts.push_back(&requests[r].prompt);
    auto replies = send(prompts, attempt);
    std::vector<size_t> again;
    for (size_t k = 0; k < pending.size(); ++k) {
      const Request& req = requests[pending[k]];
      auto answer = replies[k] ? parse_judge_answer(*replies[k]) : std::nullopt;
      if (!answer) {
        ++stats_.failed_attempts;
        again.push_back(pending[k]);
        for (auto [j, i] : req.items)
          results[j].items[i].explanation = format("ungraded: no usable judge answer after {} attempt(s)", attempt);
        continue;
      }
      if (options_.cache) cache_[req.key] = {answer->criteria_met, answer->explanation};
      for (auto [j, i] : req.items) results[j].items[i] = {answer->criteria_met, answer->explanation};
    }
    pending.swap(again);
  }
  for (size_t j = 0; j < jobs.size(); ++j) {
    const size_t ungraded = results[j].ungraded();
    if (ungraded == 0) continue;
    stats_.ungraded += ungraded;
    size_t first = 0;
    while (results[j].items[first].met) ++first;
    log::warn("judge: {}{} of {} rubric items ungraded after {} attempts (first: \"{}\")",
              jobs[j].label.empty() ? "" : jobs[j].label + ": ", ungraded, results[j].items.size(),
              options_.max_attempts, (*jobs[j].rubric)[first].criterion);
  }
  return results;
}

JudgeStats LlmJudgeGrader::take_stats() {
  JudgeStats out = std::move(stats_);
  stats_ = JudgeStats{};
  return out;
}

}  // namespace clinrl::rubric
