#include "clinrl/rl/grpo_trainer.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/core/logging.h"
#include "clinrl/rl/advantages.h"
#include "clinrl/rl/data_parallel.h"
#include "clinrl/rl/degenerate_turns.h"
#include "clinrl/rl/dynamic_sampling.h"
#include "clinrl/rl/grpo_update.h"
#include "clinrl/rl/lr_schedule.h"
#include "clinrl/rl/optimizer.h"
#include "clinrl/rl/peak_memory.h"
#include "clinrl/rl/reward_terms.h"
#include "clinrl/rl/turn_credit.h"

namespace clinrl::rl {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<std::string> doctor_texts(const sim::Episode& transcript) {
  std::vector<std::string> out;
  for (const auto& turn : transcript.turns)
    if (turn.role == "doctor") out.push_back(turn.text);
  return out;
}

// The kind of each doctor turn of an episode; `spans` are the turns' token ranges.
std::vector<Degeneracy> classify_turns(const RolloutEpisode& episode, const std::vector<std::pair<size_t, size_t>>& spans,
                                       int64_t max_turn_tokens) {
  const std::vector<std::string> texts = doctor_texts(episode.transcript);
  if (texts.size() != spans.size())
    throw std::logic_error(core::format("grpo: an episode of record {} has {} doctor turns in its transcript but {} in "
                                        "its tokens", episode.transcript.record_id, texts.size(), spans.size()));
  std::vector<Degeneracy> out;
  for (size_t k = 0; k < texts.size(); ++k) {
    const std::vector<std::string> earlier(texts.begin(), texts.begin() + static_cast<long>(k));
    out.push_back(classify_doctor_turn(texts[k], earlier,
                                       static_cast<int64_t>(spans[k].second - spans[k].first), max_turn_tokens));
  }
  return out;
}

}  // namespace

GrpoTrainer::GrpoTrainer(model::ChatModel& policy, const TrainConfig& config,
                         std::vector<std::shared_ptr<const sim::PatientSimulator>> simulators,
                         const EpisodeScorer& scorer, std::filesystem::path run_dir, Verifiers* verifiers)
    : policy_(policy),
      config_(config),
      simulators_(std::move(simulators)),
      scorer_(scorer),
      verifiers_(verifiers),
      run_dir_(std::move(run_dir)),
      checkpoints_(run_dir_, config.checkpoints.keep_last),
      schedule_(config.grpo.optimizer),
      record_sampler_(simulators_.size(), parse_record_sampling(config.grpo.record_sampling),
                      config.grpo.adaptive_sampling) {
  schedule_.total_steps = config_.grpo_steps;  // the schedule spans the run's GRPO steps
  if (simulators_.empty()) throw UserError("grpo: no training records");
  std::vector<torch::Tensor> decayed, not_decayed;
  for (auto& p : policy_.model->parameters()) (p.dim() >= 2 ? decayed : not_decayed).push_back(p);
  optimizer_ = make_adamw(decayed, not_decayed, schedule_);
  if (config_.grpo.uses_reference()) reference_ = frozen_copy(policy_.model);
}

void GrpoTrainer::restore_optimizer(const std::filesystem::path& checkpoint_dir) {
  load_optimizer(checkpoint_dir, *optimizer_);
}

void GrpoTrainer::restore_record_sampler(const std::filesystem::path& checkpoint_dir) {
  const core::Json state = read_trainer_state(checkpoint_dir);
  const std::string where = (checkpoint_dir / CheckpointDir::kStateFile).string();
  if (state.contains("record_sampler")) {
    record_sampler_.load_json(state["record_sampler"], where);
  } else if (record_sampler_.mode() == RecordSampling::adaptive) {
    throw UserError(core::format("{}: no record_sampler state, which grpo.record_sampling adaptive needs to resume "
                                 "(the checkpoint was written by a run without it)",
                                 where));
  }
}

std::vector<size_t> GrpoTrainer::sample_records(int64_t step, int round, int count,
                                                const std::vector<size_t>& drawn) const {
  Rng rng = Rng::stream(config_.run.seed, "grpo-records", static_cast<uint64_t>(step) * 64 + static_cast<uint64_t>(round));
  return record_sampler_.draw(rng, count, drawn);
}

