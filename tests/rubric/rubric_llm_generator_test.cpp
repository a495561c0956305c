#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <thread>

#include "clinrl/core/json_io.h"
#include "clinrl/records/agentclinic.h"
#include "clinrl/records/fact_builder.h"
#include "clinrl/records/record_io.h"
#include "clinrl/rubric/criterion_overlap.h"
#include "clinrl/rubric/llm_rubric_generator.h"
#include "clinrl/rubric/rubric_files.h"
#include "clinrl/rubric/suite.h"
#include "support/test_support.h"

using namespace clinrl::rubric;
using clinrl::core::Conversation;
using clinrl::core::Json;
using clinrl::records::Record;
using Catch::Matchers::Contains;

namespace {

// A backend that answers each prompt by the first rule whose key occurs in
// it, and records the batch sizes.
class ScriptedModel : public clinrl::core::LanguageModel {
 public:
  std::vector<std::pair<std::string, std::string>> replies;  // prompt substring -> reply
  std::vector<size_t> batch_sizes;
  int failing_batches = 0;  // the first this many chat_batch calls throw

  std::string chat(const Conversation& messages, const clinrl::core::ChatOptions&) override {
    for (const auto& [key, reply] : replies)
      if (messages.back().content.find(key) != std::string::npos) return reply;
    return "no script for this prompt";
  }
  std::vector<std::string> chat_batch(const std::vector<Conversation>& requests,
                                      const clinrl::core::ChatOptions& options) override {
    batch_sizes.push_back(requests.size());
    if (failing_batches > 0) {
      --failing_batches;
      throw std::runtime_error("backend down");
    }
    return LanguageModel::chat_batch(requests, options);
  }
};

Record uti_record(const std::string& id, const std::string& complaint) {
  Record r;
  r.id = id;
  r.chief_complaint = complaint;
  r.diagnosis = {"Urinary tract infection", "N39.0", {"uti"}};
  r.management.first_line = {"nitrofurantoin"};
  r.must_ask = {"onset", "symptom:fever"};
  r.demographics.age_years = 30;
  r.demographics.sex = "female";
  r.facts.push_back(clinrl::records::FactBuilder("hpi.onset", "hpi", {"onset"}).lay("two days ago").clinical("onset 2 days ago"));
  r.facts.push_back(clinrl::records::FactBuilder("sym.fever", "associated_symptom", {"symptom:fever"})
                        .lay("no fever").clinical("denies fever").subject("fever"));
  return r;
}

Json proposal(const std::string& criterion, Json points, const std::string& dimension, const std::string& axis) {
  return {{"criterion", criterion}, {"points", points}, {"dimension", dimension}, {"axis", axis}};
}

// uti-1's reply: 12 proposals, 3 written.
Json uti1_items() {
  return Json::array({
      proposal("Asks about when the symptoms started.", 3, "inquiry_logic", "completeness"),       // 0 duplicate (exact)
      proposal("Recommends nitrofurantoin as first-line treatment.", 5, "treatment", "accuracy"),   // 1 duplicate (5/6)
      proposal("Asks whether the urine is cloudy or smells.", 2, "inquiry_logic", "completeness"),  // 2 written
      proposal("Asks when the symptoms started", 3, "inquiry_logic", "completeness"),               // 3 repeats 0
      proposal("Prescribes nitrofurantoin without asking about pregnancy.", -6, "treatment", "accuracy"),  // 4 written
      proposal("Explains the diagnosis in plain language.", 3, "communication", "communication_quality"),  // 5 written, matches (1/2)
      proposal("Asks about back pain.", 12, "inquiry_logic", "completeness"),                       // 6 points
      proposal("Asks about sexual history.", 2, "history", "completeness"),                         // 7 dimension
      proposal("Asks about pregnancy.", "5", "inquiry_logic", "completeness"),                      // 8 points
      Json{{"criterion", "Asks about frequency."}, {"points", 2}, {"dimension", "inquiry_logic"}},  // 9 axis
      Json("Asks about fever"),                                                                     // 10 not_an_object
      proposal("The.", 2, "communication", "communication_quality"),                                // 11 criterion
  });
}

// uti-2's reply, fenced and with text around it: 2 proposals, both written.
std::string uti2_reply() {
  Json items = Json::array({
      proposal("Gives the correct diagnosis: urinary tract infection.", 8, "diagnostic_accuracy", "accuracy"),  // matches (5/9)
      proposal("Advises returning if fever or back pain develops.", 4, "ethics_safety", "completeness"),
  });
  return "Here are the items:\n```json\n" + clinrl::core::dump_json(Json{{"items", items}}) + "\n```\n";
}

ScriptedModel scripted() {
  ScriptedModel m;
  m.replies = {{"Chief complaint: painful urination", clinrl::core::dump_json(Json{{"items", uti1_items()}})},
               {"Chief complaint: burning", uti2_reply()},
               {"Chief complaint: garbled", "I am sorry, I cannot write rubrics."}};
  return m;
}

std::vector<Record> three_records() {
  return {uti_record("uti-1", "painful urination"), uti_record("garbled-1", "garbled"), uti_record("uti-2", "burning")};
}

}  // namespace

