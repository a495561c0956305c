#include "clinrl/eval/eval_run.h"

#include <chrono>
#include <cstdio>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/eval/dialogue_suite_eval.h"
#include "clinrl/eval/grader_choice.h"
#include "clinrl/eval/local_replies.h"
#include "clinrl/eval/report_writer.h"
#include "clinrl/eval/run_curves.h"
#include "clinrl/eval/suite_eval.h"
#include "clinrl/eval/suite_kind.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rubric/grade_suite.h"
#include "clinrl/rubric/suite.h"
#include "clinrl/llm/language_model_factory.h"
#include "clinrl/llm/local_language_model.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/sim/llm_realiser.h"

namespace fs = std::filesystem;

namespace clinrl::eval {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<MetricCurve> run_curves(const EvalRequest& request, core::Json& sources) {
  std::optional<fs::path> run;
  if (!request.run_dir.empty()) {
    run = fs::path(request.run_dir);
    if (!fs::exists(*run / "metrics.jsonl"))
      throw UserError(core::format("--run {}: no metrics.jsonl in that directory", request.run_dir));
  } else if (!request.checkpoint.empty()) {
    run = find_run_directory(request.checkpoint);
  }
  if (!run) return {};
  sources["run_dir"] = run->string();
  return metric_curves(rl::read_metrics(*run / "metrics.jsonl"));
}

void fill_suite_report(const SuiteEvalResult& result, const rubric::Suite& suite, EvalReport& report,
                       std::vector<core::Json>& rows) {
  report.metrics = result.metrics;
  report.repeat_scores = result.repeat_scores;
  size_t items = 0;
  for (const auto& e : result.examples) {
    rows.push_back(e.to_json(suite.examples[e.example]));
    items += e.grades.items.size();
  }
  report.counts["samples"] = result.examples.size();
  report.counts["rubric_items_graded"] = items - result.ungraded_items;
  report.counts["rubric_items_ungraded"] = result.ungraded_items;
  report.timings["generate_seconds"] = result.generate_seconds;
  report.timings["grade_seconds"] = result.grade_seconds;
}

void check_no_subsample(const EvalConfig& config, const char* mode) {
  if (config.n_repeats != 1 || config.examples != 0)
    throw UserError(core::format("{}: --n-repeats and --examples apply to generated replies; a replay grades every "
                                 "saved completion (repeat a prompt_id to replay repeats)",
                                 mode));
}

// The judge of grader llm/mixed: the one the caller opened (--judge), or the
// config's judge_model spec, or its judge_backend section; null for rules.
core::LanguageModel* judge_model(const EvalRequest& request, std::unique_ptr<core::LanguageModel>& owned) {
  const EvalConfig& config = request.config;
  if (config.grader == "rules") return nullptr;
  if (request.judge) return request.judge;
  if (!config.judge_model.empty())
    owned = llm::open_language_model(llm::parse_language_model_spec(config.judge_model));
  else if (!config.judge_backend.backend.empty())
    owned = llm::open_backend(config.judge_backend, "judge_backend");
  return owned.get();
}

// A record set: the policy consults simulated patients; each dialogue is
// graded by its record's rubric (generated, or dialogue.rubrics.path).
void evaluate_record_set(const EvalRequest& request, EvalReport& report, std::vector<core::Json>& rows) {
  const EvalConfig& config = request.config;
  if (!request.completions.empty())
    throw UserError(core::format("--suite {} is a record set: saved completions can only be graded against a "
                                 "HealthBench suite",
                                 request.suite));
  if (request.checkpoint.empty())
    throw UserError(core::format("--suite {} is a record set: its dialogues need a --checkpoint to play the doctor",
                                 request.suite));
  auto records = records::load_records(request.suite);
  std::unique_ptr<core::LanguageModel> owned_judge;
  std::unique_ptr<rubric::LlmJudgeGrader> judge;
  if (config.grader != "rules") {
    core::LanguageModel* model = judge_model(request, owned_judge);
    if (!model)
      throw UserError(core::format("grader '{}' needs a judge model: give --judge SPEC (or judge_model in the config)",
                                   config.grader));
    judge = std::make_unique<rubric::LlmJudgeGrader>(*model, config.judge, config.judge_backend.concurrency);
  }
  std::shared_ptr<core::LanguageModel> patient_model = request.patient_llm;
  if (!patient_model && config.dialogue.sim.patient == "llm")
    patient_model = llm::open_backend(config.dialogue.sim.llm_patient.backend, "dialogue.sim.llm_patient");
  auto policy = model::ChatModel::load(request.checkpoint, config.model);
  std::shared_ptr<sim::LlmRealiser> llm_patient;
  if (patient_model)
    llm_patient = std::make_shared<sim::LlmRealiser>(
        patient_model,
        std::make_shared<const sim::Lexicon>(sim::Lexicon::load(config.dialogue.sim.lexicon_path())),
        config.dialogue.sim.llm_patient);
  auto result = evaluate_dialogue_suite(policy, records, config, llm_patient, judge.get());
  if (judge) {
    const auto st = judge->take_stats();
    report.counts["judge"] = {{"items", st.items},
                              {"requests", st.requests},
                              {"cache_hits", st.cache_hits},
                              {"failed_attempts", st.failed_attempts},
                              {"ungraded", st.ungraded}};
  }
  report.kind = "dialogues";
  if (llm_patient) {
    const auto st = llm_patient->stats();
    report.counts["llm_patient"] = {{"turns", st.turns},       {"requests", st.requests},
                                    {"rejected", st.rejected}, {"backend_errors", st.backend_errors},
                                    {"fallbacks", st.fallbacks}};
  }
  report.metrics = result.metrics;
  report.repeat_scores = result.repeat_scores;
  for (size_t i = 0; i < result.episodes.size(); ++i) rows.push_back(result.episodes[i].to_json(result.rubrics[i]));
  report.counts["records"] = result.episodes.size() / static_cast<size_t>(config.n_repeats);
  report.counts["episodes_per_record"] = config.n_repeats;
  report.counts["episodes"] = result.episodes.size();
  report.timings["dialogue_seconds"] = result.seconds;
}

// A HealthBench suite: generated or saved replies, graded by the chosen grader.
void evaluate_healthbench_suite(const EvalRequest& request, EvalReport& report, std::vector<core::Json>& rows) {
  const EvalConfig& config = request.config;
  auto suite = rubric::load_suite(request.suite);
  std::unique_ptr<core::LanguageModel> owned_judge;
  auto grader = make_grader(config, judge_model(request, owned_judge));
  SuiteEvalResult result;
  if (!request.completions.empty()) {
    check_no_subsample(config, "--completions");
    result = grade_saved_completions(*grader, suite, rubric::load_completions(request.completions),
                                     request.completions, config.bootstrap);
    report.kind = "replay";
  } else if (request.policy) {
    result = evaluate_suite(*request.policy, *grader, suite, config);
    report.kind = "suite";
  } else {
    llm::LocalModelOptions local;
    local.checkpoint = request.checkpoint;
    local.load = config.model;
    local.max_batch = config.generation.batch_size;
    auto model = llm::LocalLanguageModel::load(local);
    LocalModelReplies replies(*model);
    result = evaluate_suite(replies, *grader, suite, config);
    report.counts["unanswered_prompts"] = replies.unanswered();
    report.kind = "suite";
  }
  fill_suite_report(result, suite, report, rows);
  report.counts["suite_examples"] = suite.examples.size();
  report.counts["examples"] = result.examples.size() / static_cast<size_t>(std::max<size_t>(1, result.repeat_scores.size()));
  report.counts["repeats"] = result.repeat_scores.size();
}

}  // namespace

