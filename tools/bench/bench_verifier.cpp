// The verifier system's concurrency: an LLM judge and an LLM patient served
// by an OpenAI-compatible server that takes `delay` per request (a scripted
// server on loopback, tests/support/scripted_openai_server.h).
//
//   bench_verifier [--episodes 64] [--items 10] [--delay-ms 100] [--concurrency 16]
//
// Judge: one GRPO step's grading, `episodes` dialogues x `items` rubric
// items (all prompts distinct, so the cache does not help), through
// LlmJudgeGrader::grade_batch over the HTTP client with concurrency 1
// (the baseline, measured in the same run) and `concurrency`.
// Patient: the opening turn of `episodes` consultations worded by the LLM
// patient, played as the rollout plays them (core::parallel_for over
// Realiser::concurrency() workers), with concurrency 1 and `concurrency`.
// Prints one JSON object: seconds, requests, the speedup ratios and the share
// of each phase's wall time spent waiting on the backend.
#include <chrono>
#include <iostream>
#include <string>

#include "clinrl/core/json_io.h"
#include "clinrl/core/parallel.h"
#include "clinrl/core/strings.h"
#include "clinrl/llm/http_chat_client.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/sim/llm_realiser.h"
#include "clinrl/sim/simulator.h"
#include "support/scripted_openai_server.h"

using namespace clinrl;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Args {
  int episodes = 64, items = 10, concurrency = 16;
  double delay_ms = 100;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--episodes") a.episodes = std::stoi(v);
    else if (k == "--items") a.items = std::stoi(v);
    else if (k == "--delay-ms") a.delay_ms = std::stod(v);
    else if (k == "--concurrency") a.concurrency = std::stoi(v);
    else throw std::invalid_argument("unknown option " + k);
  }
  return a;
}

llm::HttpClientOptions client(const std::string& url, int concurrency) {
  llm::HttpClientOptions o;
  o.base_url = url;
  o.max_concurrency = concurrency;
  return o;
}

core::Json judge_phase(const std::string& url, const Args& a, int concurrency) {
  llm::HttpChatClient http(client(url, concurrency));
  rubric::LlmJudgeOptions options;
  rubric::LlmJudgeGrader judge(http, options, concurrency);
  std::vector<core::Conversation> conversations;
  rubric::Rubric rubric;
  for (int k = 0; k < a.items; ++k)
    rubric.push_back(rubric::RubricItem::from_json({{"criterion", core::format("Asks about item {}", k)}, {"points", 1}}, "bench"));
  for (int e = 0; e < a.episodes; ++e)
    conversations.push_back({{"user", core::format("I am patient {}.", e)}, {"assistant", "Tell me more."}});
  std::vector<rubric::GradeJob> jobs;
  for (const auto& c : conversations) jobs.push_back({&c, &rubric, ""});
  const auto t0 = Clock::now();
  judge.grade_batch(jobs);
  const double seconds = seconds_since(t0);
  const auto st = judge.take_stats();
  return {{"concurrency", concurrency}, {"seconds", seconds}, {"requests", st.requests},
          {"ungraded", st.ungraded}, {"waiting_share", st.seconds_waiting / seconds}};
}

core::Json patient_phase(const std::string& url, const Args& a, int concurrency) {
  auto http = std::make_shared<llm::HttpChatClient>(client(url, concurrency));
  sim::SimOptions options;
  options.llm_patient.backend.concurrency = concurrency;
  auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(options.lexicon_path()));
  auto patient = std::make_shared<sim::LlmRealiser>(http, lexicon, options.llm_patient);
  auto records = records::load_records(std::string(CLINRL_SOURCE_DIR) + "/data/records/synth.train.jsonl");
  std::vector<std::shared_ptr<const sim::PatientSimulator>> sims;
  for (int e = 0; e < a.episodes; ++e)
    sims.push_back(sim::PatientSimulator::create(records[static_cast<size_t>(e) % records.size()], lexicon, options, patient));
  std::vector<sim::EpisodeState> states;
  for (const auto& s : sims) states.push_back(s->new_episode());
  const auto t0 = Clock::now();
  core::parallel_for(states.size(), patient->concurrency(), [&](size_t i) { states[i].reset(i + 1); });
  const double seconds = seconds_since(t0);
  const auto st = patient->stats();
  return {{"concurrency", concurrency}, {"seconds", seconds}, {"turns", st.turns}, {"requests", st.requests},
          {"fallbacks", st.fallbacks},
          {"waiting_share", std::min(1.0, st.seconds_waiting / (seconds * patient->concurrency()))}};
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  test::ScriptedOpenAiServer server(
      [](const core::Conversation& m) {
        // Judge prompts get a verdict; patient prompts a reply that states nothing.
        if (m.back().content.find("criteria_met") != std::string::npos)
          return std::string(R"({"explanation": "scripted", "criteria_met": true})");
        return std::string("Hello doctor.");
      },
      a.delay_ms / 1000.0);
  core::Json out;
  out["delay_ms"] = a.delay_ms;
  out["episodes"] = a.episodes;
  out["items"] = a.items;
  auto j1 = judge_phase(server.base_url(), a, 1);
  auto jn = judge_phase(server.base_url(), a, a.concurrency);
  out["judge"] = {{"baseline", j1}, {"concurrent", jn},
                  {"speedup", j1["seconds"].get<double>() / jn["seconds"].get<double>()}};
  auto p1 = patient_phase(server.base_url(), a, 1);
  auto pn = patient_phase(server.base_url(), a, a.concurrency);
  out["patient"] = {{"baseline", p1}, {"concurrent", pn},
                    {"speedup", p1["seconds"].get<double>() / pn["seconds"].get<double>()}};
  std::cout << out.dump(2) << "\n";
  return 0;
}
