// The measurements of a synthetic patient: vital signs (the condition's
// ranges, else normal ones for the age), examination findings, test results.
#include <array>
#include <cmath>
#include <cstdio>

#include "clinrl/core/strings.h"
#include "clinrl/records/fact_builder.h"
#include "synth_draft.h"

namespace clinrl::records::synth {

namespace {

std::string fmt1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

// Normal ranges when a condition does not say otherwise.
std::array<double, 2> default_vital(const std::string& key, int age) {
  bool infant = age < 1, child = age < 12;
  if (key == "hr") return infant ? std::array<double, 2>{110, 150} : child ? std::array<double, 2>{80, 115} : std::array<double, 2>{62, 88};
  if (key == "rr") return infant ? std::array<double, 2>{30, 45} : child ? std::array<double, 2>{18, 26} : std::array<double, 2>{12, 18};
  if (key == "sbp") return child ? std::array<double, 2>{85, 105} : std::array<double, 2>{108, 134};
  if (key == "dbp") return child ? std::array<double, 2>{50, 65} : std::array<double, 2>{66, 84};
  if (key == "temp") return {36.3, 37.2};
  return {96, 99};  // spo2
}

// A measurement fact: subject `name`, result `value`, no patient wording.
Fact measurement(std::string id, std::string category, std::string topic, std::string clinical, std::string name,
                 std::string value) {
  return FactBuilder(std::move(id), std::move(category), {std::move(topic)})
      .clinical(std::move(clinical))
      .subject(std::move(name))
      .value(std::move(value));
}

}  // namespace

void draw_vital_signs(RecordDraft& d) {
  auto vital = [&](const std::string& key) {
    auto it = d.c.vitals.find(key);
    auto range = it != d.c.vitals.end() ? it->second : default_vital(key, d.age);
    return d.rng.uniform(range[0], range[1] + (key == "temp" ? 0.0 : 1.0));
  };
  int hr = static_cast<int>(vital("hr")), sbp = static_cast<int>(vital("sbp")), dbp = static_cast<int>(vital("dbp"));
  int rr = static_cast<int>(vital("rr")), spo2 = std::min(100, static_cast<int>(vital("spo2")));
  double temp = std::round(vital("temp") * 10) / 10;
  if (dbp >= sbp - 20) dbp = sbp - 20;
  d.add(measurement("vital.heart_rate", "vital_sign", "vital:heart rate", core::format("heart rate {} bpm", hr), "heart rate",
                    core::format("{} bpm", hr)));
  d.add(measurement("vital.blood_pressure", "vital_sign", "vital:blood pressure", core::format("blood pressure {}/{} mmHg", sbp, dbp),
                    "blood pressure", core::format("{}/{} mmHg", sbp, dbp)));
  d.add(measurement("vital.respiratory_rate", "vital_sign", "vital:respiratory rate", core::format("respiratory rate {}/min", rr),
                    "respiratory rate", core::format("{} breaths/min", rr)));
  d.add(measurement("vital.temperature", "vital_sign", "vital:temperature", "temperature " + fmt1(temp) + " C", "temperature",
                    fmt1(temp) + " C"));
  d.add(measurement("vital.oxygen_saturation", "vital_sign", "vital:oxygen saturation", core::format("SpO2 {}% on air", spo2),
                    "oxygen saturation", core::format("{}% on air", spo2)));
}

void draw_examination(RecordDraft& d) {
  // By system, the findings of one system joined.
  std::vector<std::pair<std::string, std::string>> exam;
  for (const auto& e : d.c.exam) {
    if (!d.rng.bernoulli(e.p)) continue;
    auto it = std::find_if(exam.begin(), exam.end(), [&](const auto& x) { return x.first == e.name; });
    if (it == exam.end()) exam.emplace_back(e.name, e.result);
    else it->second += "; " + e.result;
  }
  for (const auto& [system, finding] : exam)
    d.add(measurement("exam." + fact_key(system), "exam", "exam:" + system, system + " examination: " + finding, system, finding));
}

void draw_tests(RecordDraft& d) {
  const auto& tests = d.c.tests;
  std::vector<std::string> test_done;
  for (size_t i = 0; i < tests.size(); ++i) {
    const auto& t = tests[i];
    if (contains(test_done, t.name)) continue;
    // Entries sharing a name are alternatives: one draw chooses among them.
    double x = d.rng.uniform(), acc = 0;
    const FindingSpec* chosen = nullptr;
    for (size_t j = i; j < tests.size() && !chosen; ++j)
      if (tests[j].name == t.name && x < (acc += tests[j].p)) chosen = &tests[j];
    test_done.push_back(t.name);
    if (chosen)
      d.add(measurement("test." + fact_key(t.name), "test", "test:" + t.name, t.name + ": " + chosen->result, t.name, chosen->result));
  }
}

}  // namespace clinrl::records::synth
