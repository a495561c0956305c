#pragma once
// The simulator's precompiled index of one record: which facts answer which
// topic, symptom, system, test or exam. Private to src/sim: PatientSimulator
// builds it once and shares it; EpisodeState and the audit read it. Indices
// are positions in record.facts (a record has at most 60000 facts).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "clinrl/records/record.h"
#include "clinrl/sim/lexicon.h"

namespace clinrl::sim::detail {

class FactIndex {
 public:
  // `record` and `lexicon` must outlive the index (the simulator owns all three).
  FactIndex(const records::Record& record, const Lexicon& lexicon);

  // History facts (not vital_sign/exam/test) by topic key.
  const std::vector<uint16_t>* facts_for_topic(const std::string& key) const;
  // History facts about a symptom class (lexicon classes, then the record's own names).
  const std::vector<uint16_t>* facts_for_symptom(int symptom_class) const;
  const std::string& symptom_name(int symptom_class) const;
  const std::string& system_name(int system) const;  // lexicon systems, then the record's own
  // True when some record text names the symptom although no fact is keyed to it:
  // a denial would contradict the record, so the patient says "not sure" instead.
  bool symptom_mentioned(int symptom_class) const;
  // The record's own symptom and system names the lexicon lacks.
  const PhraseMatcher& record_matcher() const { return record_matcher_; }
  const std::vector<uint16_t>& chief_complaint_facts() const { return chief_facts_; }
  // Ordinary HPI and associated-symptom facts a broad question may reveal, in record order.
  const std::vector<uint16_t>& broad_candidates() const { return broad_candidates_; }
  // Measurement facts for a requested test or exam (empty when not recorded).
  std::vector<uint16_t> find_test(const std::string& name) const;
  std::vector<uint16_t> find_exam(const std::string& name) const;
  // Canonical form of a requested measurement name (synonyms resolved).
  std::string canonical_test(const std::string& name) const;
  std::string canonical_exam(const std::string& name) const;

 private:
  int symptom_class_of(const std::string& name);
  void index_measurement(const records::Fact& f, uint16_t index);
  void index_history(const records::Fact& f, uint16_t index);
  void mark_mentioned_symptoms(const records::Record& record);

  const Lexicon* lexicon_;
  std::unordered_map<std::string, std::vector<uint16_t>> topic_facts_;
  std::unordered_map<int, std::vector<uint16_t>> symptom_facts_;
  std::vector<std::string> local_symptoms_;  // record symptom names unknown to the lexicon
  std::vector<std::string> local_systems_;   // record ros:<system> names unknown to the lexicon
  std::vector<bool> mentioned_;              // by symptom class
  PhraseMatcher record_matcher_;
  std::vector<uint16_t> chief_facts_;
  std::vector<uint16_t> broad_candidates_;
  std::unordered_map<std::string, std::vector<uint16_t>> test_facts_;  // canonical test/vital name -> facts
  std::unordered_map<std::string, std::vector<uint16_t>> exam_facts_;  // canonical exam system -> facts
  std::vector<uint16_t> all_exam_facts_, vital_facts_;
};

}  // namespace clinrl::sim::detail
