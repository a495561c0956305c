// clinrl serve: an OpenAI-compatible HTTP server for a checkpoint.
#include <iostream>

#include "clinrl/core/logging.h"
#include "clinrl/serve/chat_server.h"
#include "stop_signals.h"
#include "clinrl/llm/local_language_model.h"
#include "command.h"
#include "model_load_args.h"

namespace clinrl::cli {
namespace {

const bool registered = register_command({"serve", "serve a checkpoint over an OpenAI-compatible HTTP API",
    [](CLI::App& app) {
      struct Args {
        llm::LocalModelOptions model;
        serve::ServerOptions server;
        ModelLoadArgs load;
      };
      auto a = std::make_shared<Args>();
      a->load.add_to(app, "the model to serve", "");
      app.add_option("--host", a->server.host, "address to bind (127.0.0.1: this machine only)");
      app.add_option("--port", a->server.port, "port to bind (0: any free port)");
      app.add_option("--api-key-env", a->server.api_key_env,
                     "environment variable holding a bearer token clients must send");
      app.add_option("--max-batch", a->server.max_batch, "most choices generated together");
      app.add_option("--batch-wait-ms", a->server.batch_wait_ms, "how long a batch waits for more requests");
      app.add_option("--max-request-bytes", a->server.max_request_bytes, "largest request body accepted");
      app.add_option("--http-threads", a->server.threads, "HTTP connection threads (a streaming reply holds one)");
      app.add_option("--model-name", a->server.model_name, "model name reported (default: the checkpoint's name)");
      app.add_option("--system", a->model.load.chat.default_system, "system message when a conversation has none");
      app.callback([a] {
        block_stop_signals();  // before any thread starts (torch's too), so only sigwait sees them
        a->model.checkpoint = a->load.required_checkpoint();
        a->load.apply(a->model.load);
        a->model.max_batch = a->server.max_batch;
        auto model = llm::LocalLanguageModel::load(a->model);
        serve::ChatServer server(*model, a->server);
        server.start();
        log::info("serving {} at {} (Ctrl-C stops)", model->model_name(), server.base_url());
        int signal = wait_for_stop_signal();
        log::info("signal {}: stopping", signal);
        server.stop();
        log::info("stopped after {} requests", server.stats().requests);
      });
    }});

}  // namespace
}  // namespace clinrl::cli
