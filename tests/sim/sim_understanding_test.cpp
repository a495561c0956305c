// Question understanding: the phrasings the probe and the scripted expert
// doctor use map to exactly their topic.
#include <catch2/catch.hpp>

#include "clinrl/core/json_io.h"
#include "clinrl/sim/understanding.h"
#include "sim_fixtures.h"

using namespace clinrl;
using namespace clinrl::sim;

namespace {

std::vector<std::string> topics_of(const std::string& utterance) {
  const auto& lex = *test::lexicon();
  Understanding u;
  understand(clause_tokens(utterance), lex, nullptr, u);
  std::vector<std::string> out;
  for (int t : u.topics) out.push_back(lex.topic_key(t));
  for (int s : u.symptoms) out.push_back("symptom:" + lex.symptom_name(s));
  for (int s : u.systems) out.push_back("ros:" + lex.system_name(s));
  return out;
}

void check_book(const std::string& file) {
  auto j = core::read_json_file(std::string(CLINRL_SOURCE_DIR) + file);
  for (auto it = j["topics"].begin(); it != j["topics"].end(); ++it) {
    INFO(file << ": " << it.key() << ": " << it.value().get<std::string>());
    CHECK(topics_of(it.value().get<std::string>()) == std::vector<std::string>{it.key()});
  }
}

}  // namespace

TEST_CASE("probe and expert-doctor questions are understood exactly", "[sim]") {
  check_book("/data/sim/probe_questions.json");
  check_book("/data/rl/expert_questions.json");
}

TEST_CASE("symptom and system questions, synonyms and clause splitting", "[sim]") {
  using V = std::vector<std::string>;
  CHECK(topics_of("Have you had any shortness of breath?") == V{"symptom:shortness of breath"});
  CHECK(topics_of("Are you breathless?") == V{"symptom:shortness of breath"});
  CHECK(topics_of("Any problems with your cardiovascular system?") == V{"ros:cardiovascular"});
  CHECK(topics_of("Any fever, cough or night sweats?") == V{"symptom:fever", "symptom:cough", "symptom:night sweats"});
  CHECK(topics_of("Does the pain get worse when you breathe in, and do you have a fever?") ==
        V{"aggravating", "symptom:fever"});
  CHECK(topics_of("Is it getting better or worse?") == V{"progression"});
  CHECK(topics_of("What is your favourite film?").empty());
}

TEST_CASE("empathy and explanation cues", "[sim]") {
  const auto& lex = *test::lexicon();
  Understanding u;
  understand(clause_tokens("I'm sorry to hear that."), lex, nullptr, u);
  CHECK(u.empathy);
  CHECK_FALSE(u.explanation);
  understand(clause_tokens("I ask all my patients this because it matters."), lex, nullptr, u);
  CHECK(u.explanation);
  CHECK_FALSE(u.empathy);
}