GrpoTrainer::Rollouts GrpoTrainer::roll_out_groups(int64_t step, StepMetrics& metrics) {
  const GrpoOptions& g = config_.grpo;
  Rollouts kept;
  DynamicSampler sampler = g.dynamic_sampling ? DynamicSampler(g.records_per_step, g.max_resample_batches)
                                              : DynamicSampler::keep_all(g.records_per_step);
  int round = 0;
  dist::ProcessGroup& world = dist::world();
  policy_.model->eval();
  // Every group played this step, kept or not, with its step-wide rewards
  // (the same on every rank): the record sampler learns from them all.
  std::vector<size_t> played;
  std::vector<std::vector<double>> played_rewards;
  metrics.sampling_effective_records = record_sampler_.effective_records();
  do {
    const int all_groups = sampler.groups_to_request();
    auto records = sample_records(step, round, all_groups, played);
    // This rank plays whole groups; every key below is the step-wide index.
    const std::vector<int> mine = groups_of_rank(world, all_groups);
    const int groups = static_cast<int>(mine.size());
    std::vector<EpisodeJob> jobs;
    for (int grp : mine)
      for (int k = 0; k < g.group_size; ++k) {
        const int at = grp * g.group_size + k;
        uint64_t index = (static_cast<uint64_t>(step) << 24) | (static_cast<uint64_t>(round) << 16) |
                         static_cast<uint64_t>(at);
        jobs.push_back({simulators_[records[static_cast<size_t>(grp)]],
                        Rng::stream(config_.run.seed, "grpo-episode", index).next_u64(), at});
      }
    auto t0 = Clock::now();
    uint64_t sampler_seed = Rng::stream(config_.run.seed, "grpo-sampler", static_cast<uint64_t>(step) * 64 +
                                                                                  static_cast<uint64_t>(round))
                                .next_u64();
    auto episodes = roll_out(policy_, jobs, config_.rollout, sampler_seed);
    metrics.seconds_rollout += seconds_since(t0);

    auto t1 = Clock::now();
    std::vector<ScoreJob> to_score;
    to_score.reserve(episodes.size());
    for (size_t i = 0; i < episodes.size(); ++i) to_score.push_back({&jobs[i].simulator->record(), &episodes[i].transcript});
    std::vector<EpisodeScore> scores = scorer_.score(to_score, config_.rollout.system_prompt);
    std::vector<std::vector<double>> group_rewards(static_cast<size_t>(groups));
    for (int grp = 0; grp < groups; ++grp) {
      std::vector<double> rubric;
      std::vector<int64_t> tokens;
      for (int k = 0; k < g.group_size; ++k) {
        const size_t i = static_cast<size_t>(grp * g.group_size + k);
        rubric.push_back(scores[i].rubric);
        tokens.push_back(episodes[i].tokens.policy_tokens());
      }
      const std::vector<double> bonus = length_bonus(rubric, tokens, g.reward);
      for (int k = 0; k < g.group_size; ++k) {
        const size_t i = static_cast<size_t>(grp * g.group_size + k);
        RewardInputs in;
        in.rubric = scores[i].rubric;
        in.has_diagnosis = scores[i].has_diagnosis;
        in.diagnosis_correct = scores[i].diagnosis_correct;
        in.response_tokens = tokens[static_cast<size_t>(k)];
        in.turn_scores = scores[i].turn_scores;
        group_rewards[static_cast<size_t>(grp)].push_back(combine_reward(in, g.reward).total + bonus[static_cast<size_t>(k)]);
      }
    }
    for (const auto& s : scores) {
      metrics.rubric_items += static_cast<int64_t>(s.rubric_items);
      metrics.ungraded_items += static_cast<int64_t>(s.ungraded_items);
    }
    metrics.seconds_grade += seconds_since(t1);

    // Dynamic sampling decides on every rank's groups, identically everywhere.
    const auto all_rewards = gather_group_rewards(world, mine, group_rewards, all_groups);
    for (int grp = 0; grp < all_groups; ++grp) {
      played.push_back(records[static_cast<size_t>(grp)]);
      played_rewards.push_back(all_rewards[static_cast<size_t>(grp)]);
    }
    std::vector<int> local_of(static_cast<size_t>(all_groups), -1);
    for (size_t i = 0; i < mine.size(); ++i) local_of[static_cast<size_t>(mine[i])] = static_cast<int>(i);
    for (size_t grp : sampler.offer(all_rewards)) {
      const int local = local_of[grp];
      for (int k = 0; k < g.group_size; ++k) {
        if (local >= 0) {
          size_t i = static_cast<size_t>(local) * static_cast<size_t>(g.group_size) + static_cast<size_t>(k);
          kept.episodes.push_back(std::move(episodes[i]));
          kept.rewards.push_back(all_rewards[grp][static_cast<size_t>(k)]);
          kept.scores.push_back(scores[i]);
          kept.positions.push_back(kept.all_rewards.size());
        }
        kept.all_rewards.push_back(all_rewards[grp][static_cast<size_t>(k)]);
      }
    }
    ++round;
  } while (sampler.needs_more());
  // The step's draws used the state at its start; it learns from them now.
  for (size_t i = 0; i < played.size(); ++i) record_sampler_.observe(played[i], played_rewards[i]);
  metrics.hardest_decile_reward = record_sampler_.hardest_decile_reward();
  if (verifiers_) set_verifier_metrics(verifiers_->take_stats(), metrics);  // this rank's verifier calls
  metrics.rubric_items = static_cast<int64_t>(world.sum(static_cast<double>(metrics.rubric_items)));
  metrics.ungraded_items = static_cast<int64_t>(world.sum(static_cast<double>(metrics.ungraded_items)));
  check_ungraded(step, metrics);
  metrics.zero_variance_fraction = sampler.zero_variance_fraction();
  metrics.groups_trained = static_cast<int64_t>(kept.all_rewards.size() / static_cast<size_t>(g.group_size));
  metrics.generation_rounds = round;
  return kept;
}

