#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/rubric/llm_judge.h"
#include "clinrl/serve/chat_server.h"
#include "clinrl/llm/http_chat_client.h"
#include "clinrl/llm/language_model_factory.h"
#include "serve/serve_fixtures.h"

using namespace clinrl;
using core::Json;

namespace {

// One tiny checkpoint and one server for the whole file (a few ms each, but
// tests should not pay for them again and again).
struct Served {
  test::TempDir dir;
  std::unique_ptr<llm::LocalLanguageModel> model;
  std::unique_ptr<serve::ChatServer> server;
  Served() {
    llm::LocalModelOptions options;
    options.checkpoint = test::tiny_checkpoint(dir.path()).string();
    model = llm::LocalLanguageModel::load(options);
    serve::ServerOptions s;
    s.port = 0;
    s.max_request_bytes = 4096;
    s.batch_wait_ms = 5;
    server = std::make_unique<serve::ChatServer>(*model, s);
    server->start();
  }
};
Served& served() {
  static Served s;
  return s;
}

llm::HttpClientOptions client_options(const std::string& base_url) {
  llm::HttpClientOptions o;
  o.base_url = base_url;
  o.backoff_initial_s = 0.01;
  o.backoff_max_s = 0.05;
  return o;
}

llm::CompletionRequest ask(const std::string& question, double temperature, uint64_t seed, int64_t max_tokens = 16) {
  llm::CompletionRequest r;
  r.messages = {{"user", question}};
  r.temperature = temperature;
  r.seed = seed;
  r.max_tokens = max_tokens;
  return r;
}

httplib::Client raw_client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  return c;
}

// The error body's shape: {"error": {"message", "type", "param", "code"}}.
void check_error_body(const httplib::Result& res, int status, const Json& param, const Json& code = nullptr) {
  REQUIRE(res);
  CHECK(res->status == status);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  Json j = Json::parse(res->body, nullptr, false);
  REQUIRE(j.is_object());
  REQUIRE(j.contains("error"));
  const Json& e = j["error"];
  CHECK(e["message"].is_string());
  CHECK(!e["message"].get<std::string>().empty());
  CHECK(e["type"].is_string());
  CHECK(e["param"] == param);
  CHECK(e["code"] == code);
}

}  // namespace

TEST_CASE("serve: the HTTP client gets what the local model generates; streaming; models; health", "[serve]") {
  auto& s = served();
  llm::HttpChatClient client(client_options(s.server->base_url()));
  CHECK(client.url() == s.server->base_url() + "/chat/completions");

  auto request = ask("hello world", 0.9, 5);
  request.n = 2;
  request.stop = {"\x01never"};
  auto over_http = client.complete(request);
  auto local = s.model->complete({request})[0];
  REQUIRE(over_http.choices.size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    CHECK(over_http.choices[k].text == local.choices[k].text);
    CHECK(over_http.choices[k].finish_reason == local.choices[k].finish_reason);
  }
  CHECK(over_http.prompt_tokens == local.prompt_tokens);
  core::ChatOptions chat;
  chat.temperature = 0.9;
  chat.seed = 5;
  chat.max_tokens = 16;
  CHECK(client.chat(request.messages, chat) == local.choices[0].text);

  auto raw = raw_client(s.server->port());
  SECTION("stream: true sends chat.completion.chunk events that add up to the same text, then [DONE]") {
    Json body = Json{{"messages", Json::array({Json{{"role", "user"}, {"content", "hello world"}}})},
                     {"temperature", 0.9}, {"seed", 5}, {"max_tokens", 16}, {"n", 2}, {"stream", true},
                     {"model", "anything"}, {"presence_penalty", 0}};
    auto res = raw.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/event-stream");
    std::string text[2], finish[2];
    bool done = false;
    size_t events = 0;
    for (const auto& line : core::split(res->body, '\n')) {
      if (line.empty()) continue;
      REQUIRE(core::starts_with(line, "data: "));
      REQUIRE_FALSE(done);
      if (line == "data: [DONE]") {
        done = true;
        continue;
      }
      Json chunk = Json::parse(line.substr(6));
      CHECK(chunk["object"] == "chat.completion.chunk");
      CHECK(chunk["model"] == "tiny-chat");
      auto k = chunk["choices"][0]["index"].get<size_t>();
      const Json& delta = chunk["choices"][0]["delta"];
      if (delta.contains("content")) text[k] += delta["content"].get<std::string>();
      if (!chunk["choices"][0]["finish_reason"].is_null()) finish[k] = chunk["choices"][0]["finish_reason"];
      ++events;
    }
    CHECK(done);
    CHECK(events > 4);
    for (size_t k = 0; k < 2; ++k) {
      CHECK(text[k] == local.choices[k].text);
      CHECK(finish[k] == local.choices[k].finish_reason);
    }
  }
  SECTION("non-streaming responses have the chat.completion shape") {
    Json body = Json{{"messages", Json::array({Json{{"role", "user"}, {"content", "hi"}}})}, {"max_tokens", 3},
                     {"stop", "\x01"}};
    auto res = raw.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    Json j = Json::parse(res->body);
    CHECK(j["object"] == "chat.completion");
    CHECK(core::starts_with(j["id"].get<std::string>(), "chatcmpl-"));
    CHECK(j["created"].is_number_integer());
    CHECK(j["choices"][0]["message"]["role"] == "assistant");
    CHECK(j["choices"][0]["finish_reason"].is_string());
    CHECK(j["usage"]["total_tokens"] == j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>());
  }
  SECTION("GET /v1/models and /health") {
    auto models = raw.Get("/v1/models");
    REQUIRE(models);
    CHECK(models->status == 200);
    Json m = Json::parse(models->body);
    CHECK(m["object"] == "list");
    CHECK(m["data"][0]["id"] == "tiny-chat");
    auto health = raw.Get("/health");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(Json::parse(health->body)["status"] == "ok");
  }
}

