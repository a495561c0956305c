#include <catch2/catch.hpp>

#include <map>

#include "clinrl/core/json_io.h"
#include "clinrl/records/identifier_check.h"
#include "clinrl/records/identifiers.h"
#include "support/test_support.h"

using namespace clinrl::records;
using clinrl::test::TempDir;
using clinrl::test::write_text;

namespace {

// Each planted identifier with the category the scanner must give it.
const std::vector<std::pair<std::string, std::string>> kPlanted = {
    {"name", "Mrs Eleanor Whitfield"},     {"name", "my name is Jonah Peters"}, {"name", "Dr. Amara Okafor"},
    {"phone", "(415) 555-0132"},           {"phone", "020 7946 0958"},          {"phone", "fax: +44 161 496 0000"},
    {"email", "jonah.peters@example.org"}, {"url", "https://clinic.example.com/patients/77"},
    {"url", "www.example.net/record"},     {"ip", "192.168.10.42"},            {"ssn", "078-05-1120"},
    {"mrn", "MRN: 48213377"},              {"mrn", "medical record number 55-018-223"}, {"mrn", "412209876543"},
    {"date", "03/14/2021"},                {"date", "2021-03-14"},             {"date", "March 14, 2021"},
    {"date", "14th of March"},             {"address", "221 Baker Street"},    {"address", "1600 Pennsylvania Avenue"},
    {"zip", "CA 94110"},                   {"zip", "zip code 02139"},          {"zip", "SW1A 1AA"},
    {"age_over_89", "93-year-old"},        {"age_over_89", "aged 97"},         {"age_over_89", "101 years old"}};

std::string planted_text(const std::string& span) { return "Patient note: " + span + " was mentioned during the visit."; }

}  // namespace

TEST_CASE("every planted identifier is found with its category (recall 100%)", "[records]") {
  for (const auto& [category, span] : kPlanted) {
    INFO(span);
    auto matches = scan_text(planted_text(span));
    bool found = false;
    for (const auto& m : matches) found = found || m.category == category;
    CHECK(found);
  }
}

TEST_CASE("clinical text with numbers yields no findings", "[records]") {
  const std::vector<std::string> clean = {
      "Blood pressure 125/80 mmHg, heart rate 72 bpm, temperature 36.6°C (97.9°F), SpO2 94% on air.",
      "Platelets 150,000/mm3; WBC 12.5 x10^9/L; haemoglobin 82 g/L; INR 1.2; pH 7.36, PaCO2 6.4 kPa.",
      "Symptoms started 3 days ago and worsened over 2 weeks; 1-month history of diplopia.",
      "A 45-year-old woman, G2P1 at 38 weeks' gestation, with a 20 pack-year smoking history.",
      "ECG: ST elevation in leads II, III and aVF. Troponin 250 ng/L (reference < 14).",
      "The patient saw the doctor last year and was prescribed amoxicillin 500 mg three times daily for 5-7 days.",
      "CD4+ count 350 cells/μL; HIV viral load 12000 copies/mL; 89-year-old grandfather is well.",
      "She may return in May if symptoms persist; review at 6 weeks."};
  for (const auto& text : clean) {
    INFO(text);
    auto matches = scan_text(text);
    for (const auto& m : matches) FAIL_CHECK(m.category << ": '" << text.substr(m.begin, m.end - m.begin) << "'");
  }
}

TEST_CASE("data check reports record, field path and span, and redacts", "[records]") {
  TempDir dir;
  std::string line = clinrl::test::read_text("data/records/synth.test.jsonl");
  line = line.substr(0, line.find('\n'));
  auto j = clinrl::core::parse_json(line, "synth");
  j["facts"][0]["lay"] = "My name is Jonah Peters, call me on (415) 555-0132.";
  write_text(dir / "planted.jsonl", clinrl::core::dump_json(j) + "\n");
  auto report = check_records_file(dir / "planted.jsonl", dir / "redacted.jsonl");
  CHECK(report.problems == 0);
  REQUIRE(report.findings == 2);
  std::string id = j["id"].get<std::string>();
  CHECK(report.lines[0] == (dir / "planted.jsonl").string() + ":1: record '" + id + "': facts[0].lay: name: 'Jonah Peters'");
  CHECK(report.lines[1].find("facts[0].lay: phone: '(415) 555-0132'") != std::string::npos);
  auto redacted = clinrl::core::parse_json(clinrl::test::read_text(dir / "redacted.jsonl"), "redacted");
  CHECK(redacted["facts"][0]["lay"] == "My name is [NAME], call me on [PHONE].");
  CHECK(check_records_file(dir / "redacted.jsonl").findings == 0);

  auto r = clinrl::test::run_clinrl("data check --records " + (dir / "planted.jsonl").string());
  CHECK(r.status != 0);
  CHECK(r.output.find("2 identifier findings") != std::string::npos);
}

TEST_CASE("the shipped records have no findings", "[records]") {
  for (const char* part : {"train", "val", "test"}) {
    auto report = check_records_file(std::string("data/records/synth.") + part + ".jsonl");
    for (const auto& line : report.lines) FAIL_CHECK(line);
    CHECK(report.records > 0);
  }
}

TEST_CASE("oversized text is reported, not scanned", "[records]") {
  auto m = scan_text(std::string(kMaxScannedText + 1, 'a'));
  REQUIRE(m.size() == 1);
  CHECK(m[0].category == "unscanned");
}