EvalRunSummary run_eval(const EvalRequest& request) {
  const EvalConfig& config = request.config;
  config.validate();
  if (request.suite.empty()) throw UserError("give --suite FILE (a HealthBench JSONL suite or a record set)");
  if (request.out.empty()) throw UserError("give --out DIR for the report");
  const bool have_policy = !request.checkpoint.empty() || request.policy;
  if (!request.completions.empty() && have_policy)
    throw UserError("give either --checkpoint (generate replies) or --completions (grade saved replies), not both");
  if (request.completions.empty() && !have_policy)
    throw UserError("give --checkpoint DIR to evaluate a policy, or --completions FILE to grade saved replies");

  auto t0 = Clock::now();
  EvalReport report;
  report.created = utc_timestamp();
  report.config = core::to_json_value(config);
  report.sources["suite"] = request.suite;
  if (!request.checkpoint.empty()) report.sources["checkpoint"] = request.checkpoint;
  if (request.policy && !request.policy_name.empty()) report.sources["policy"] = request.policy_name;
  if (!request.completions.empty()) report.sources["completions"] = request.completions;
  if (config.grader != "rules" && !config.judge_model.empty()) report.sources["judge"] = config.judge_model;
  else if (config.grader != "rules" && !config.judge_backend.backend.empty())
    report.sources["judge"] = config.judge_backend.backend;
  std::vector<core::Json> rows;

  const SuiteKind kind = detect_suite_kind(request.suite);
  report.counts["suite_kind"] = to_string(kind);
  if (kind == SuiteKind::records)
    evaluate_record_set(request, report, rows);
  else
    evaluate_healthbench_suite(request, report, rows);
  auto curves = run_curves(request, report.sources);
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  report.timings["total_seconds"] = total;
  report.timings["samples_per_second"] = total > 0 ? static_cast<double>(rows.size()) / total : 0.0;
  write_report(request.out, report, rows, curves);
  return {report, fs::path(request.out)};
}

std::string describe(const EvalRunSummary& summary) {
  const auto* overall = summary.report.metrics.find("overall_score");
  char buf[160];
  if (overall)
    std::snprintf(buf, sizeof buf, "overall_score %.4f ± %.4f (bootstrap std, n = %zu)", overall->mean_clipped,
                  overall->bootstrap_std, overall->n_samples);
  else
    std::snprintf(buf, sizeof buf, "no example had a defined overall_score");
  std::string text = buf;
  for (const char* name : {"diagnosis_accuracy", "must_ask_coverage", "turns"})
    if (const auto* m = summary.report.metrics.find(name)) {
      std::snprintf(buf, sizeof buf, "; %s %.4f ± %.4f", name, m->mean_clipped, m->bootstrap_std);
      text += buf;
    }
  return text + "; report in " + summary.out.string();
}

}  // namespace clinrl::eval
