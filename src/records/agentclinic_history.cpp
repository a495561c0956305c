// History sections of an AgentClinic case (Patient_Actor) as facts: symptoms,
// present illness, past history, medications, allergies, family and social
// history, review of systems, and keys the importer does not know.
#include "agentclinic_parts.h"
#include "clinrl/core/strings.h"
#include "clinrl/records/fact_builder.h"
#include "clinrl/records/names.h"

namespace clinrl::records::agentclinic {

using core::Json;

namespace {

const Json* patient_key(const OsceCase& c, const char* key) {
  auto it = c.patient->find(key);
  return it == c.patient->end() ? nullptr : &*it;
}

// Patient_Actor.Symptoms.Secondary_Symptoms: a list, or one comma-separated string.
void map_secondary_symptoms(const Json& secondary, CaseBuilder& b) {
  if (secondary.is_array()) {
    for (size_t i = 0; i < secondary.size(); ++i) {
      std::string text = leaf_text(secondary[i]);
      if (text.empty()) continue;
      std::string name = normalise_symptom_name(clean_name(text));
      b.add(FactBuilder("sym." + id_part(name), "associated_symptom", {"symptom:" + name}).clinical(text).subject(name));
    }
  } else if (secondary.is_string() && !secondary.get<std::string>().empty()) {
    for (const auto& s : core::split(secondary.get<std::string>(), ',')) {
      std::string name = normalise_symptom_name(clean_name(s));
      if (!name.empty())
        b.add(FactBuilder("sym." + id_part(name), "associated_symptom", {"symptom:" + name}).clinical(core::trim(s)).subject(name));
    }
  }
}

}  // namespace

void map_symptoms(const OsceCase& c, CaseBuilder& b) {
  Record& r = b.record;
  const Json* sym = patient_key(c, "Symptoms");
  if (sym && sym->is_object()) {
    auto primary = sym->find("Primary_Symptom");
    if (primary != sym->end() && primary->is_string() && !core::trim(primary->get<std::string>()).empty()) {
      std::string text = core::trim(primary->get<std::string>());
      std::string name = normalise_symptom_name(clean_name(text));
      r.chief_complaint = name;
      b.add(FactBuilder("cc", "chief_complaint", {"chief_complaint", "symptom:" + name}).clinical(text).subject(name));
    } else {
      b.warnings.push_back("Symptoms.Primary_Symptom missing or empty");
    }
    if (auto secondary = sym->find("Secondary_Symptoms"); secondary != sym->end()) map_secondary_symptoms(*secondary, b);
  } else {
    b.warnings.push_back("Patient_Actor.Symptoms missing or not an object");
  }
  if (r.chief_complaint.empty()) {
    auto obj = c.osce->find("Objective_for_Doctor");
    r.chief_complaint = "unspecified";
    if (obj != c.osce->end() && obj->is_string()) b.warnings.push_back("chief complaint set to 'unspecified'");
  }
}

void map_present_illness(const OsceCase& c, CaseBuilder& b) {
  // One fact per sentence, topics from its wording.
  auto sentences = split_sentences(c.patient_text("History"));
  if (sentences.empty()) b.warnings.push_back("Patient_Actor.History missing or empty");
  for (size_t i = 0; i < sentences.size(); ++i)
    b.add(FactBuilder(core::format("hpi.{}", i + 1), "hpi", history_topics(sentences[i]))
              .clinical(sentences[i])
              .subject(b.record.chief_complaint));
}

void map_past_history(const OsceCase& c, CaseBuilder& b) {
  // Past medical history, with the medications, operations and obstetric history it mentions.
  const Json* pmh = patient_key(c, "Past_Medical_History");
  if (!pmh) return;
  int n = 0;
  b.each_text(*pmh, [&](const std::string&, const std::string& text) {
    for (const auto& s : split_sentences(text)) {
      if (uninformative(s)) continue;
      std::vector<std::string> topics = {"pmh"};
      std::string l = core::to_lower(s);
      if (any_word(l, {"medication", "taking", "treated with", "treatment", "therapy", "mg", "managed with", "on "})) topics.push_back("medications");
      if (any_word(l, {"surgery", "operation", "resection", "appendectomy", "cholecystectomy", "-ectomy", "repair", "transplant"})) topics.push_back("surgical_history");
      if (any_word(l, {"gravida", "pregnan", "para ", "miscarriage", "menstrua", "period"})) topics.push_back("obstetric");
      b.add(FactBuilder(core::format("pmh.{}", ++n), "past_history", topics)
                .clinical(s)
                .negative(negative_text(s))
                .subject("past medical history"));
    }
  }, "Past_Medical_History");
}

void map_medications(const OsceCase& c, CaseBuilder& b) {
  int n = 0;
  for (const char* key : {"Current_Medications", "Medications", "Drug_History"}) {
    const Json* meds = patient_key(c, key);
    if (!meds) continue;
    b.each_text(*meds, [&](const std::string&, const std::string& text) {
      if (uninformative(text)) return;
      b.add(FactBuilder(core::format("med.{}", ++n), "medication", {"medications"})
                .clinical(text)
                .negative(negative_text(text))
                .subject(clean_name(text)));
    }, key);
  }
}

void map_allergies_and_family(const OsceCase& c, CaseBuilder& b) {
  // One section each: (key, fact id and category, topic, subject).
  struct Section {
    const char *key, *id, *topic, *subject;
  };
  for (const Section& s : {Section{"Allergies", "allergy", "allergies", "allergies"},
                           Section{"Family_History", "family", "family", "family history"}}) {
    const Json* v = patient_key(c, s.key);
    if (!v) continue;
    b.each_text(*v, [&](const std::string&, const std::string& text) {
      if (!uninformative(text))
        b.add(FactBuilder(s.id, s.id, {s.topic}).clinical(text).negative(negative_text(text)).subject(s.subject));
    }, s.key);
  }
}

void map_social_history(const OsceCase& c, CaseBuilder& b) {
  // Clauses with the topics their words name; allergies and medications mentioned here go where they belong.
  const Json* social = patient_key(c, "Social_History");
  if (!social) return;
  int n = 0;
  b.each_text(*social, [&](const std::string& key, const std::string& text) {
    for (const auto& s : split_sentences(text)) {
      if (uninformative(s)) continue;
      std::vector<std::string> topics = social_topics_of(key + " " + s);
      std::string l = core::to_lower(s);
      std::string id = core::format("social.{}", ++n);
      if (topics.empty() && l.find("allerg") != std::string::npos) {
        b.add(FactBuilder(id, "allergy", {"allergies"}).clinical(s).negative(negative_text(s)).subject("allergies"));
        continue;
      }
      if (topics.empty() && l.find("medication") != std::string::npos) {
        b.add(FactBuilder(id, "medication", {"medications"}).clinical(s).negative(negative_text(s)).subject("medications"));
        continue;
      }
      if (topics.empty()) {
        b.warnings.push_back(core::format("social history '{}' names no known topic; kept under social:living", s));
        topics.push_back("social:living");
      }
      int sensitivity = sensitivity_of(topics);
      b.add(FactBuilder(id, "social", std::move(topics))
                .clinical(s)
                .sensitivity(sensitivity)
                .negative(negative_text(s))
                .subject("social history"));
    }
  }, "Social_History");
}

void map_review_of_systems(const OsceCase& c, CaseBuilder& b) {
  // Denials become pertinent negatives (or social facts), the rest ROS facts.
  const Json* ros = patient_key(c, "Review_of_Systems");
  if (!ros) return;
  int n = 0;
  b.each_text(*ros, [&](const std::string& key, const std::string& text) {
    std::string system = key.empty() ? "general" : exam_system(key);
    if (system == "other") system = "general";
    for (const auto& s : split_sentences(text)) {
      if (uninformative(s)) continue;
      auto items = denied_items(s);
      for (const auto& item : items) {
        auto social = social_topics_of(item);
        std::string name = normalise_symptom_name(item);
        std::vector<std::string> topics = social.empty() ? std::vector<std::string>{"symptom:" + name} : social;
        int sensitivity = sensitivity_of(topics);
        b.add(FactBuilder("neg." + id_part(name), social.empty() ? "pertinent_negative" : "social", std::move(topics))
                  .clinical("denies " + item)
                  .sensitivity(sensitivity)
                  .negative()
                  .subject(name));
      }
      b.add(FactBuilder(core::format("ros.{}", ++n), "ros", {"ros:" + system})
                .clinical(s)
                .negative(!items.empty() && negative_text(s))
                .subject(system));
    }
  }, "Review_of_Systems");
}

void map_unknown_keys(const OsceCase& c, CaseBuilder& b) {
  static const std::set<std::string> known = {"Demographics", "History", "Symptoms", "Past_Medical_History", "Social_History",
                                              "Review_of_Systems", "Current_Medications", "Medications", "Drug_History",
                                              "Family_History", "Allergies"};
  for (auto it = c.patient->begin(); it != c.patient->end(); ++it) {
    if (known.count(it.key())) continue;
    b.warnings.push_back(core::format("Patient_Actor.{} is not a known key; kept as context facts", it.key()));
    b.each_text(it.value(), [&](const std::string&, const std::string& text) {
      if (!text.empty()) b.add(FactBuilder("extra." + id_part(it.key()), "hpi", {"context"}).clinical(text));
    }, it.key().c_str());
  }
}

}  // namespace clinrl::records::agentclinic
