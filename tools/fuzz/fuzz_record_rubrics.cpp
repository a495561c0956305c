// libFuzzer target for generated-rubric files (rubric/rubric_files.h): one
// {"record_id", "rubrics"} line per record, every item and match block
// checked. Must load or throw UserError.
#include <cstddef>
#include <cstdint>

#include "clinrl/rubric/rubric_files.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto path = clinrl::fuzz::write_scratch("rubrics.jsonl", {reinterpret_cast<const char*>(data), size});
  clinrl::fuzz::expect_clean([&] { clinrl::rubric::load_record_rubrics(path); });
  return 0;
}