void GrpoTrainer::check_ungraded(int64_t step, const StepMetrics& metrics) const {
  if (metrics.rubric_items == 0) return;
  const double share = static_cast<double>(metrics.ungraded_items) / static_cast<double>(metrics.rubric_items);
  if (share <= config_.judge.max_ungraded_fraction) return;
  throw UserError(core::format(
      "grpo step {}: {} of {} rubric items ({}%) stayed ungraded, more than judge.max_ungraded_fraction ({}); "
      "stopping without a checkpoint of this step (grader {}{}; the log names the records)",
      step + 1, metrics.ungraded_items, metrics.rubric_items, std::round(1000.0 * share) / 10.0,
      config_.judge.max_ungraded_fraction,
      config_.grpo.reward.grader,
      config_.grpo.reward.grader == "rules" ? ": items without a match block need grader llm or mixed"
                                            : ", judge " + config_.judge.backend.backend));
}

void GrpoTrainer::update(int64_t step, const Rollouts& kept, StepMetrics& metrics) {
  const GrpoOptions& g = config_.grpo;
  auto t0 = Clock::now();
  policy_.model->train();
  if (!kept.all_rewards.empty()) {
    // Advantages over the whole step (scale batch needs every rank's rewards), then this rank's.
    auto adv = compute_advantages(kept.all_rewards, g.group_size, parse_advantage_scale(g.scale), g.std_eps);
    std::vector<double> my_advantages;
    for (size_t p : kept.positions) my_advantages.push_back(adv.values[p]);
    const std::vector<std::vector<double>> per_turn = turn_credit(kept, my_advantages);
    std::vector<EpisodeTokens> tokens;
    std::vector<std::vector<float>> token_advantages;
    DegenerateCounts degenerate;
    for (size_t i = 0; i < kept.episodes.size(); ++i) {
      EpisodeTokens t = kept.episodes[i].tokens;
      const auto spans = doctor_turn_spans(t);
      token_advantages.push_back(spread_over_turns(t, per_turn[i]));
      const auto kinds = classify_turns(kept.episodes[i], spans, config_.rollout.max_turn_tokens);
      for (size_t k = 0; k < spans.size(); ++k) {
        degenerate.add(kinds[k]);
        if (g.exclude_degenerate && kinds[k] != Degeneracy::none)
          for (size_t p = spans[k].first; p < spans[k].second; ++p) t.policy_mask[p] = 0;
      }
      tokens.push_back(std::move(t));
    }
    set_degenerate_metrics(degenerate, metrics);
    auto result = grpo_update(policy_.model, *optimizer_, tokens, token_advantages, g, step,
                              reference_ ? &reference_ : nullptr);
    metrics.loss = result.loss;
    metrics.clip_fraction = result.stats.clip_fraction;
    metrics.clip_fraction_low = result.stats.clip_fraction_low;
    metrics.clip_fraction_high = result.stats.clip_fraction_high;
    metrics.dual_clip_fraction = result.stats.dual_clip_fraction;
    metrics.approx_kl = result.stats.approx_kl;
    metrics.kl = result.stats.kl;
    metrics.grad_norm = result.grad_norm;
    metrics.train_tokens = result.tokens;
  } else {
    log::warn("grpo step {}: every group had zero reward variance; no update", step + 1);
  }
  policy_.model->eval();
  metrics.seconds_train = seconds_since(t0);
}

