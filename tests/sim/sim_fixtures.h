#pragma once
// A hand-written record and shared helpers for the simulator tests.
#include <memory>
#include <string>

#include "clinrl/records/fact_builder.h"
#include "clinrl/records/record.h"
#include "clinrl/sim/lexicon.h"
#include "clinrl/sim/simulator.h"

namespace clinrl::sim::test {

inline std::shared_ptr<const Lexicon> lexicon() {
  static auto lex = std::make_shared<const Lexicon>(Lexicon::load(Lexicon::default_dir()));
  return lex;
}

inline records::Record chest_pain_record() {
  records::Record r;
  r.id = "test-mi-1";
  r.source = "test";
  r.chief_complaint = "chest pain";
  r.demographics.age_years = 58;
  r.demographics.age_band = "adult";
  r.demographics.sex = "male";
  r.diagnosis.name = "Acute myocardial infarction";
  using records::FactBuilder;
  r.facts = {
      FactBuilder("cc", "chief_complaint", {"chief_complaint", "symptom:chest pain"})
          .lay("I've got a crushing pain in my chest.").clinical("Central crushing chest pain.").subject("chest pain"),
      FactBuilder("hpi.onset", "hpi", {"onset"}).lay("It started about two hours ago.").clinical("Onset 2 hours before presentation."),
      FactBuilder("hpi.character", "hpi", {"character"}).lay("It feels like a heavy weight pressing down.").clinical("Pressure-like pain."),
      FactBuilder("hpi.radiation", "hpi", {"radiation"}).lay("It goes down my left arm.").clinical("Radiates to the left arm."),
      FactBuilder("hpi.severity", "hpi", {"severity"}).lay("It's about an eight out of ten.").clinical("Severity 8/10."),
      FactBuilder("assoc.sweating", "associated_symptom", {"symptom:sweating"})
          .lay("I've been sweating buckets.").clinical("Diaphoresis.").subject("sweating"),
      FactBuilder("assoc.nausea", "associated_symptom", {"symptom:nausea"}).lay("I feel a bit queasy.").clinical("Nausea.").subject("nausea"),
      FactBuilder("neg.fever", "pertinent_negative", {"symptom:fever"})
          .lay("No, I haven't had a fever.").clinical("No fever.").negative().subject("fever"),
      FactBuilder("pmh.htn", "past_history", {"pmh"}).lay("I have high blood pressure.").clinical("Hypertension."),
      FactBuilder("med.amlodipine", "medication", {"medications"}).lay("I take amlodipine every morning.").clinical("Amlodipine 5 mg daily."),
      FactBuilder("allergy.penicillin", "allergy", {"allergies"})
          .lay("Penicillin brings me out in a rash.").clinical("Penicillin allergy (rash)."),
      FactBuilder("social.tobacco", "social", {"social:tobacco"}).lay("I smoke twenty a day.").clinical("Smoker, 20 cigarettes/day."),
      FactBuilder("social.alcohol", "social", {"social:alcohol"})
          .lay("I drink about four pints most nights.").clinical("Alcohol ~50 units/week.").sensitivity(records::kPersonal),
      FactBuilder("social.drugs", "social", {"social:drugs"})
          .lay("I took some cocaine last night.").clinical("Cocaine use last night.").sensitivity(records::kIntimate),
      FactBuilder("family.mi", "family", {"family"}).lay("My dad had a heart attack at fifty.").clinical("Father MI aged 50."),
      FactBuilder("vital.bp", "vital_sign", {"vital:blood pressure"}).clinical("BP 150/95 mmHg.").subject("blood pressure").value("150/95 mmHg"),
      FactBuilder("exam.cvs", "exam", {"exam:cardiovascular"})
          .clinical("Heart sounds normal, no murmurs.").subject("cardiovascular").value("heart sounds normal, no murmurs"),
      FactBuilder("test.troponin", "test", {"test:troponin"}).clinical("Troponin raised.").subject("troponin").value("2.3 ng/mL (elevated)"),
      FactBuilder("test.ecg", "test", {"test:ecg"})
          .clinical("ST elevation in II, III, aVF.").subject("ecg").value("ST elevation in II, III, aVF"),
  };
  r.must_ask = {"onset", "character", "radiation", "symptom:sweating", "pmh", "medications", "social:tobacco", "family"};
  return r;
}

inline SimOptions fixed_options(const std::string& persona = "open") {
  SimOptions o;
  o.persona.mode = "fixed";
  o.persona.fixed = parse_persona(persona);
  return o;
}

inline std::shared_ptr<const PatientSimulator> simulator(const SimOptions& options = fixed_options(),
                                                         records::Record record = chest_pain_record()) {
  return PatientSimulator::create(std::move(record), lexicon(), options);
}

}  // namespace clinrl::sim::test
