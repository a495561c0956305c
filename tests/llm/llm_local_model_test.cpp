#include <catch2/catch.hpp>

#include "cli/language_model_args.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/llm/language_model_factory.h"
#include "clinrl/llm/local_language_model.h"
#include "serve/serve_fixtures.h"

using namespace clinrl;

namespace {

llm::CompletionRequest ask(const std::string& question, double temperature, uint64_t seed, int64_t max_tokens = 24) {
  llm::CompletionRequest r;
  r.messages = {{"system", "You are a doctor."}, {"user", question}};
  r.temperature = temperature;
  r.seed = seed;
  r.max_tokens = max_tokens;
  return r;
}

}  // namespace

TEST_CASE("local model: batched requests give the same text as alone; n choices; stop strings; length",
          "[serve]") {
  test::TempDir dir;
  llm::LocalModelOptions options;
  options.checkpoint = test::tiny_checkpoint(dir.path()).string();
  options.max_batch = 3;  // forces several generate calls for the batch below
  auto lm = llm::LocalLanguageModel::load(options);
  CHECK(lm->model_name() == "tiny-chat");

  std::vector<llm::CompletionRequest> requests = {ask("hello", 0.9, 7), ask("hello world", 0, 1),
                                                    ask("aa", 1.0, 3, 40), ask("hello", 0.9, 8)};
  requests[0].n = 3;
  requests[2].top_p = 0.8;

  std::vector<llm::CompletionResult> alone;
  for (const auto& r : requests) alone.push_back(lm->complete({r})[0]);
  auto batched = lm->complete(requests);
  REQUIRE(batched.size() == requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    REQUIRE(batched[i].choices.size() == static_cast<size_t>(requests[i].n));
    CHECK(batched[i].prompt_tokens == alone[i].prompt_tokens);
    for (size_t k = 0; k < batched[i].choices.size(); ++k) {
      CHECK(batched[i].choices[k].text == alone[i].choices[k].text);
      CHECK(batched[i].choices[k].completion_tokens == alone[i].choices[k].completion_tokens);
    }
  }
  // Choices of one request draw from their own streams; another seed gives another reply.
  CHECK(batched[0].choices[0].text != batched[0].choices[1].text);
  CHECK(batched[0].choices[0].text != batched[3].choices[0].text);
  // The same request again replays exactly; chat() is choice 0 of the same request.
  CHECK(lm->complete({requests[0]})[0].choices[2].text == batched[0].choices[2].text);
  core::ChatOptions chat;
  chat.temperature = 0.9;
  chat.seed = 7;
  chat.max_tokens = 24;
  CHECK(lm->chat(requests[0].messages, chat) == batched[0].choices[0].text);

  SECTION("max_tokens ends a reply with finish_reason length") {
    auto r = lm->complete({ask("hello", 0, 1, 5)})[0].choices[0];
    CHECK(r.completion_tokens == 5);
    CHECK(r.finish_reason == "length");
  }

  SECTION("a stop string ends the reply and is cut from the text; streamed pieces add up to it") {
    auto full = batched[1].choices[0].text;  // greedy, 24 tokens
    REQUIRE(full.size() >= 8);
    auto stop_at = full.size() / 2;
    auto r = requests[1];
    r.stop = {"\x01never", full.substr(stop_at, 2)};
    std::string streamed;
    auto got = lm->complete({r}, [&](size_t request, int64_t choice, const std::string& piece, const std::vector<llm::TokenLogprob>&) {
      CHECK(request == 0);
      CHECK(choice == 0);
      streamed += piece;
    })[0].choices[0];
    CHECK(got.text == full.substr(0, full.find(r.stop[1])));
    CHECK(got.finish_reason == "stop");
    CHECK(got.completion_tokens < 24);
    CHECK(streamed == got.text);
  }

  SECTION("bad requests name the field") {
    auto r = ask("hello", 0, 1);
    r.n = 0;
    CHECK_THROWS_WITH(lm->complete({r}), Catch::Contains("n:"));
    r = ask(std::string(5000, 'x'), 0, 1);
    CHECK_THROWS_WITH(lm->check(r), Catch::Contains("context holds 4096"));
  }
}

