// The conformance suite every simulator variant passes: random doctor
// utterances from a grammar, clone and replay equality, termination within
// the cap, nothing outside the record, small episodes.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "clinrl/core/json_io.h"
#include "clinrl/core/rng.h"
#include "clinrl/records/knowledge_base.h"
#include "clinrl/records/names.h"
#include "clinrl/records/synth.h"
#include "sim_fixtures.h"

using namespace clinrl;
using namespace clinrl::sim;

namespace {

const std::vector<std::string> kFragments = {
    "When did it start?", "Where exactly is it?", "What does it feel like?", "How bad is it out of 10?",
    "Does it spread anywhere?", "Does anything make it worse?", "Does anything make it better?",
    "Is it getting worse?", "Do you have any medical conditions?", "Do you take any medicines?",
    "Are you allergic to anything?", "Does anything run in your family?", "Do you smoke?",
    "How much alcohol do you drink?", "Do you use recreational drugs?", "What do you do for work?",
    "Tell me more.", "Anything else?", "What brings you in today?", "I'm sorry to hear that.",
    "I ask because it matters for your care.", "Any problems with your breathing?", "How is your mood?",
    "What's your favourite colour?", "", "???", "asdf qwerty", "Any chest pain?", "Any fever or chills?",
    "Have you been short of breath?", "Any headache, nausea or vomiting?"};

// One doctor turn from the grammar: 1-3 fragments, sometimes a measurement
// request, a repeat of an earlier turn, or a diagnosis.
std::string random_utterance(Rng& rng, const records::Record& record, const std::vector<std::string>& history) {
  double u = rng.uniform();
  if (u < 0.05) return "DIAGNOSIS: " + record.diagnosis.name + ". Plan: review tomorrow.";
  if (u < 0.12 && !history.empty()) return history[rng.below(history.size())];
  if (u < 0.22) {
    std::vector<std::string> names = {"troponin", "serum zinc", "CBC", "chest x-ray", "urinalysis"};
    for (const auto& f : record.facts)
      if (f.category == "test" && !f.subject.empty()) names.push_back(f.subject);
    bool exam = rng.bernoulli(0.3);
    std::string name = exam ? std::string(rng.bernoulli(0.5) ? "cardiovascular" : "abdomen") : names[rng.below(names.size())];
    return std::string(exam ? "REQUEST EXAM: " : "REQUEST TEST: ") + name;
  }
  std::string out;
  auto n = rng.range(1, 3);
  for (int64_t i = 0; i < n; ++i) out += (i ? " " : "") + kFragments[rng.below(kFragments.size())];
  return out;
}

std::vector<records::Record> conformance_records() {
  // The hand-written record and a few generated ones (every simulator variant must handle both).
  std::vector<records::Record> out{sim::test::chest_pain_record()};
  auto kb = records::KnowledgeBase::load(records::default_data_dir() / "kb");
  records::SynthOptions synth;
  synth.n = 6;
  for (auto& r : records::synthesise(kb, synth)) out.push_back(std::move(r));
  return out;
}

struct Variant {
  std::string name;
  SimOptions options;
};

std::vector<Variant> variants() {
  std::vector<Variant> v;
  SimOptions sampled;
  sampled.max_turns = 15;
  v.push_back({"sampled personas, unrecorded negative", sampled});
  SimOptions unknown = sampled;
  unknown.unrecorded_policy = "unknown";
  v.push_back({"sampled personas, unrecorded unknown", unknown});
  for (const std::string persona : {"reticent", "clinician", "rambling"}) {
    SimOptions fixed = sim::test::fixed_options(persona);
    fixed.max_turns = 8;
    fixed.broad_extra_facts = 2;
    v.push_back({"fixed " + persona, fixed});
  }
  return v;
}

}  // namespace