TEST_CASE("serve: malformed requests get OpenAI error bodies and the server keeps answering", "[serve]") {
  auto& s = served();
  auto raw = raw_client(s.server->port());
  const auto errors_before = s.server->stats().errors;
  struct Case {
    std::string body;
    int status;
    Json param;
  };
  const std::string msg = R"("messages": [{"role": "user", "content": "hi"}])";
  std::vector<Case> cases = {
      {"this is not json", 400, nullptr},
      {"", 400, nullptr},
      {"[1, 2]", 400, nullptr},
      {"{}", 400, "messages"},
      {R"({"messages": "hi"})", 400, "messages"},
      {R"({"messages": []})", 400, "messages"},
      {R"({"messages": [{"role": 1, "content": "hi"}]})", 400, "messages[0].role"},
      {R"({"messages": [{"role": "wizard", "content": "hi"}]})", 400, "messages[0].role"},
      {R"({"messages": [{"role": "user"}]})", 400, "messages[0].content"},
      {R"({"messages": [{"role": "tool", "content": "42"}]})", 400, "messages[0].tool_call_id"},
      {R"({"messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c"}]}]})", 400,
       "messages[0].tool_calls[0]"},
      {R"({"messages": [{"role": "assistant", "content": null, "tool_calls": {}}]})", 400, "messages[0].tool_calls"},
      {"{" + msg + R"(, "temperature": "hot"})", 400, "temperature"},
      {"{" + msg + R"(, "temperature": 3})", 400, "temperature"},
      {"{" + msg + R"(, "top_p": 1.5})", 400, "top_p"},
      {"{" + msg + R"(, "top_p": -0.1})", 400, "top_p"},
      // Fields this server does not serve: a 400, never a 200 that ignored them.
      {"{" + msg + R"(, "presence_penalty": 0.5})", 400, "presence_penalty"},
      {"{" + msg + R"(, "frequency_penalty": "x"})", 400, "frequency_penalty"},
      {"{" + msg + R"(, "logit_bias": {"50": 10}})", 400, "logit_bias"},
      {"{" + msg + R"(, "response_format": {"type": "json_object"}})", 400, "response_format"},
      {"{" + msg + R"(, "tools": [{"type": "function", "function": {"name": "f"}}]})", 400, "tools"},
      {"{" + msg + R"(, "tool_choice": "required"})", 400, "tool_choice"},
      {"{" + msg + R"(, "functions": [{"name": "f"}]})", 400, "functions"},
      {"{" + msg + R"(, "stream_options": {"include_usage": true}})", 400, "stream_options"},
      {"{" + msg + R"(, "stream": true, "stream_options": {"include_usage": 1}})", 400,
       "stream_options.include_usage"},
      {"{" + msg + R"(, "n": 0})", 400, "n"},
      {"{" + msg + R"(, "max_tokens": 1.5})", 400, "max_tokens"},
      {"{" + msg + R"(, "stop": [""]})", 400, "stop"},
      {"{" + msg + R"(, "stop": 7})", 400, "stop"},
      {"{" + msg + R"(, "seed": "x"})", 400, "seed"},
      {"{" + msg + R"(, "stream": 1})", 400, "stream"},
      {"{" + msg + R"(, "model": 5})", 400, "model"},
      {R"({"messages": [{"role": "user", "content": "hi"})", 400, nullptr},  // truncated
      {std::string(2000, '[') + std::string(2000, ']'), 400, nullptr},      // deeply nested
      {"{" + msg + R"(, "user": ")" + std::string(5000, 'x') + "\"}", 413, nullptr},  // over the limit
  };
  for (const auto& c : cases) {
    INFO("body: " << c.body.substr(0, 80));
    auto res = raw.Post("/v1/chat/completions", c.body, "application/json");
    check_error_body(res, c.status, c.param);
    auto health = raw_client(s.server->port()).Get("/health");
    REQUIRE(health);
    CHECK(health->status == 200);
  }
  check_error_body(raw.Get("/v1/chat/completions"), 405, nullptr);
  check_error_body(raw.Post("/health", "{}", "application/json"), 405, nullptr);
  check_error_body(raw.Get("/v1/nothing-here"), 404, nullptr);
  CHECK(s.server->stats().errors - errors_before == static_cast<int64_t>(cases.size()) + 3);

  // A well-formed request still works: unknown fields are ignored, and the
  // fields the server does not serve pass at their no-op values.
  auto res = raw.Post("/v1/chat/completions",
                      "{" + msg + R"(, "max_tokens": 2, "logit_bias": {}, "response_format": {"type": "text"},
                      "presence_penalty": 0, "frequency_penalty": 0, "tools": [], "tool_choice": "none",
                      "parallel_tool_calls": false, "some_future_field": 1})",
                      "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Json::parse(res->body)["choices"][0]["message"]["refusal"].is_null());

  // top_p 0 keeps only the most likely token: the greedy reply.
  auto reply = [&](const std::string& sampling) {
    auto r = raw.Post("/v1/chat/completions", "{" + msg + R"(, "max_tokens": 8, "seed": 3, )" + sampling + "}",
                      "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return Json::parse(r->body)["choices"][0]["message"]["content"].get<std::string>();
  };
  CHECK(reply(R"("top_p": 0, "temperature": 1.5)") == reply(R"("temperature": 0)"));

  // A model that is not the one served: 404 with OpenAI's code; the served one is there.
  check_error_body(raw.Get("/v1/models/gpt-4o"), 404, "model", "model_not_found");
  auto model = raw.Get("/v1/models/tiny-chat");
  REQUIRE(model);
  CHECK(model->status == 200);
  CHECK(Json::parse(model->body)["id"] == "tiny-chat");
  CHECK(Json::parse(model->body)["object"] == "model");
}

