// clinrl train / clinrl sft: launch a run from a config (or continue one).
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "clinrl/core/config.h"
#include "clinrl/core/logging.h"
#include "clinrl/dist/process_group.h"
#include "clinrl/rl/optimizer.h"
#include "clinrl/rl/training_run.h"
#include "command.h"
#include "model_load_args.h"

namespace clinrl::cli {
namespace {

struct TrainArgs {
  ConfigArgs config;
  ModelLoadArgs model;  // sets the policy section: policy.checkpoint, policy.device, ...
  std::string resume;
};

rl::TrainingRequest make_request(const TrainArgs& args, bool sft_only) {
  rl::TrainingRequest request;
  request.sft_only = sft_only;
  auto overrides = args.config.overrides;
  if (!args.model.checkpoint.empty()) overrides.push_back("policy.checkpoint=" + args.model.checkpoint);
  for (auto& o : args.model.overrides("policy")) overrides.push_back(std::move(o));
  if (!args.resume.empty()) {
    if (!overrides.empty())
      throw UserError("--resume continues with RUN_DIR/config.json: --set and the model flags apply to a new run only");
    request.config = rl::load_run_config(args.resume, &request.config_json);
    request.resume = args.resume;
  } else {
    if (args.config.config.empty()) throw UserError("give --config FILE (or --resume RUN_DIR)");
    request.config = core::load_config<rl::TrainConfig>(args.config.file(), overrides);
    // `clinrl sft` asks for SFT, also on a checkpoint where it is off by default.
    if (sft_only && !request.config.sft_enabled) request.config.sft_enabled = true;
    request.config_json = core::to_json_value(request.config);
  }
  log::set_level(log::parse_level(request.config.run.log_level));
  return request;
}

// The processes torchrun or `clinrl launch` started (RANK, WORLD_SIZE, ...);
// nothing to join for a single process.
void join_processes(const rl::TrainConfig& config) {
  const dist::LaunchEnv env = dist::LaunchEnv::from_environment();
  if (env.world_size == 1) return;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(config.dist.timeout_seconds * 1000));
  dist::set_world(dist::ProcessGroup::connect(env, timeout));
}

std::string fixed3(double v) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << v;
  return out.str();
}

// GRPO minus SFT on one held-out metric, against the combined bootstrap noise,
// with the rule `clinrl eval compare` uses (|difference| > 1.96 noise).
std::string held_out_gain(const char* name, double sft, double sft_std, double grpo, double grpo_std) {
  const double difference = grpo - sft, noise = std::sqrt(sft_std * sft_std + grpo_std * grpo_std);
  std::string verdict = noise > 0 ? (std::abs(difference) > 1.96 * noise ? "significant" : "not significant")
                                  : "noise unknown";
  return core::format("{} {} -> {} ({}{}, {} noise, {})", name, fixed3(sft), fixed3(grpo), difference >= 0 ? "+" : "",
                      fixed3(difference), noise > 0 ? fixed3(difference / noise) + "x" : "no", verdict);
}

void print_summary(const rl::TrainingSummary& s) {
  std::cout << "run directory: " << s.run_dir.string() << "\n";
  if (s.grpo_steps_done > 0) {
    const rl::RewardTrend& t = s.reward_trend;
    std::cout << core::format("grpo: {} steps, mean reward first {} steps {} -> last {} steps {}: gain {} ({} standard "
                              "errors; standard error {} over {} + {} episodes)\n",
                              s.grpo_steps_done, t.first.steps, fixed3(t.first.mean), t.last.steps, fixed3(t.last.mean),
                              fixed3(t.gain()), fixed3(t.standard_errors()), fixed3(t.standard_error()),
                              t.first.episodes, t.last.episodes);
  }
  auto line = [](const char* name, const rl::HeldOutScore& h) {
    std::cout << core::format("held-out {}: rubric score {} +- {}, diagnosis accuracy {} +- {}, must-ask coverage {}, "
                              "turns {} ({} episodes)\n",
                              name, fixed3(h.rubric), fixed3(h.rubric_std), fixed3(h.diagnosis_accuracy),
                              fixed3(h.diagnosis_accuracy_std), fixed3(h.must_ask_coverage), fixed3(h.turns), h.episodes);
  };
  if (s.sft_score) line("SFT ", *s.sft_score);
  if (s.grpo_score) line("GRPO", *s.grpo_score);
  if (s.sft_score && s.grpo_score) {
    const rl::HeldOutScore &a = *s.sft_score, &b = *s.grpo_score;
    std::cout << "held-out SFT -> GRPO: "
              << held_out_gain("rubric score", a.rubric, a.rubric_std, b.rubric, b.rubric_std) << "; "
              << held_out_gain("diagnosis accuracy", a.diagnosis_accuracy, a.diagnosis_accuracy_std,
                               b.diagnosis_accuracy, b.diagnosis_accuracy_std)
              << " (+- is the bootstrap std)\n";
  }
}

void add_train_command(const char* name, const char* help, bool sft_only) {
  register_command({name, help, [sft_only](CLI::App& app) {
                      auto args = std::make_shared<TrainArgs>();
                      args->config.add_to(app, false, "run config", "sim.max_turns=5");
                      args->model.add_to(app, "the policy's starting point (else a fresh model of policy.init_config)",
                                         "the run config's policy section");
                      app.add_option("--resume", args->resume, "continue the run in this directory from its last good checkpoint");
                      app.callback([args, sft_only] {
                        try {
                          const rl::TrainingRequest request = make_request(*args, sft_only);
                          join_processes(request.config);
                          const rl::TrainingSummary summary = rl::run_training(request);
                          dist::world().barrier();
                          const bool main = dist::world().is_main();
                          dist::set_world(nullptr);
                          if (main) print_summary(summary);
                        } catch (const dist::CollectiveError& e) {
                          // A peer is gone: tearing the group down could wait on it, so exit now.
                          std::cerr << "error: " << e.what() << "\n";
                          std::cerr.flush();
                          std::_Exit(1);
                        } catch (const rl::NonFiniteError& e) {
                          throw UserError(core::format("training stopped at step {}: {} (no checkpoint written)",
                                                       e.step(), e.what()));
                        }
                      });
                    }});
}

const bool registered = [] {
  add_train_command("train", "train a policy: tokenizer, SFT warm start, GRPO, held-out evaluation", false);
  add_train_command("sft", "run only the SFT warm start of a training config", true);
  return true;
}();

}  // namespace
}  // namespace clinrl::cli