TEST_CASE("conformance: every variant on random doctors", "[sim][conformance]") {
  auto records = conformance_records();
  for (const auto& variant : variants()) {
    for (const auto& record : records) {
      auto sim = PatientSimulator::create(record, sim::test::lexicon(), variant.options);
      std::set<std::string> ids;
      for (const auto& f : record.facts) ids.insert(f.id);
      for (uint64_t seed = 0; seed < 12; ++seed) {
        INFO(variant.name << ", record " << record.id << ", seed " << seed);
        Rng doctor = Rng::stream(seed, "conformance.doctor");
        EpisodeState ep = sim->new_episode();
        ep.reset(seed);
        std::vector<std::string> said;
        std::optional<EpisodeState> fork;
        size_t fork_at = 0;
        int turns = 0;
        while (!ep.done()) {
          if (turns == 2) fork = ep.clone(), fork_at = said.size();
          std::string u = random_utterance(doctor, record, said);
          said.push_back(u);
          PatientTurn t = ep.step(u);
          ++turns;
          REQUIRE(turns <= variant.options.max_turns);
          CHECK_FALSE(t.text.empty());
          for (const auto& id : t.revealed_fact_ids) CHECK(ids.count(id) == 1);
          for (const auto& s : t.metadata.statements)
            if (s.fact >= 0) CHECK(static_cast<size_t>(s.fact) < record.facts.size());
          if (t.done) {
            const auto& reasons = termination_reasons();
            CHECK(std::find(reasons.begin(), reasons.end(), t.reason) != reasons.end());
          }
        }
        CHECK(ep.memory_bytes() < 64 * 1024);
        std::string json = core::dump_json(episode_to_json(ep.transcript()));

        // Replay: a fresh episode with the same seed and doctor turns gives the same bytes.
        EpisodeState replay = sim->new_episode();
        replay.reset(seed);
        for (const auto& u : said) replay.step(u);
        CHECK(core::dump_json(episode_to_json(replay.transcript())) == json);

        // Clone: the copy taken mid-episode continues identically.
        if (fork) {
          for (size_t k = fork_at; k < said.size(); ++k) fork->step(said[k]);
          CHECK(core::dump_json(episode_to_json(fork->transcript())) == json);
        }
        // The JSON form reads back.
        CHECK(core::dump_json(episode_to_json(episode_from_json(core::parse_json(json, "episode"), "episode"))) == json);
      }
    }
  }
}

TEST_CASE("conformance: a simulator is shareable across threads", "[sim][conformance]") {
  auto sim = sim::test::simulator(SimOptions{});
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      EpisodeState ep = sim->new_episode();
      ep.reset(42);
      for (const auto& u : {"When did it start?", "Tell me more.", "Any fever?", "REQUEST TEST: ECG"}) ep.step(u);
      results[i] = core::dump_json(episode_to_json(ep.transcript()));
    });
  for (auto& t : threads) t.join();
  for (const auto& r : results) CHECK(r == results[0]);
}

TEST_CASE("persona wording never states anything clinical", "[sim][conformance]") {
  const auto& lex = *sim::test::lexicon();
  const auto& ph = lex.phrases();
  std::vector<std::string> all;
  for (const auto* m : {&ph.greeting, &ph.opener, &ph.closer})
    for (const auto& [style, list] : *m) all.insert(all.end(), list.begin(), list.end());
  for (const auto* list : {&ph.anxious, &ph.hedge, &ph.repeat, &ph.withheld, &ph.not_understood, &ph.nothing_more,
                           &ph.unrecorded_negative, &ph.unrecorded_unknown, &ph.invalid, &ph.repetition, &ph.diagnosis,
                           &ph.final_turn})
    all.insert(all.end(), list->begin(), list->end());
  for (const auto& phrase : all) {
    auto tokens = clause_tokens(phrase);
    for (size_t pos = 0; pos < tokens.size(); ++pos) {
      Cue cue;
      size_t n = lex.matcher().match(tokens, pos, cue);
      INFO(phrase);
      CHECK((n == 0 || (cue.kind != CueKind::kSymptom && cue.kind != CueKind::kTopic && cue.kind != CueKind::kSystem)));
    }
  }
}