TEST_CASE("llm rubrics: content words and overlap", "[rubric]") {
  CHECK(content_words("Asks about the onset of the patient's symptoms.") == std::set<std::string>{"ask", "onset", "symptom"});
  // {recommend, nitrofurantoin, first, line, treatment} vs the same plus "appropriate".
  CHECK(criterion_overlap("Recommends nitrofurantoin as first-line treatment.",
                          "Recommends an appropriate first-line treatment, such as nitrofurantoin.") == Approx(5.0 / 6));
  CHECK(criterion_overlap("Explains the diagnosis in plain language.",
                          "Explains the findings or plan in plain language.") == Approx(0.5));
  CHECK(criterion_overlap("Asks about fever.", "Asks about smoking.") == Approx(1.0 / 3));
  CHECK(criterion_overlap("The.", "The.") == 0);

  RubricItem a, b;
  a.criterion = b.criterion = "Recommends amoxicillin.";
  a.points = 4;
  b.points = -9;
  a.dimension = b.dimension = "treatment";
  CHECK_FALSE(same_intent(a, b, 0.5));  // opposite signs: a reward and a penalty
  b.points = 1;
  CHECK(same_intent(a, b, 1.0));
  b.dimension = "ethics_safety";
  CHECK_FALSE(same_intent(a, b, 0.5));
}

TEST_CASE("llm rubrics: replies are parsed with fences and text around the JSON", "[rubric]") {
  auto item = Json::array({proposal("Asks about fever.", 2, "inquiry_logic", "completeness")});
  CHECK(parse_rubric_reply(clinrl::core::dump_json(Json{{"items", item}})) == item);
  CHECK(parse_rubric_reply(clinrl::core::dump_json(item)) == item);
  CHECK(parse_rubric_reply("```json\n" + clinrl::core::dump_json(Json{{"items", item}}) + "\n```") == item);
  CHECK(parse_rubric_reply("Sure! " + clinrl::core::dump_json(Json{{"items", item}}) + " Hope this helps.") == item);
  CHECK_FALSE(parse_rubric_reply("{\"items\": \"none\"}"));
  CHECK_FALSE(parse_rubric_reply("{\"rubric\": []}"));  // JSON, but not the format
  CHECK_FALSE(parse_rubric_reply("Here: {\"rubric\": [1]}"));
  CHECK_FALSE(parse_rubric_reply(""));
  CHECK_FALSE(parse_rubric_reply("no JSON here"));
}

