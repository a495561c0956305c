// libFuzzer target for the LLM judge's reply parser: any reply text gives a
// JudgeAnswer or nullopt; parse_judge_answer documents no exception at all.
#include <cstddef>
#include <cstdint>
#include <string>

#include "clinrl/rubric/llm_judge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string reply(reinterpret_cast<const char*>(data), size);
  clinrl::rubric::parse_judge_answer(reply);
  return 0;
}