TEST_CASE("serve: tool messages and assistant tool calls of a replayed history enter the prompt", "[serve]") {
  auto& s = served();
  auto raw = raw_client(s.server->port());
  // The greedy reply and the prompt's length in tokens.
  auto greedy = [&](const Json& messages) {
    Json body = Json{{"messages", messages}, {"temperature", 0}, {"max_tokens", 8}};
    auto res = raw.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    const Json j = Json::parse(res->body);
    return std::make_pair(j["choices"][0]["message"]["content"].get<std::string>(),
                          j["usage"]["prompt_tokens"].get<int64_t>());
  };
  // An agent framework's history: a call with content null, then the tool's result.
  const Json with_tools = Json::array(
      {Json{{"role", "user"}, {"content", "weather?"}},
       Json{{"role", "assistant"}, {"content", nullptr},
            {"tool_calls", Json::array({Json{{"id", "call_1"}, {"type", "function"},
                                             {"function", Json{{"name", "get_weather"}, {"arguments", "{\"city\": \"Oslo\"}"}}}}})}},
       Json{{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "-3 C"}}});
  // The same conversation in Qwen2.5's wording of tool calls and results.
  const Json spelled_out = Json::array(
      {Json{{"role", "user"}, {"content", "weather?"}},
       Json{{"role", "assistant"},
            {"content", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"}},
       Json{{"role", "user"}, {"content", "<tool_response>\n-3 C\n</tool_response>"}}});
  CHECK(greedy(with_tools) == greedy(spelled_out));
  // The call and the result are in the prompt, not dropped.
  const Json question_only = Json::array({Json{{"role", "user"}, {"content", "weather?"}}});
  CHECK(greedy(with_tools).second > greedy(question_only).second + 20);
}

TEST_CASE("serve: stream_options.include_usage ends the stream with the usage of the plain reply", "[serve]") {
  auto& s = served();
  auto raw = raw_client(s.server->port());
  Json body = Json{{"messages", Json::array({Json{{"role", "user"}, {"content", "hello"}}})},
                   {"temperature", 0.9}, {"seed", 4}, {"max_tokens", 12}, {"n", 2}};
  auto plain = raw.Post("/v1/chat/completions", body.dump(), "application/json");
  REQUIRE(plain);
  REQUIRE(plain->status == 200);
  const Json usage = Json::parse(plain->body)["usage"];

  body["stream"] = true;
  body["stream_options"] = Json{{"include_usage", true}};
  auto res = raw.Post("/v1/chat/completions", body.dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::vector<Json> chunks;
  for (const auto& line : core::split(res->body, '\n'))
    if (!line.empty() && line != "data: [DONE]") chunks.push_back(Json::parse(line.substr(6)));
  REQUIRE(chunks.size() > 2);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    CHECK(chunks[i]["usage"].is_null());
    CHECK(chunks[i]["choices"].size() == 1);
  }
  CHECK(chunks.back()["choices"] == Json::array());
  CHECK(chunks.back()["usage"] == usage);
  CHECK(core::ends_with(res->body, "data: [DONE]\n\n"));

  // Without the option the chunks carry no usage at all.
  body.erase("stream_options");
  auto bare = raw.Post("/v1/chat/completions", body.dump(), "application/json");
  REQUIRE(bare);
  CHECK(bare->body.find("usage") == std::string::npos);
}

TEST_CASE("serve: a prompt longer than the model's context is a 400 with code context_length_exceeded", "[serve]") {
  auto& s = served();
  serve::ServerOptions options;
  options.port = 0;
  options.max_request_bytes = 1 << 20;
  serve::ChatServer roomy(*s.model, options);
  roomy.start();
  {
    std::string digits;
    for (int i = 0; i < 6000; ++i) digits += std::to_string(i % 10) + " ";
    Json body = Json{{"messages", Json::array({Json{{"role", "user"}, {"content", digits}}})}, {"max_tokens", 2}};
    check_error_body(raw_client(roomy.port()).Post("/v1/chat/completions", body.dump(), "application/json"), 400,
                     "messages", "context_length_exceeded");
  }
  roomy.stop();
}

TEST_CASE("serve: a bearer token is required when configured", "[serve]") {
  auto& s = served();
  ::setenv("CLINRL_TEST_SERVE_TOKEN", "s3cret", 1);
  serve::ServerOptions options;
  options.port = 0;
  options.api_key_env = "CLINRL_TEST_SERVE_TOKEN";
  serve::ChatServer guarded(*s.model, options);
  guarded.start();
  {  // clients close their kept-alive connections before the server stops
    auto raw = raw_client(guarded.port());
    const std::string body = R"({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2})";
    check_error_body(raw.Post("/v1/chat/completions", body, "application/json"), 401, nullptr, "invalid_api_key");
    check_error_body(raw.Get("/v1/models"), 401, nullptr, "invalid_api_key");
    check_error_body(raw.Get("/v1/models/tiny-chat"), 401, nullptr, "invalid_api_key");
    for (const std::string header : {"Bearer nope", "Bearer s3cre", "Bearer s3crett", "Bearer  s3cret", "s3cret",
                                     "Basic s3cret", "Bearer"}) {
      INFO(header);
      httplib::Headers wrong = {{"Authorization", header}};
      check_error_body(raw.Post("/v1/chat/completions", wrong, body, "application/json"), 401, nullptr,
                       "invalid_api_key");
    }
    // The scheme is case-insensitive (RFC 7235); the token is not.
    for (const std::string header : {"Bearer s3cret", "bearer s3cret", "BEARER s3cret"}) {
      INFO(header);
      auto ok = raw.Post("/v1/chat/completions", httplib::Headers{{"Authorization", header}}, body, "application/json");
      REQUIRE(ok);
      CHECK(ok->status == 200);
    }
    httplib::Headers upper = {{"Authorization", "Bearer S3CRET"}};
    check_error_body(raw.Post("/v1/chat/completions", upper, body, "application/json"), 401, nullptr,
                     "invalid_api_key");
    CHECK(raw.Get("/health")->status == 200);

    auto o = client_options(guarded.base_url());
    o.api_key_env = "CLINRL_TEST_SERVE_TOKEN";
    llm::HttpChatClient client(o);
    CHECK(client.complete(ask("hi", 0, 1, 2)).choices.size() == 1);
  }
  guarded.stop();
  guarded.stop();  // idempotent
}

TEST_CASE("http client: retries 503 and refused connections with backoff; a 400 is not retried", "[serve]") {
  httplib::Server fake;
  std::atomic<int> hits{0};
  fake.Post("/flaky/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
    if (++hits <= 2) {
      res.status = 503;
      res.set_content(R"({"error": {"message": "warming up"}})", "application/json");
      return;
    }
    res.set_content(R"({"choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"},
                        "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1}})",
                    "application/json");
  });
  fake.Post("/strict/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 400;
    res.set_content(R"({"error": {"message": "no such model", "type": "invalid_request_error"}})", "application/json");
  });
  fake.Post("/garbled/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content(R"({"choices": [{"message": {"content": 5}}]})", "application/json");
  });
  int port = fake.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { fake.listen_after_bind(); });
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  {  // clients close their kept-alive connections before the fake server stops
    llm::HttpChatClient flaky(client_options(base + "/flaky/v1"));
    auto r = flaky.complete(ask("hi", 0, 1));
    CHECK(r.choices[0].text == "fine");
    CHECK(r.choices[0].finish_reason == "stop");
    CHECK(r.prompt_tokens == 3);
    CHECK(flaky.attempts() == 3);
    CHECK(hits == 3);

    hits = 0;
    llm::HttpChatClient strict(client_options(base + "/strict/v1/"));
    try {
      strict.chat({{"user", "hi"}}, {});
      FAIL("a 400 must throw");
    } catch (const llm::HttpChatError& e) {
      CHECK(e.status() == 400);
      CHECK(e.attempts() == 1);
      CHECK_THAT(e.what(), Catch::Contains(base + "/strict/v1/chat/completions") && Catch::Contains("400") &&
                               Catch::Contains("no such model"));
  }
  CHECK(hits == 1);

  llm::HttpChatClient garbled(client_options(base + "/garbled/v1"));
  CHECK_THROWS_WITH(garbled.chat({{"user", "hi"}}, {}), Catch::Contains("unusable response") &&
                                                            Catch::Contains("content is not a string"));
  }
  fake.stop();
  thread.join();
  auto o = client_options(base + "/v1");  // nobody listens there now
  o.max_retries = 2;
  llm::HttpChatClient refused(o);
  try {
    refused.chat({{"user", "hi"}}, {});
    FAIL("a refused connection must throw");
  } catch (const llm::HttpChatError& e) {
    CHECK(e.status() == 0);
    CHECK(e.attempts() == 3);
    CHECK_THAT(e.what(), Catch::Contains("gave up after 3 attempt(s)"));
  }
  CHECK(refused.attempts() == 3);

  // The judge counts a backend call that fails for good as a failed attempt.
  o.max_retries = 0;
  llm::HttpChatClient down(o);
  rubric::LlmJudgeOptions judge_options;
  judge_options.max_attempts = 2;
  rubric::LlmJudgeGrader judge(down, judge_options);
  rubric::Rubric rubric(2);
  rubric[0].criterion = "Asks about fever.";
  rubric[0].points = 2;
  rubric[1].criterion = "Is rude.";
  rubric[1].points = -2;
  auto graded = judge.grade({{"user", "hi"}, {"assistant", "hello"}}, rubric);
  CHECK(graded.ungraded() == 2);
  CHECK(judge.requests() == 4);
  CHECK(down.attempts() == 4);

  ::unsetenv("CLINRL_TEST_NO_SUCH_KEY");
  o.api_key_env = "CLINRL_TEST_NO_SUCH_KEY";
  CHECK_THROWS_WITH(llm::HttpChatClient(o), Catch::Contains("CLINRL_TEST_NO_SUCH_KEY"));
}