TEST_CASE("llm rubrics: each proposal is checked against the schema", "[rubric]") {
  auto ok = check_proposal(proposal("  Asks about fever. ", 5.0, "inquiry_logic", "completeness"), "r: items[0]");
  REQUIRE(ok.item);
  CHECK(ok.item->criterion == "Asks about fever.");
  CHECK(ok.item->points == 5);
  CHECK(ok.item->dimension == std::optional<std::string>("inquiry_logic"));
  CHECK(ok.item->tags ==
        std::vector<std::string>{"level:example", "axis:completeness", "dimension:inquiry_logic", "source:llm"});
  CHECK_FALSE(ok.item->match);

  auto points = check_proposal(proposal("Asks about fever.", 12, "inquiry_logic", "completeness"), "r: items[1]");
  CHECK_FALSE(points.item);
  CHECK(points.reason == "points");
  CHECK(points.message == "r: items[1].points: expected a non-zero integer in [-10, 10], got 12");
  CHECK(check_proposal(proposal("Asks about fever.", 0, "inquiry_logic", "completeness"), "r").reason == "points");
  CHECK(check_proposal(proposal("Asks about fever.", 2.5, "inquiry_logic", "completeness"), "r").reason == "points");
  CHECK(check_proposal(proposal("Asks about fever.", true, "inquiry_logic", "completeness"), "r").reason == "points");
  auto dim = check_proposal(proposal("Asks about fever.", 2, "history", "completeness"), "r");
  CHECK(dim.reason == "dimension");
  CHECK_THAT(dim.message, Contains("got \"history\"") && Contains("diagnostic_accuracy, inquiry_logic"));
  CHECK(check_proposal(proposal("Asks about fever.", 2, "inquiry_logic", "axis:completeness"), "r").reason == "axis");
  auto no_axis = check_proposal(Json{{"criterion", "Asks."}, {"points", 1}, {"dimension", "communication"}}, "r");
  CHECK(no_axis.reason == "axis");
  CHECK(no_axis.message == "r.axis: expected one of accuracy, completeness, context_awareness, communication_quality, "
                           "instruction_following, got nothing");
  CHECK(check_proposal(proposal("", 2, "communication", "accuracy"), "r").reason == "criterion");
  CHECK(check_proposal(Json{{"points", 2}}, "r").reason == "criterion");
  CHECK(check_proposal(Json::array(), "r").reason == "not_an_object");
}

TEST_CASE("llm rubrics: the prompt holds the case and the answer format", "[rubric]") {
  Record r = uti_record("uti-1", "painful urination");
  r.management.contraindicated = {{"trimethoprim", "first trimester of pregnancy"}};
  auto prompt = llm_rubric_prompt(r, {});
  REQUIRE(prompt.size() == 2);
  CHECK(prompt[0].role == "system");
  const std::string& text = prompt[1].content;
  CHECK_THAT(text, Contains("Patient: 30-year-old female\n"));
  CHECK_THAT(text, Contains("- associated_symptom: denies fever\n"));
  CHECK_THAT(text, Contains("Diagnosis: Urinary tract infection (also called: uti)\n"));
  CHECK_THAT(text, Contains("- first-line treatment: nitrofurantoin\n"));
  CHECK_THAT(text, Contains("- contraindicated for this patient: trimethoprim (first trimester of pregnancy)\n"));
  CHECK_THAT(text, Contains("A competent history covers: when the symptoms started; fever\n"));
  CHECK_THAT(text, Contains("At most 12 items"));
  CHECK_THAT(text, Contains("{\"items\": [{\"criterion\""));
  // The rule items are not shown, so agreement is not copying.
  CHECK_THAT(text, !Contains("States the correct final diagnosis"));
}

