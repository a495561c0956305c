// The synthetic record generator: which condition record i is about, and the
// record drawn section by section (synth_draft.h lists where each section lives).
#include "clinrl/records/synth.h"

#include <stdexcept>

#include "clinrl/core/config.h"
#include "clinrl/core/strings.h"
#include "synth_draft.h"

namespace clinrl::records {

void SynthOptions::validate() const {
  if (n < 0) throw std::invalid_argument(core::format("n must be >= 0, got {}", n));
  core::check_range("contraindication_rate", contraindication_rate, 0, 1);
  core::check_range("val_fraction", val_fraction, 0, 1);
  core::check_range("test_fraction", test_fraction, 0, 1);
  if (val_fraction + test_fraction > 1) throw std::invalid_argument("val_fraction + test_fraction must be <= 1");
}

size_t condition_for_index(const KnowledgeBase& kb, uint64_t seed, uint64_t index) {
  size_t n = kb.conditions.size();
  if (n == 0) throw std::invalid_argument("the knowledge base has no conditions");
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Rng rng = Rng::stream(seed, "synth.order", index / n);
  rng.shuffle(order.begin(), order.end());
  return order[index % n];
}

Record synthesise_record(const KnowledgeBase& kb, const SynthOptions& options, uint64_t index) {
  using namespace synth;
  const Condition& c = kb.conditions[condition_for_index(kb, options.seed, index)];
  Rng rng = Rng::stream(options.seed, "synth", index);
  RecordDraft d(kb, c, rng);
  Record& r = d.r;
  r.id = core::format("synth-{}-{}", options.seed, index);
  r.source = "synthetic";
  r.condition = c.id;
  r.specialty = c.specialty;
  r.urgency = c.urgency;
  // The order of the draws is the order of the stream: keep it.
  draw_demographics(d);
  draw_presenting_complaint(d);
  draw_past_history(d);
  draw_allergies(d, options);
  draw_social_history(d);
  draw_obstetric_history(d);
  draw_family_history(d);
  summarise_review_of_systems(d);
  draw_vital_signs(d);
  draw_examination(d);
  draw_tests(d);
  set_management(d);
  set_must_ask(d);
  return std::move(d.r);
}

std::vector<Record> synthesise(const KnowledgeBase& kb, const SynthOptions& options) {
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(options.n));
  for (int64_t i = 0; i < options.n; ++i) out.push_back(synthesise_record(kb, options, static_cast<uint64_t>(i)));
  return out;
}

}  // namespace clinrl::records