TEST_CASE("local model: the template's end-of-turn id ends a reply", "[serve]") {
  test::TempDir dir;
  auto ckpt = test::tiny_checkpoint(dir.path());
  auto policy = model::ChatModel::load(ckpt, model::ChatModelOptions{});
  {
    // Residual stream = embedding = e0 for every token, and only <|im_end|> reads e0.
    torch::NoGradGuard no_grad;
    for (auto& p : policy.model->named_parameters())
      if (p.key().find("o_proj") != std::string::npos || p.key().find("down_proj") != std::string::npos)
        p.value().zero_();
    auto& embed = policy.model->model->embed_tokens->weight;
    embed.zero_();
    embed.index_put_({torch::indexing::Slice(), 0}, 1.0);
    auto& head = policy.model->lm_head->weight;
    head.zero_();
    head.index_put_({test::kImEnd, 0}, 1.0);
  }
  llm::LocalLanguageModel lm(std::move(policy), llm::LocalModelOptions{});
  CHECK(lm.model_name() == "local");
  auto r = lm.complete({ask("hello", 0, 1)})[0].choices[0];
  CHECK(r.text.empty());
  CHECK(r.finish_reason == "stop");
  CHECK(r.completion_tokens == 1);
}

TEST_CASE("language model specs: urls, local checkpoints, config files; CLI flags", "[serve]") {
  test::TempDir dir;
  auto ckpt = test::tiny_checkpoint(dir.path());

  auto http = llm::parse_language_model_spec("https://api.example.com/v1");
  CHECK(http.backend == "http");
  CHECK(http.http.base_url == "https://api.example.com/v1");
  auto local = llm::parse_language_model_spec("local:" + ckpt.string());
  CHECK(local.backend == "local");
  CHECK(local.local.checkpoint == ckpt.string());
  CHECK(llm::parse_language_model_spec(ckpt.string()).backend == "local");

  test::write_text(dir / "judge.json", R"({"backend": "http", "http": {"base_url": "http://10.0.0.2:9000/v1",
                                           "model": "big", "max_retries": 1}})");
  auto file = llm::parse_language_model_spec((dir / "judge.json").string());
  CHECK(file.http.base_url == "http://10.0.0.2:9000/v1");
  CHECK(file.http.model == "big");
  CHECK(file.http.max_retries == 1);
  test::write_text(dir / "bad.json", R"({"backend": "local"})");
  CHECK_THROWS_WITH(llm::parse_language_model_spec((dir / "bad.json").string()), Catch::Contains("local.checkpoint"));
  CHECK_THROWS_WITH(llm::parse_language_model_spec("gpt-4"), Catch::Contains("'gpt-4'"));
  CHECK_THROWS_AS(llm::parse_language_model_spec("local:"), UserError);

  auto opened = llm::open_language_model(local);
  auto* lm = dynamic_cast<llm::LocalLanguageModel*>(opened.get());
  REQUIRE(lm);
  CHECK(lm->model_name() == "tiny-chat");

  // The flags commands add for --judge / --patient-llm.
  CLI::App app;
  cli::LanguageModelArgs judge;
  judge.add_to(app, "judge", "the LLM judge");
  app.parse("--judge http://127.0.0.1:1/v1 --judge-model gpt-4.1 --judge-api-key-env JUDGE_KEY", false);
  auto o = judge.options();
  CHECK(o.http.base_url == "http://127.0.0.1:1/v1");
  CHECK(o.http.model == "gpt-4.1");
  CHECK(o.http.api_key_env == "JUDGE_KEY");
  judge.spec = ckpt.string();
  CHECK_THROWS_WITH(judge.options(), Catch::Contains("--judge-model and --judge-api-key-env apply to an http backend"));
  judge.spec = "nonsense";
  CHECK_THROWS_WITH(judge.options(), Catch::StartsWith("--judge: "));

  auto run = test::run_clinrl("serve --checkpoint " + (dir / "missing").string());
  CHECK(run.status == 2);
  CHECK_THAT(run.output, Catch::Contains("not a checkpoint directory"));
}