TEST_CASE("serve: the LLM judge grades through the HTTP client against the served checkpoint", "[serve]") {
  auto& s = served();
  auto spec = llm::parse_language_model_spec(s.server->base_url());
  CHECK(spec.backend == "http");
  auto judge_model = llm::open_language_model(spec);
  auto* client = dynamic_cast<llm::HttpChatClient*>(judge_model.get());
  REQUIRE(client);
  rubric::LlmJudgeOptions options;
  options.max_attempts = 3;
  options.chat.max_tokens = 12;
  rubric::LlmJudgeGrader judge(*judge_model, options);
  rubric::Rubric rubric(3);
  rubric[0].criterion = "Asks about fever.";
  rubric[0].points = 5;
  rubric[1].criterion = "Recommends rest.";
  rubric[1].points = 3;
  rubric[2].criterion = "Prescribes antibiotics without cause.";
  rubric[2].points = -4;
  const auto before = s.server->stats();
  auto result = judge.grade({{"user", "I have a cough."}, {"assistant", "Do you have a fever?"}}, rubric);
  // The tiny model's answers are never JSON: every item is tried max_attempts times, then left ungraded.
  REQUIRE(result.items.size() == 3);
  CHECK(result.ungraded() == 3);
  for (const auto& item : result.items)
    CHECK(item.explanation == "ungraded: no usable judge answer after 3 attempt(s)");
  CHECK(judge.requests() == 9);
  CHECK(client->attempts() == 9);
  const auto after = s.server->stats();
  CHECK(after.requests - before.requests == 9);
  CHECK(after.completions - before.completions == 9);
}

