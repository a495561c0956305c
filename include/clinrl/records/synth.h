#pragma once
// Synthetic patients sampled from the knowledge base. Record i depends only
// on (seed, i) through Rng::stream(seed, "synth", i), so any record can be
// regenerated on its own and a whole set is byte-for-byte reproducible.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "clinrl/records/knowledge_base.h"
#include "clinrl/records/record.h"

namespace clinrl::records {

struct SynthOptions {
  uint64_t seed = 7;
  int64_t n = 2000;
  double contraindication_rate = 0.2;  // chance to give an allergy that rules out a first-line drug
  double val_fraction = 0.1;           // --split: per condition
  double test_fraction = 0.1;

  template <class V>
  void fields(V& v) {
    v("seed", seed);
    v("n", n);
    v("contraindication_rate", contraindication_rate);
    v("val_fraction", val_fraction);
    v("test_fraction", test_fraction);
  }
  void validate() const;
};

// Keeps only the listed conditions (in the knowledge base's order), so a small
// scenario samples from the same specs (`clinrl data synth --conditions`).
// UserError naming `where` and the id when one is not in the knowledge base.
void keep_conditions(KnowledgeBase& kb, const std::vector<std::string>& ids, const std::string& where);

// Which condition record `index` is about: a seeded permutation of the
// conditions repeated, so every condition appears once per len(conditions) records.
size_t condition_for_index(const KnowledgeBase& kb, uint64_t seed, uint64_t index);

Record synthesise_record(const KnowledgeBase& kb, const SynthOptions& options, uint64_t index);
std::vector<Record> synthesise(const KnowledgeBase& kb, const SynthOptions& options);

// Stratified by condition: within each condition the records are shuffled
// with a seeded stream and cut into test, val and train shares.
struct Split {
  std::vector<Record> train, val, test;
};
Split split_by_condition(const std::vector<Record>& records, const SynthOptions& options);

// out "dir/name.jsonl" -> "dir/name.train.jsonl" etc.
std::filesystem::path split_path(const std::filesystem::path& out, const std::string& part);

}  // namespace clinrl::records
