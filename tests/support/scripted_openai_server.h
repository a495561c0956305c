#pragma once
// An OpenAI-compatible chat server on loopback for tests and benchmarks
// (header only): every POST /v1/chat/completions is answered by `reply`
// (the request's messages in, the assistant's content out), after an
// optional delay; GET /v1/models answers 200. It counts chat requests.
// A script that throws answers 400 with the exception's message.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "clinrl/core/json_io.h"
#include "clinrl/core/language_model.h"

namespace clinrl::test {

class ScriptedOpenAiServer {
 public:
  using Reply = std::function<std::string(const core::Conversation& messages)>;

  explicit ScriptedOpenAiServer(Reply reply, double delay_s = 0) : reply_(std::move(reply)), delay_s_(delay_s) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"object": "list", "data": [{"id": "scripted", "object": "model"}]})", "application/json");
    });
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (delay_s_ > 0) std::this_thread::sleep_for(std::chrono::duration<double>(delay_s_));
      try {
        res.set_content(answer(req.body), "application/json");
      } catch (const std::exception& e) {
        res.status = 400;
        res.set_content(core::Json{{"error", {{"message", std::string("scripted server: ") + e.what()}}}}.dump(),
                        "application/json");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost, and the destructor would wait forever.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedOpenAiServer() {
    server_.stop();
    thread_.join();
  }
  ScriptedOpenAiServer(const ScriptedOpenAiServer&) = delete;
  ScriptedOpenAiServer& operator=(const ScriptedOpenAiServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  size_t requests() const { return requests_.load(); }

 private:
  std::string answer(const std::string& request_body) const {
    core::Json body = core::Json::parse(request_body);
    core::Conversation messages;
    for (const auto& m : body.at("messages"))
      messages.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    core::Json message = {{"role", "assistant"}, {"content", reply_(messages)}};
    core::Json choice = {{"index", 0}, {"message", message}, {"finish_reason", "stop"}};
    core::Json out = {{"id", "chatcmpl-scripted"},
                      {"object", "chat.completion"},
                      {"model", "scripted"},
                      {"choices", core::Json::array({choice})}};
    return out.dump();
  }

  Reply reply_;
  double delay_s_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<size_t> requests_{0};
};

}  // namespace clinrl::test