TEST_CASE("llm rubrics: counts of valid, invalid, duplicate and unparseable proposals", "[rubric]") {
  ScriptedModel model = scripted();
  auto records = three_records();
  LlmRubricRun run = generate_llm_rubrics(records, model, {});
  const LlmRubricCounts& c = run.counts;

  // One batch for all records, then the unparseable one again.
  CHECK(model.batch_sizes == std::vector<size_t>{3, 1});
  CHECK(c.records == 3);
  CHECK(c.requests == 4);
  CHECK(c.unparseable_replies == 1);
  CHECK(c.unparseable_records == std::vector<std::string>{"garbled-1"});
  CHECK(c.proposed == 14);
  CHECK(c.invalid == 6);
  CHECK(c.invalid_by_reason ==
        std::map<std::string, size_t>{{"points", 2}, {"dimension", 1}, {"axis", 1}, {"not_an_object", 1}, {"criterion", 1}});
  CHECK(c.repeated == 1);
  CHECK(c.duplicates_of_rules == 2);
  CHECK(c.duplicates() == 3);
  CHECK(c.written == 5);
  CHECK(c.proposed == c.invalid + c.duplicates() + c.written);
  REQUIRE(c.invalid_examples.size() == 6);
  CHECK(c.invalid_examples[0] == "uti-1: items[6].points: expected a non-zero integer in [-10, 10], got 12");

  REQUIRE(run.records.size() == 3);
  const auto& uti1 = run.records[0];
  CHECK(uti1.rule_items.size() == generate_rubric(records[0]).size());
  REQUIRE(uti1.llm_items.size() == 3);
  CHECK(uti1.llm_items[0].criterion == "Asks whether the urine is cloudy or smells.");
  CHECK(uti1.llm_items[1].points == -6);
  CHECK(uti1.llm_items[2].criterion == "Explains the diagnosis in plain language.");
  CHECK(uti1.distinct.size() == 5);
  CHECK(run.records[1].unparseable);
  CHECK(run.records[1].llm_items.empty());
  CHECK(run.records[2].llm_items.size() == 2);

  // The file: rule items then LLM items; a record without a usable reply keeps its rule items.
  auto rows = run.rows();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].rubrics.size() == uti1.rule_items.size() + 3);
  CHECK(rows[0].rubrics.back().criterion == "Explains the diagnosis in plain language.");
  CHECK(rows[1].rubrics.size() == run.records[1].rule_items.size());
  auto llm_only = run.rows(true);
  CHECK(llm_only[0].rubrics.size() == 3);
  CHECK(llm_only[1].rubrics.empty());
  CHECK(c.rule_items == uti1.rule_items.size() + run.records[1].rule_items.size() + run.records[2].rule_items.size());
}

TEST_CASE("llm rubrics: consistency shares per dimension on a hand-built case", "[rubric]") {
  ScriptedModel model = scripted();
  LlmRubricRun run = generate_llm_rubrics(three_records(), model, {});
  ConsistencyReport report = run.consistency(0.5);
  // uti-1: onset (duplicate), first-line (duplicate), plain language (1/2) match; urine, pregnancy do not.
  // uti-2: the diagnosis (5/9) matches; the return advice does not.
  CHECK(report.dimension("diagnostic_accuracy").items == 1);
  CHECK(report.dimension("diagnostic_accuracy").matched == 1);
  CHECK(report.dimension("inquiry_logic").items == 2);
  CHECK(report.dimension("inquiry_logic").matched == 1);
  CHECK(report.dimension("treatment").items == 2);
  CHECK(report.dimension("treatment").matched == 1);
  CHECK(report.dimension("communication").share() == std::optional<double>(1.0));
  CHECK(report.dimension("ethics_safety").items == 1);
  CHECK(report.dimension("ethics_safety").share() == std::optional<double>(0.0));
  CHECK(report.overall().items == 7);
  CHECK(report.overall().matched == 4);
  CHECK(*report.overall().share() == Approx(4.0 / 7));
  Json j = report.to_json();
  CHECK(j["min_overlap"] == 0.5);
  CHECK(j["per_dimension"]["inquiry_logic"] == Json{{"items", 2}, {"matched", 1}, {"share", 0.5}});
  CHECK(j["per_dimension"].begin().key() == "diagnostic_accuracy");

  // A stricter threshold leaves only the near-verbatim ones (1.0 and 5/6).
  ConsistencyReport strict = run.consistency(0.8);
  CHECK(strict.overall().matched == 2);
  CHECK(strict.dimension("communication").matched == 0);

  ConsistencyReport empty(0.5);
  CHECK_FALSE(empty.overall().share());
  CHECK(empty.to_json()["overall"]["share"].is_null());
}