TEST_CASE("serve: 8 concurrent clients get the answers one client gets", "[serve]") {
  auto& s = served();
  const int clients = 8, per_client = 3;
  auto request_of = [](int c, int i) { return ask("hello " + std::to_string(i), 0.8, 100 * c + i, 12); };
  std::vector<std::vector<std::string>> alone(clients), together(clients);
  {
    llm::HttpChatClient one(client_options(s.server->base_url()));
    for (int c = 0; c < clients; ++c)
      for (int i = 0; i < per_client; ++i) alone[c].push_back(one.complete(request_of(c, i)).choices[0].text);
  }
  const auto before = s.server->stats();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      llm::HttpChatClient mine(client_options(s.server->base_url()));
      for (int i = 0; i < per_client; ++i) together[c].push_back(mine.complete(request_of(c, i)).choices[0].text);
    });
  for (auto& t : threads) t.join();
  for (int c = 0; c < clients; ++c) CHECK(together[c] == alone[c]);
  const auto after = s.server->stats();
  CHECK(after.batched_requests - before.batched_requests == clients * per_client);
  // Batching happened: 24 requests from 8 concurrent clients shared generation calls.
  INFO("24 concurrent requests went out in " << after.batches - before.batches << " batches");
  CHECK(after.batches - before.batches < clients * per_client);
}

