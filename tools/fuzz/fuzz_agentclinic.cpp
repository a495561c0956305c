// libFuzzer target for the AgentClinic OSCE importer (records/agentclinic.h):
// every line becomes a record or a rejection; UserError only when the file
// cannot be read. Kept records must pass through the record writer.
#include <cstddef>
#include <cstdint>

#include "clinrl/records/agentclinic.h"
#include "clinrl/records/record_io.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinrl::records;
  auto path = clinrl::fuzz::write_scratch("cases.jsonl", {reinterpret_cast<const char*>(data), size});
  clinrl::fuzz::expect_clean([&] {
    auto result = import_agentclinic(path);
    for (const auto& r : result.records) record_to_jsonl(r);
  });
  return 0;
}