TEST_CASE("llm rubrics: a failing backend costs an attempt; options are checked", "[rubric]") {
  ScriptedModel model = scripted();
  model.failing_batches = 1;
  std::vector<Record> one = {uti_record("uti-2", "burning")};
  LlmRubricRun run = generate_llm_rubrics(one, model, {});
  CHECK(model.batch_sizes == std::vector<size_t>{1, 1});
  CHECK(run.counts.requests == 2);
  CHECK(run.counts.unparseable_replies == 0);
  CHECK(run.counts.written == 2);

  ScriptedModel down = scripted();
  down.failing_batches = 5;
  LlmRubricOptions once;
  once.max_attempts = 1;
  auto lost = generate_llm_rubrics(one, down, once);
  CHECK(lost.counts.requests == 1);
  CHECK(lost.counts.unparseable_replies == 1);
  CHECK(lost.counts.proposed == 0);

  // Proposals past max_items are dropped.
  LlmRubricOptions few;
  few.max_items = 1;
  ScriptedModel m2 = scripted();
  auto capped = generate_llm_rubrics(one, m2, few);
  CHECK(capped.counts.invalid_by_reason == std::map<std::string, size_t>{{"beyond_max_items", 1}});
  CHECK(capped.counts.written == 1);

  LlmRubricOptions bad;
  bad.intent_overlap = 0.9;  // above duplicate_overlap 0.8
  CHECK_THROWS_WITH(bad.validate(), Contains("intent_overlap (0.9) must not exceed duplicate_overlap (0.8)"));
}

