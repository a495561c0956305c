// The history of a synthetic patient: demographics, presenting complaint,
// past history and medications, allergies, social, obstetric and family
// history, and the review of systems that sums them up.
#include "clinrl/core/strings.h"
#include "clinrl/records/fact_builder.h"
#include "synth_draft.h"

namespace clinrl::records::synth {

namespace {

std::string age_band(int age) {
  if (age < 1) return "infant";
  if (age < 12) return "child";
  if (age < 18) return "adolescent";
  if (age < 65) return "adult";
  return "older adult";
}

const WeightedPhrase* pick_weighted(Rng& rng, const std::vector<const WeightedPhrase*>& v) {
  double total = 0;
  for (const auto* w : v) total += w->p;
  if (v.empty() || total <= 0) return nullptr;
  double x = rng.uniform() * total;
  for (const auto* w : v) {
    if (x < w->p) return w;
    x -= w->p;
  }
  return v.back();
}

// A fact with the given topic and subject, worded for the patient and the clinician.
FactBuilder history_fact(std::string id, std::string category, std::string topic, std::string lay, std::string clinical,
                         std::string subject) {
  return FactBuilder(std::move(id), std::move(category), {std::move(topic)})
      .lay(std::move(lay))
      .clinical(std::move(clinical))
      .subject(std::move(subject));
}

// Social-history phrasings for one topic: the condition's own, else the population pool
// (the child pool for children), filtered by age for occupations. Empty when the topic has none.
std::vector<const WeightedPhrase*> social_options(const RecordDraft& d, const std::string& topic) {
  const auto& pools = d.child ? d.kb.child_social : d.kb.social;
  std::vector<const WeightedPhrase*> out;
  auto over = d.c.social.find(topic);
  const std::vector<WeightedPhrase>* pool = over != d.c.social.end() ? &over->second : nullptr;
  if (!pool) {
    auto it = pools.find(topic);
    if (it == pools.end()) it = d.kb.social.find(topic);
    if (it == d.kb.social.end()) return out;
    pool = &it->second;
  }
  for (const auto& w : *pool) {
    if (topic == "occupation" && over == d.c.social.end() && !d.child) {
      bool retired = w.clinical == "retired", student = w.clinical == "student";
      if (d.age >= 67 && !retired) continue;
      if (d.age < 60 && retired) continue;
      if (d.age < 18 && !student) continue;
      if (d.age >= 30 && student) continue;
    }
    out.push_back(&w);
  }
  return out;
}

}  // namespace

std::string fact_key(const std::string& name) {
  std::string out;
  for (char c : name) out += (c == ' ' || c == '-' || c == '/' || c == ':' || c == '.') ? '_' : c;
  return out;
}

void RecordDraft::denial(const std::string& name) {
  if (positive.count(name) || negative.count(name)) return;
  negative.insert(name);
  add(FactBuilder("neg." + fact_key(name), "pertinent_negative", {"symptom:" + name})
          .lay("No, I haven't had any " + kb.lay_name(name) + ".")
          .clinical("denies " + name)
          .negative()
          .subject(name));
}

void draw_demographics(RecordDraft& d) {
  d.age = static_cast<int>(d.rng.range(d.c.age_min, d.c.age_max));
  bool female = d.rng.bernoulli(d.c.female);
  d.r.demographics.age_years = d.age;
  d.r.demographics.age_band = age_band(d.age);
  d.r.demographics.sex = female ? "female" : "male";
  d.child = d.age < 12;
  d.reproductive = female && d.age >= 12 && d.age <= 55;
}

void draw_presenting_complaint(RecordDraft& d) {
  const Condition& c = d.c;
  d.r.chief_complaint = c.chief_complaint;
  d.positive.insert(c.chief_complaint);
  d.add(FactBuilder("cc", "chief_complaint", {"chief_complaint", "symptom:" + c.chief_complaint})
            .lay(pick(d.rng, c.opening))
            .clinical(c.chief_complaint)
            .subject(c.chief_complaint));
  for (const auto& [key, options_for_key] : c.hpi) {
    const Phrase& p = pick(d.rng, options_for_key);
    d.add(history_fact("hpi." + key, "hpi", key, p.lay, p.clinical, c.chief_complaint));
  }
  for (const auto& s : c.symptoms) {
    if (s.name == c.chief_complaint || !d.rng.bernoulli(s.p)) continue;
    d.positive.insert(s.name);
    d.add(history_fact("sym." + fact_key(s.name), "associated_symptom", "symptom:" + s.name, s.lay, s.name, s.name));
  }
  for (const auto& n : c.negatives) d.denial(n);
  for (const auto& f : c.red_flags) d.denial(f);
  for (const auto& t : c.must_ask)
    if (core::starts_with(t, "symptom:")) d.denial(t.substr(8));
}

void draw_past_history(RecordDraft& d) {
  const Condition& c = d.c;
  std::vector<std::string> pmh_extra;  // past history the knowledge base has no comorbidity for
  auto already = [&](const std::string& name) {
    for (const auto* x : d.comorbid)
      if (x->name == name) return true;
    return contains(pmh_extra, name);
  };
  for (const auto& h : c.history) {
    if (!d.rng.bernoulli(h.p) || already(h.name)) continue;
    if (const auto* k = d.kb.find_comorbidity(h.name)) d.comorbid.push_back(k);
    else pmh_extra.push_back(h.name);
  }
  std::string lower_name = core::to_lower(c.name);
  for (const auto& k : d.kb.comorbidities) {
    bool is_this = lower_name.find(k.name) != std::string::npos;
    for (const auto& s : c.synonyms) is_this = is_this || s.find(k.name) != std::string::npos;
    bool draw = d.rng.bernoulli(k.p);  // drawn always, so one change does not shift every later draw
    if (draw && !is_this && d.age >= k.age_min && !already(k.name)) d.comorbid.push_back(&k);
  }
  for (const auto* k : d.comorbid)
    d.add(history_fact("pmh." + fact_key(k->name), "past_history", "pmh", "I have " + k->lay + ".", k->name, k->name));
  for (const auto& name : pmh_extra)
    d.add(history_fact("pmh." + fact_key(name), "past_history", "pmh", "I've had " + name + ".", name, name));
  if (d.comorbid.empty() && pmh_extra.empty())
    d.add(history_fact("pmh.none", "past_history", "pmh",
                       d.child ? "No, they've always been healthy." : "No, I'm generally fit and well.",
                       "no significant past medical history", "past medical history")
              .negative());
  std::set<std::string> meds_seen;
  for (const auto* k : d.comorbid)
    for (const auto& m : k->medications)
      if (meds_seen.insert(m.lay).second)
        d.add(history_fact("med." + fact_key(m.lay), "medication", "medications", "I take " + m.lay + ", " + m.clinical + ".",
                           m.lay + " " + m.clinical, m.lay));
  if (meds_seen.empty())
    d.add(history_fact("med.none", "medication", "medications", "I don't take any regular medicines.", "no regular medications",
                       "medications")
              .negative());
}

void draw_allergies(RecordDraft& d, const SynthOptions& options) {
  // From the population pool, sometimes one that rules out a first-line drug.
  for (const auto& a : d.kb.allergies)
    if (d.rng.bernoulli(a.p)) d.allergies.push_back(&a);
  std::vector<const ContraindicationSpec*> allergy_cis;
  for (const auto& ci : d.c.contraindications)
    if (!ci.allergy.empty()) allergy_cis.push_back(&ci);
  bool force = d.rng.bernoulli(options.contraindication_rate);
  if (force && !allergy_cis.empty()) {
    const AllergySpec* a = d.kb.find_allergy(pick(d.rng, allergy_cis)->allergy);
    if (a && std::find(d.allergies.begin(), d.allergies.end(), a) == d.allergies.end()) d.allergies.push_back(a);
  }
  for (const auto* a : d.allergies) {
    const Phrase& p = pick(d.rng, a->reactions);
    d.reaction[a] = &p;
    d.add(history_fact("allergy." + fact_key(a->allergen), "allergy", "allergies", "I'm allergic to " + a->allergen + ": " + p.lay + ".",
                       a->allergen + " allergy (" + p.clinical + ")", a->allergen));
  }
  if (d.allergies.empty())
    d.add(history_fact("allergy.none", "allergy", "allergies", "No allergies that I know of.", "no known drug allergies", "allergies")
              .negative());
}

void draw_social_history(RecordDraft& d) {
  // Condition overrides, else the population pools; some topics only at some ages.
  for (const auto& topic : std::vector<std::string>{"tobacco", "alcohol", "drugs", "occupation", "living", "travel", "sexual", "diet", "exercise"}) {
    bool asked = contains(d.c.must_ask, "social:" + topic);
    if ((topic == "sexual") && (d.age < 16 || (!asked && !d.rng.bernoulli(0.3)))) continue;
    if ((topic == "alcohol" || topic == "drugs") && d.age < 14) continue;
    if ((topic == "diet" || topic == "exercise") && !asked && !d.rng.bernoulli(0.5)) continue;
    const WeightedPhrase* w = pick_weighted(d.rng, social_options(d, topic));
    if (!w) continue;
    int sensitivity = topic == "sexual" ? kIntimate : (topic == "alcohol" || topic == "drugs") ? kPersonal : kOrdinary;
    bool neg = core::starts_with(w->clinical, "no ") || core::starts_with(w->clinical, "never");
    d.add(history_fact("social." + topic, "social", "social:" + topic, w->lay, w->clinical, topic).sensitivity(sensitivity).negative(neg));
  }
}

void draw_obstetric_history(RecordDraft& d) {
  if (!d.reproductive) return;
  Phrase ob = d.c.obstetric;
  if (ob.lay.empty()) {
    int weeks = static_cast<int>(d.rng.range(1, 4));
    ob = {core::format("my last period was about {} week{} ago and I'm not pregnant", weeks, weeks == 1 ? "" : "s"),
          core::format("LMP {} week{} ago, pregnancy not suspected", weeks, weeks == 1 ? "" : "s")};
  }
  d.add(history_fact("obstetric", "past_history", "obstetric", ob.lay, ob.clinical, "obstetric history").sensitivity(kPersonal));
}

void draw_family_history(RecordDraft& d) {
  double total = 0;
  for (const auto& f : d.kb.family) total += f.p;
  double x = d.rng.uniform() * total;
  const FamilySpec* chosen = d.kb.family.empty() ? nullptr : &d.kb.family.back();
  for (const auto& f : d.kb.family) {
    if (x < f.p) {
      chosen = &f;
      break;
    }
    x -= f.p;
  }
  if (chosen)
    d.add(history_fact("family", "family", "family", chosen->lay, chosen->clinical, "family history")
              .negative(core::starts_with(chosen->clinical, "no ")));
}

void summarise_review_of_systems(RecordDraft& d) {
  // One fact per system the history touched: its symptoms present, then those denied.
  const KnowledgeBase& kb = d.kb;
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> ros;
  for (const auto& s : d.positive)
    if (auto it = kb.system_of_symptom.find(s); it != kb.system_of_symptom.end()) ros[it->second].first.push_back(s);
  for (const auto& s : d.negative)
    if (auto it = kb.system_of_symptom.find(s); it != kb.system_of_symptom.end()) ros[it->second].second.push_back(s);
  for (const auto& system : kb.systems) {
    auto it = ros.find(system);
    if (it == ros.end()) continue;
    const auto& [pos, neg] = it->second;
    std::string lay, clinical;
    if (!pos.empty()) {
      std::vector<std::string> lay_pos;
      for (const auto& p : pos) lay_pos.push_back(kb.lay_name(p));
      lay = "I've had " + core::join(lay_pos, ", ");
      clinical = "positive for " + core::join(pos, ", ");
    }
    if (!neg.empty()) {
      std::vector<std::string> lay_neg;
      for (const auto& n : neg) lay_neg.push_back(kb.lay_name(n));
      lay += (lay.empty() ? "No " : ", but no ") + core::join(lay_neg, ", no ");
      clinical += (clinical.empty() ? "" : "; ") + std::string("negative for ") + core::join(neg, ", ");
    }
    d.add(history_fact("ros." + fact_key(system), "ros", "ros:" + system, lay + ".", system + ": " + clinical, system)
              .negative(pos.empty()));
  }
}

}  // namespace clinrl::records::synth