namespace {
// The bytes of a logprobs entry, from its "bytes" list.
std::string bytes_of(const Json& entry) {
  std::string out;
  for (const auto& b : entry["bytes"]) out += static_cast<char>(b.get<int>());
  return out;
}
}  // namespace

TEST_CASE("serve: logprobs and top_logprobs, plain and streamed, as OpenAI's chat completions give them", "[serve]") {
  auto& s = served();
  auto raw = raw_client(s.server->port());
  const Json messages = Json::array({Json{{"role", "user"}, {"content", "hello world"}}});
  Json body = Json{{"messages", messages}, {"temperature", 0.9}, {"seed", 8}, {"max_tokens", 10},
                   {"logprobs", true}, {"top_logprobs", 2}};
  auto res = raw.Post("/v1/chat/completions", body.dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  Json j = Json::parse(res->body);
  const Json& choice = j["choices"][0];
  REQUIRE(choice["logprobs"].is_object());
  const Json& content = choice["logprobs"]["content"];
  REQUIRE(content.is_array());

  // The same request to the local model: the same tokens, log-probs and alternatives.
  llm::CompletionRequest request = ask("hello world", 0.9, 8, 10);
  request.logprobs = true;
  request.top_logprobs = 2;
  auto local = s.model->complete({request})[0].choices[0];
  REQUIRE(content.size() == local.logprobs.size());
  const int64_t eot = choice["finish_reason"] == "stop" ? 1 : 0;
  CHECK(static_cast<int64_t>(content.size()) == j["usage"]["completion_tokens"].get<int64_t>() - eot);
  for (size_t t = 0; t < content.size(); ++t) {
    const Json& e = content[t];
    CHECK(e["token"].is_string());
    CHECK(bytes_of(e) == local.logprobs[t].bytes);
    CHECK(e["logprob"].get<float>() == Approx(local.logprobs[t].logprob).margin(1e-6));
    CHECK(e["logprob"].get<float>() <= 0.0f);
    REQUIRE(e["top_logprobs"].size() == 2);
    CHECK(e["top_logprobs"][0]["logprob"].get<float>() >= e["top_logprobs"][1]["logprob"].get<float>());
    CHECK(e["top_logprobs"][0]["logprob"].get<float>() >= e["logprob"].get<float>() - 1e-6f);
    CHECK(e["top_logprobs"][0]["bytes"].is_array());
    CHECK(e["top_logprobs"][0]["token"].is_string());
  }

  SECTION("streamed chunks carry the same entries, in order") {
    Json streamed_body = body;
    streamed_body["stream"] = true;
    auto sres = raw.Post("/v1/chat/completions", streamed_body.dump(), "application/json");
    REQUIRE(sres);
    REQUIRE(sres->status == 200);
    Json entries = Json::array();
    for (const auto& line : core::split(sres->body, '\n')) {
      if (line.empty() || line == "data: [DONE]") continue;
      Json chunk = Json::parse(line.substr(6));
      const Json& lp = chunk["choices"][0]["logprobs"];
      if (lp.is_null()) continue;
      for (const auto& e : lp["content"]) entries.push_back(e);
    }
    CHECK(entries == content);
  }
  SECTION("without logprobs the field is null") {
    auto plain = raw.Post("/v1/chat/completions", Json{{"messages", messages}, {"max_tokens", 2}}.dump(), "application/json");
    REQUIRE(plain);
    CHECK(Json::parse(plain->body)["choices"][0]["logprobs"].is_null());
  }
  SECTION("bad values are 400s naming the field") {
    const std::string msg = R"("messages": [{"role": "user", "content": "hi"}])";
    for (const auto& [text, param] : std::vector<std::pair<std::string, std::string>>{
             {"{" + msg + R"(, "logprobs": true, "top_logprobs": 21})", "top_logprobs"},
             {"{" + msg + R"(, "logprobs": true, "top_logprobs": -1})", "top_logprobs"},
             {"{" + msg + R"(, "logprobs": true, "top_logprobs": 1.5})", "top_logprobs"},
             {"{" + msg + R"(, "top_logprobs": 2})", "top_logprobs"},
             {"{" + msg + R"(, "logprobs": "yes"})", "logprobs"}}) {
      INFO(text);
      check_error_body(raw.Post("/v1/chat/completions", text, "application/json"), 400, param);
    }
  }
}