namespace {

// An OpenAI-compatible server on loopback answering every chat request with
// the script's reply for its prompt.
struct ScriptedServer {
  httplib::Server server;
  std::thread thread;
  std::atomic<int> requests{0};
  int port = 0;
  explicit ScriptedServer(ScriptedModel& model) {
    server.Post("/v1/chat/completions", [this, &model](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      Json body = Json::parse(req.body);
      Conversation messages;
      for (const auto& m : body["messages"]) messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
      Json reply = {{"choices", Json::array({{{"index", 0},
                                              {"message", {{"role", "assistant"}, {"content", model.chat(messages, {})}}},
                                              {"finish_reason", "stop"}}})}};
      res.set_content(clinrl::core::dump_json(reply), "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~ScriptedServer() {
    server.stop();
    thread.join();
  }
};

}  // namespace

TEST_CASE("llm rubrics: clinrl rubrics generate --llm end to end", "[rubric]") {
  clinrl::test::TempDir dir;
  clinrl::records::save_records(dir / "r.jsonl", three_records());
  ScriptedModel model = scripted();
  ScriptedServer server(model);
  REQUIRE(server.port > 0);
  std::string base = "rubrics generate --records " + (dir / "r.jsonl").string() + " --out " + (dir / "rub.jsonl").string();
  auto g = clinrl::test::run_clinrl(base + " --llm http://127.0.0.1:" + std::to_string(server.port) + "/v1 --report " +
                                    (dir / "report.json").string());
  INFO(g.output);
  REQUIRE(g.status == 0);
  CHECK(server.requests == 4);
  CHECK_THAT(g.output, Contains("llm rubrics: 3 records, 4 requests, 14 proposed, 6 invalid (axis: 1, criterion: 1, "
                                "dimension: 1, not_an_object: 1, points: 2), 3 duplicates (2 of rule items, 1 repeated), "
                                "5 written; 1 unparseable replies (no LLM items)"));
  CHECK_THAT(g.output, Contains("  inquiry_logic           1 / 2    50.0%"));
  CHECK_THAT(g.output, Contains("  overall                 4 / 7    57.1%"));

  auto loaded = load_record_rubrics(dir / "rub.jsonl");
  REQUIRE(loaded.size() == 3);
  auto rule = generate_rubric(three_records()[0]);
  REQUIRE(loaded[0].rubrics.size() == rule.size() + 3);
  CHECK(loaded[0].rubrics[rule.size()].criterion == "Asks whether the urine is cloudy or smells.");
  CHECK_FALSE(loaded[0].rubrics[rule.size()].match);

  Json report = clinrl::core::read_json_file(dir / "report.json");
  CHECK(report["counts"]["proposed"] == 14);
  CHECK(report["counts"]["duplicates"]["of_rule_items"] == 2);
  CHECK(report["counts"]["unparseable_records"] == Json::array({"garbled-1"}));
  CHECK(report["consistency"]["overall"]["matched"] == 4);

  auto no_llm = clinrl::test::run_clinrl(base + " --report " + (dir / "x.json").string());
  CHECK(no_llm.status != 0);
  CHECK_THAT(no_llm.output, Contains("--llm"));
}

namespace {

// A model that proposes each record's own rule rubric back: the prompt of
// every record maps to its rule items written in the reply format.
class EchoModel : public clinrl::core::LanguageModel {
 public:
  std::map<std::string, std::string> replies;
  EchoModel(const std::vector<Record>& records, const LlmRubricOptions& options, int sign = 1) {
    for (const auto& r : records) {
      Json items = Json::array();
      for (const auto& item : generate_rubric(r)) {
        std::string axis;
        for (const auto& t : item.tags)
          if (t.rfind("axis:", 0) == 0) axis = t.substr(5);
        items.push_back(proposal(item.criterion, sign * item.points, *item.dimension, axis));
      }
      replies[llm_rubric_prompt(r, options).back().content] = clinrl::core::dump_json(Json{{"items", items}});
    }
  }
  std::string chat(const Conversation& messages, const clinrl::core::ChatOptions&) override {
    return replies.at(messages.back().content);
  }
};

}  // namespace

TEST_CASE("llm rubrics: the rule rubric proposed back is all duplicates on AgentClinic records", "[rubric]") {
  CLINRL_REQUIRE_SHARED(path, "agentclinic/agentclinic_medqa.jsonl");
  auto records = clinrl::records::import_agentclinic(path).records;
  REQUIRE(records.size() > 50);
  LlmRubricOptions options;
  options.max_items = 100;
  EchoModel echo(records, options);
  auto run = generate_llm_rubrics(records, echo, options);
  const auto& c = run.counts;
  INFO("proposed " << c.proposed << ", repeated " << c.repeated << ", duplicates of rule items " << c.duplicates_of_rules);
  CHECK(c.proposed == c.rule_items);
  CHECK(c.invalid == 0);  // every rule item passes the LLM proposal schema
  CHECK(c.written == 0);
  CHECK(c.repeated == 0);  // no two rule items of a record are one intent (107 records, 2525 items)
  CHECK(c.duplicates_of_rules == c.proposed);
  CHECK(run.consistency(options.intent_overlap).overall().share() == std::optional<double>(1.0));

  // The same items as penalties agree with nothing: the sign is part of the intent.
  EchoModel flipped(records, options, -1);
  auto opposite = generate_llm_rubrics(records, flipped, options);
  CHECK(opposite.counts.duplicates_of_rules == 0);
}

TEST_CASE("llm rubrics: distinct HealthBench criteria of one example are rarely one intent", "[rubric]") {
  CLINRL_REQUIRE_SHARED(path, "healthbench/main_first30.jsonl");
  Suite suite = load_suite(path);
  // Physician-written items of one example are distinct by construction, so
  // pairs of the same sign that the rule calls the same intent are false positives.
  size_t pairs = 0, at_duplicate = 0, at_intent = 0;
  for (const auto& ex : suite.examples)
    for (size_t i = 0; i < ex.rubrics.size(); ++i)
      for (size_t j = i + 1; j < ex.rubrics.size(); ++j) {
        if ((ex.rubrics[i].points > 0) != (ex.rubrics[j].points > 0)) continue;
        double o = criterion_overlap(ex.rubrics[i].criterion, ex.rubrics[j].criterion);
        pairs += 1;
        at_duplicate += o >= 0.8;
        at_intent += o >= 0.5;
      }
  INFO(pairs << " same-sign pairs, " << at_duplicate << " at overlap >= 0.8, " << at_intent << " at >= 0.5");
  CHECK(pairs > 1000);
  // Measured: 1 of 1382 at 0.8 and 2 at 0.5, all level:cluster items that share a long preamble.
  CHECK(at_duplicate * 100 <= pairs);
  CHECK(at_intent * 100 <= pairs);
}
