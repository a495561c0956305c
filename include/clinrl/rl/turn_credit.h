#pragma once
// Turn-level credit (grpo.credit = turn, Baichuan-M2's multi-turn RL): every
// doctor turn is reinforced by its own advantage, so that a good question
// early in a failed consultation is not punished for the ending.
//
// For the turns of a group's episodes, with s_it the context rubric score of
// turn t of episode i (rubric::generate_turn_rubric) and T_i its last turn:
//   A_turn(i,t) = (s_it - mean(s)) / divisor      mean over every turn of the group
//   divisor     = std(s) + std_eps                scale group (sample std over the group's turns)
//               = batch_std + std_eps             scale batch (the step's turns)
//               = 1                               scale none
//   A(i,t)      = A_turn(i,t)                                      t < T_i
//   A(i,T_i)    = (1 - outcome_mix) A_turn(i,T_i) + outcome_mix A_episode(i)
// A group whose turn scores are all equal has A_turn = 0 (no signal). The
// final turn is where the diagnosis is given, so the outcome is credited there.
#include <cstddef>
#include <utility>
#include <vector>

#include "clinrl/rl/advantages.h"
#include "clinrl/rl/rollout_types.h"

namespace clinrl::rl {

struct TurnCreditInputs {
  std::vector<std::vector<double>> turn_scores;  // per episode, per doctor turn; groups back to back
  std::vector<double> episode_advantages;        // per episode (compute_advantages)
  int group_size = 1;
  AdvantageScale scale = AdvantageScale::group;
  double std_eps = 1e-6;
  double outcome_mix = 0.5;
  double batch_std = 0;                          // sample std of every turn score of the step (scale batch)
};

// One advantage per doctor turn of every episode. std::invalid_argument when
// the episodes do not form whole groups or an episode has no turn score.
std::vector<std::vector<double>> turn_advantages(const TurnCreditInputs& in);

// Sample std of every turn score (the batch divisor on one process).
double turn_score_std(const std::vector<std::vector<double>>& turn_scores);

// The doctor turns of an episode's token sequence: the runs of policy tokens,
// as [begin, end) index pairs in order.
std::vector<std::pair<size_t, size_t>> doctor_turn_spans(const EpisodeTokens& episode);

// One advantage per token: per_turn[k] on the tokens of doctor turn k, 0 on
// every other token. std::invalid_argument when the counts differ.
std::vector<float> spread_over_turns(const EpisodeTokens& episode, const std::vector<double>& per_turn);

}  // namespace clinrl::rl