std::vector<std::vector<double>> GrpoTrainer::turn_credit(const Rollouts& kept,
                                                         const std::vector<double>& episode_advantages) const {
  const GrpoOptions& g = config_.grpo;
  std::vector<std::vector<double>> per_turn;
  if (g.credit == "episode") {
    for (size_t i = 0; i < kept.episodes.size(); ++i)
      per_turn.emplace_back(doctor_turn_spans(kept.episodes[i].tokens).size(), episode_advantages[i]);
    return per_turn;
  }
  TurnCreditInputs in;
  for (const auto& s : kept.scores) in.turn_scores.push_back(s.turn_scores);
  in.episode_advantages = episode_advantages;
  in.group_size = g.group_size;
  in.scale = parse_advantage_scale(g.scale);
  in.std_eps = g.std_eps;
  in.outcome_mix = g.turn_outcome_mix;
  if (in.scale == AdvantageScale::batch) {
    // The sample std of every rank's turn scores, from global sums.
    double n = 0, sum = 0, squares = 0;
    for (const auto& e : in.turn_scores)
      for (double s : e) n += 1, sum += s, squares += s * s;
    dist::ProcessGroup& world = dist::world();
    n = world.sum(n), sum = world.sum(sum), squares = world.sum(squares);
    in.batch_std = n > 1 ? std::sqrt(std::max(0.0, (squares - sum * sum / n) / (n - 1))) : 0.0;
  }
  return turn_advantages(in);
}

void GrpoTrainer::set_degenerate_metrics(const DegenerateCounts& local, StepMetrics& metrics) const {
  dist::ProcessGroup& world = dist::world();
  auto total = [&](int64_t v) { return static_cast<int64_t>(world.sum(static_cast<double>(v))); };
  metrics.doctor_turns = total(local.turns);
  metrics.degenerate_repetition = total(local.repetition);
  metrics.degenerate_role_inversion = total(local.role_inversion);
  metrics.degenerate_runaway_length = total(local.runaway_length);
  const int64_t bad = metrics.degenerate_repetition + metrics.degenerate_role_inversion + metrics.degenerate_runaway_length;
  metrics.degenerate_fraction = metrics.doctor_turns > 0 ? static_cast<double>(bad) / static_cast<double>(metrics.doctor_turns) : 0.0;
  metrics.degenerate_excluded = config_.grpo.exclude_degenerate;
}

StepMetrics GrpoTrainer::step(int64_t step) {
  reset_peak_memory(policy_.model->device());
  StepMetrics metrics;
  metrics.step = step + 1;
  metrics.lr = learning_rate_at(schedule_, step);
  set_learning_rate(*optimizer_, metrics.lr);
  Rollouts kept = roll_out_groups(step, metrics);
  update(step, kept, metrics);
  std::vector<EpisodeSummary> summaries;
  for (size_t i = 0; i < kept.episodes.size(); ++i)
    summaries.push_back(summarize_episode(kept.episodes[i], kept.rewards[i], kept.scores[i]));
  add_episode_metrics(gather_summaries(dist::world(), kept.positions, summaries, kept.all_rewards.size()), metrics);
  last_rollouts_ = std::move(kept.episodes);
  PeakMemory peak = read_peak_memory(policy_.model->device());
  metrics.peak_host_mb = peak.host_mb;
  metrics.peak_device_mb = peak.device_mb;
  return metrics;
}

std::filesystem::path GrpoTrainer::save(int64_t step_count, const core::Json& config_json) {
  CheckpointContents contents;
  contents.write_model = [&](const std::filesystem::path& dir) { policy_.save(dir); };
  contents.optimizer = optimizer_.get();
  contents.trainer_state = {{"phase", "grpo"}, {"record_sampler", record_sampler_.to_json()}};
  contents.train_config = config_json;
  return checkpoints_.save(step_count, contents);
}

}  // namespace clinrl::rl
