#include "clinrl/rl/demonstrations.h"

#include "clinrl/rl/rollout.h"
#include "clinrl/sim/lexicon.h"

namespace clinrl::rl {

std::vector<std::shared_ptr<const sim::PatientSimulator>> make_simulators(
    const std::vector<records::Record>& records, const sim::SimOptions& options,
    std::shared_ptr<const sim::Realiser> realiser) {
  auto lexicon = std::make_shared<const sim::Lexicon>(sim::Lexicon::load(options.lexicon_path()));
  std::vector<std::shared_ptr<const sim::PatientSimulator>> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(sim::PatientSimulator::create(r, lexicon, options, realiser));
  return out;
}

std::vector<Demonstration> play_demonstrations(
    const std::vector<std::shared_ptr<const sim::PatientSimulator>>& simulators, const QuestionBook& book,
    const ExpertOptions& options, int64_t count, uint64_t seed) {
  std::vector<Demonstration> demos;
  if (simulators.empty()) return demos;
  demos.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const auto& simulator = simulators[static_cast<size_t>(i) % simulators.size()];
    Rng rng = Rng::stream(seed, "expert", static_cast<uint64_t>(i));
    ExpertScript script = write_expert_script(simulator->record(), book, options, rng);
    auto state = simulator->new_episode();
    state.reset(Rng::stream(seed, "demo-episode", static_cast<uint64_t>(i)).next_u64());
    for (const auto& utterance : script.turns) {
      if (state.done()) break;
      state.step(utterance);
    }
    demos.push_back({state.transcript(), script.diagnosis_correct});
  }
  return demos;
}

std::vector<std::string> demonstration_texts(const std::vector<Demonstration>& demos,
                                             const std::string& system_prompt) {
  std::vector<std::string> texts;
  if (!system_prompt.empty()) texts.push_back(system_prompt);
  for (const auto& d : demos)
    for (const auto& turn : d.episode.turns) texts.push_back(turn.text);
  return texts;
}

std::vector<TokenizedDialogue> tokenize_demonstrations(const std::vector<Demonstration>& demos,
                                                       const model::ChatTemplate& chat,
                                                       const std::string& system_prompt) {
  std::vector<TokenizedDialogue> out;
  out.reserve(demos.size());
  for (const auto& d : demos) {
    auto rendered = chat.render(to_conversation(d.episode, system_prompt), false);
    TokenizedDialogue t;
    t.ids.assign(rendered.ids.begin(), rendered.ids.end());
    t.loss_mask = rendered.assistant_mask;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace clinrl::rl
