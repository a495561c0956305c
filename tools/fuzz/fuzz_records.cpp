// libFuzzer target for record JSONL (records/record_io.h): read_records
// reports bad lines as problems and throws UserError only for an unreadable
// file; every record it keeps must write back to a line that reads again.
#include <cstddef>
#include <cstdint>

#include "clinrl/records/record_io.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinrl::records;
  auto path = clinrl::fuzz::write_scratch("records.jsonl", {reinterpret_cast<const char*>(data), size});
  clinrl::fuzz::expect_clean([&] {
    auto set = read_records(path);
    clinrl::fuzz::check(set.lines.size() == set.records.size());
    for (const auto& r : set.records) {
      auto json = record_to_json(r);
      clinrl::fuzz::check(record_to_jsonl(r) == clinrl::core::dump_json(json));
      record_from_json(json, "fuzz (written back)");
    }
  });
  return 0;
}
