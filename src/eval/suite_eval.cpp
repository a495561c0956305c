#include "clinrl/eval/suite_eval.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <unordered_map>

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/progress.h"
#include "clinrl/core/rng.h"
#include "clinrl/core/strings.h"

namespace clinrl::eval {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Grades every result's completion against its example and scores it.
void grade_and_score(rubric::Grader& grader, const rubric::Suite& suite, const rubric::AggregateOptions& bootstrap,
                     int repeats, SuiteEvalResult& out) {
  auto t0 = Clock::now();
  std::vector<std::vector<rubric::ExampleScore>> per_repeat(static_cast<size_t>(repeats));
  std::vector<rubric::ExampleScore> all;
  for (auto& r : out.examples) {
    const rubric::SuiteExample& ex = suite.examples[r.example];
    core::Conversation conversation = ex.prompt;
    conversation.push_back({"assistant", r.completion});
    r.grades = grader.grade(conversation, ex.rubrics);
    out.ungraded_items += r.grades.ungraded();
    r.score = rubric::score_example(ex.prompt_id, r.grades.graded_items(ex.rubrics), ex.example_tags,
                                    r.grades.graded_met());
    all.push_back(r.score);
    per_repeat[static_cast<size_t>(r.repeat)].push_back(r.score);
  }
  out.grade_seconds = seconds_since(t0);
  out.metrics = rubric::aggregate(all, bootstrap);
  for (const auto& scores : per_repeat) {
    rubric::AggregateOptions no_bootstrap = bootstrap;
    no_bootstrap.bootstrap_samples = 0;
    const auto* overall = rubric::aggregate(scores, no_bootstrap).find("overall_score");
    out.repeat_scores.push_back(overall ? overall->mean_clipped : 0.0);
  }
  if (out.ungraded_items > 0)
    log::warn("eval: {} rubric items could not be graded; they are left out of the scores", out.ungraded_items);
}

}  // namespace

core::Json ExampleResult::to_json(const rubric::SuiteExample& ex) const {
  core::Json metrics = core::Json::object();
  for (const auto& [name, value] : score.metrics) metrics[name] = value;
  core::Json items = core::Json::array();
  for (size_t i = 0; i < grades.items.size() && i < ex.rubrics.size(); ++i) {
    const auto& g = grades.items[i];
    items.push_back({{"criterion", ex.rubrics[i].criterion},
                     {"points", ex.rubrics[i].points},
                     {"criteria_met", g.met ? core::Json(*g.met) : core::Json(nullptr)},
                     {"explanation", g.explanation}});
  }
  return {{"prompt_id", prompt_id},
          {"repeat", repeat},
          {"seed", seed},
          {"completion", completion},
          {"score", score.overall_score ? core::Json(*score.overall_score) : core::Json(nullptr)},
          {"metrics", metrics},
          {"grades", items}};
}

std::vector<size_t> select_examples(size_t suite_size, int64_t count, uint64_t seed) {
  std::vector<size_t> all(suite_size);
  std::iota(all.begin(), all.end(), size_t{0});
  if (count <= 0 || static_cast<size_t>(count) >= suite_size) return all;
  Rng rng = Rng::stream(seed, "eval-subsample");
  rng.shuffle(all.begin(), all.end());
  all.resize(static_cast<size_t>(count));
  std::sort(all.begin(), all.end());
  return all;
}

uint64_t reply_seed(uint64_t seed, const std::string& prompt_id, int repeat) {
  return Rng::stream(seed, "eval-reply", Rng::hash(prompt_id)).derive("repeat", static_cast<uint64_t>(repeat)).next_u64();
}

SuiteEvalResult evaluate_suite(ReplyGenerator& policy, rubric::Grader& grader, const rubric::Suite& suite,
                               const EvalConfig& config) {
  config.validate();
  SuiteEvalResult out;
  const auto selected = select_examples(suite.examples.size(), config.examples, config.seed);
  for (int r = 0; r < config.n_repeats; ++r)
    for (size_t i : selected) {
      ExampleResult e;
      e.example = i;
      e.prompt_id = suite.examples[i].prompt_id;
      e.repeat = r;
      e.seed = reply_seed(config.seed, e.prompt_id, r);
      out.examples.push_back(std::move(e));
    }

  // Batches of prompts of similar length (a batch is padded to its longest
  // prompt); answers do not depend on the order, each request has its own seed.
  std::vector<size_t> order(out.examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto length = [&](size_t k) {
    size_t n = 0;
    for (const auto& m : suite.examples[out.examples[k].example].prompt) n += m.content.size();
    return n;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return length(a) < length(b); });

  auto t0 = Clock::now();
  const size_t batch = static_cast<size_t>(config.generation.batch_size);
  // A progress line about every tenth of the replies or 30 s.
  core::ProgressClock progress(static_cast<int64_t>(order.size()));
  for (size_t begin = 0; begin < order.size(); begin += batch) {
    size_t end = std::min(order.size(), begin + batch);
    std::vector<ReplyRequest> requests;
    for (size_t k = begin; k < end; ++k) {
      const ExampleResult& e = out.examples[order[k]];
      ReplyRequest q;
      q.messages = suite.examples[e.example].prompt;
      q.options.temperature = config.generation.temperature;
      q.options.max_tokens = config.generation.max_tokens;
      q.options.seed = e.seed;
      requests.push_back(std::move(q));
    }
    auto replies = policy.generate(requests);
    if (replies.size() != requests.size())
      throw std::runtime_error(core::format("policy returned {} replies for {} prompts", replies.size(), requests.size()));
    for (size_t k = begin; k < end; ++k) out.examples[order[k]].completion = std::move(replies[k - begin]);
    if (progress.due(static_cast<int64_t>(end))) {
      const double elapsed = progress.elapsed_seconds();
      log::info("eval: {}/{} replies | {} | ETA {}", end, order.size(),
                core::format_rate(static_cast<int64_t>(end), elapsed, "replies"),
                core::format_eta(static_cast<int64_t>(end), static_cast<int64_t>(order.size()), elapsed));
    }
  }
  out.generate_seconds = seconds_since(t0);
  grade_and_score(grader, suite, config.bootstrap, config.n_repeats, out);
  return out;
}

SuiteEvalResult grade_saved_completions(rubric::Grader& grader, const rubric::Suite& suite,
                                        const std::vector<rubric::Completion>& completions, const std::string& source,
                                        const rubric::AggregateOptions& bootstrap) {
  SuiteEvalResult out;
  std::unordered_map<std::string, int> seen;
  int repeats = 1;
  for (const auto& c : completions) {
    long index = suite.find(c.prompt_id);
    if (index < 0)
      throw UserError(core::format("{}:{}: prompt_id '{}' is not in the suite", source, c.line, c.prompt_id));
    ExampleResult e;
    e.example = static_cast<size_t>(index);
    e.prompt_id = c.prompt_id;
    e.repeat = seen[c.prompt_id]++;
    e.completion = c.text;
    repeats = std::max(repeats, e.repeat + 1);
    out.examples.push_back(std::move(e));
  }
  if (out.examples.empty()) throw UserError(core::format("{}: no completions to grade", source));
  grade_and_score(grader, suite, bootstrap, repeats, out);
  return out;
}

}  // namespace clinrl::eval
