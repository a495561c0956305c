#include "clinrl/sim/simulator.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "fact_index.h"

namespace clinrl::sim {

std::shared_ptr<const PatientSimulator> PatientSimulator::create(records::Record record,
                                                                 std::shared_ptr<const Lexicon> lexicon,
                                                                 SimOptions options,
                                                                 std::shared_ptr<const Realiser> realiser) {
  if (!lexicon) throw std::invalid_argument("PatientSimulator::create: no lexicon");
  core::validate_all(options, "sim");
  if (record.facts.size() > 60000)
    throw UserError(core::format("record '{}': {} facts is more than the simulator supports (60000)", record.id,
                                 record.facts.size()));
  std::shared_ptr<PatientSimulator> sim(new PatientSimulator());
  sim->record_ = std::move(record);
  sim->options_ = std::move(options);
  sim->realiser_ = realiser ? std::move(realiser) : make_rule_realiser(lexicon);
  sim->lexicon_ = std::move(lexicon);
  sim->index_ = std::make_shared<const detail::FactIndex>(sim->record_, *sim->lexicon_);
  return sim;
}

EpisodeState PatientSimulator::new_episode() const { return EpisodeState(shared_from_this()); }

}  // namespace clinrl::sim
