// Server throughput under concurrent clients, against one client in the same
// run (the batching gain). The server runs in this process on loopback with
// the tiny model preset (random weights, so every reply runs to max_tokens);
// the load comes from a second process (this program again, --client mode),
// so client work never competes with the server for the same locks.
//
//   bench_serve [--requests 50] [--clients 8] [--max-new-tokens 32] [--batch-wait-ms 5] [--threads T]
//
// Prints one machine-readable line per load and one with the gain:
//   serve load clients=1 requests=50 seconds=... requests_per_s=... p50_ms=... p99_ms=...
//   serve batching_gain=... (8-client requests/s over 1-client requests/s) mean_batch=...
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "clinrl/core/strings.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/runtime.h"
#include "clinrl/serve/chat_server.h"
#include "clinrl/llm/http_chat_client.h"

using namespace clinrl;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int64_t arg(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stoll(argv[i + 1]);
  return fallback;
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// --client URL CLIENTS REQUESTS MAX_TOKENS: CLIENTS threads send REQUESTS
// requests each, one after another; prints "seconds p50_ms p99_ms".
int client_main(const std::string& url, int clients, int requests, int max_tokens) {
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::atomic<int> failures{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      llm::HttpClientOptions o;
      o.base_url = url;
      o.max_retries = 0;
      llm::HttpChatClient client(o);
      for (int i = 0; i < requests; ++i) {
        llm::CompletionRequest r;
        r.messages = {{"system", "You are a careful doctor."},
                      {"user", core::format("I have had a cough for {} days and a mild fever. What should I do?", i % 9 + 1)}};
        r.temperature = 0.8;
        r.seed = static_cast<uint64_t>(1000 * c + i);
        r.max_tokens = max_tokens;
        auto t = Clock::now();
        try {
          client.complete(r);
        } catch (const std::exception& e) {
          if (failures++ == 0) std::cerr << "client: " << e.what() << "\n";
        }
        latencies[static_cast<size_t>(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
      }
    });
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::cout << seconds << " " << percentile(all, 0.5) << " " << percentile(all, 0.99) << " " << failures.load() << "\n";
  return failures.load() == 0 ? 0 : 1;
}

struct Load {
  double seconds = 0, p50 = 0, p99 = 0;
  int failures = 0;
};

Load run_clients(const std::string& self, const std::string& url, int clients, int requests, int max_tokens) {
  std::string command = core::format("'{}' --client {} {} {} {}", self, url, clients, requests, max_tokens);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start the client process");
  Load load;
  int fields = std::fscanf(pipe, "%lf %lf %lf %d", &load.seconds, &load.p50, &load.p99, &load.failures);
  int status = ::pclose(pipe);
  if (fields != 4 || status != 0) throw std::runtime_error(core::format("client process failed (status {})", status));
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 6 && std::strcmp(argv[1], "--client") == 0)
    return client_main(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]));

  const int requests = static_cast<int>(arg(argc, argv, "--requests", 50));
  const int clients = static_cast<int>(arg(argc, argv, "--clients", 8));
  if (arg(argc, argv, "--max-tokens", -1) >= 0) std::cerr << "bench_serve: --max-tokens is deprecated, use --max-new-tokens\n";
  const int max_tokens = static_cast<int>(arg(argc, argv, "--max-new-tokens", arg(argc, argv, "--max-tokens", 32)));
  model::set_threads(static_cast<int>(arg(argc, argv, "--threads", 0)));
  const fs::path source(CLINRL_SOURCE_DIR);
  fs::path scratch = fs::temp_directory_path() / ("clinrl-bench-serve-" + std::to_string(::getpid()));
  fs::create_directories(scratch);

  // Tiny model preset with random weights and a small tokenizer.
  std::vector<std::string> corpus;
  for (int i = 0; i < 50; ++i)
    corpus.push_back(core::format("Patient {} reports a cough, a fever and a sore throat for {} days; the doctor asks "
                                  "about shortness of breath, chest pain and medications.",
                                  i, i % 7 + 1));
  model::BpeTrainOptions tok;
  tok.vocab_size = 600;
  model::train_bpe(corpus, tok).save(scratch / "tokenizer.json");
  auto options = model::load_hf_config(source / "configs/model/tiny.json");
  options.vocab_size = tok.vocab_size;
  model::Transformer m(options);
  m->initialize(1);
  model::save_checkpoint(m, scratch / "tiny", scratch / "tokenizer.json");

  llm::LocalModelOptions lm;
  lm.checkpoint = (scratch / "tiny").string();
  auto model = llm::LocalLanguageModel::load(lm);
  serve::ServerOptions so;
  so.port = 0;
  so.batch_wait_ms = arg(argc, argv, "--batch-wait-ms", so.batch_wait_ms);
  serve::ChatServer server(*model, so);
  server.start();
  const std::string self = fs::read_symlink("/proc/self/exe").string();

  run_clients(self, server.base_url(), 1, 3, max_tokens);  // warm-up
  auto stats0 = server.stats();
  Load one = run_clients(self, server.base_url(), 1, requests, max_tokens);
  auto stats1 = server.stats();
  Load many = run_clients(self, server.base_url(), clients, requests, max_tokens);
  auto stats2 = server.stats();
  server.stop();

  auto report = [&](int c, const Load& l) {
    double rps = c * requests / l.seconds;
    std::cout << core::format("serve load clients={} requests={} seconds={} requests_per_s={} p50_ms={} p99_ms={} "
                              "failures={}\n",
                              c, c * requests, l.seconds, rps, l.p50, l.p99, l.failures);
    return rps;
  };
  double rps1 = report(1, one);
  double rpsn = report(clients, many);
  double mean_batch1 = static_cast<double>(stats1.batched_requests - stats0.batched_requests) /
                       static_cast<double>(std::max<int64_t>(1, stats1.batches - stats0.batches));
  double mean_batchn = static_cast<double>(stats2.batched_requests - stats1.batched_requests) /
                       static_cast<double>(std::max<int64_t>(1, stats2.batches - stats1.batches));
  std::cout << core::format("serve batching_gain={} ({}-client requests/s over 1-client requests/s) "
                            "mean_batch_1={} mean_batch_{}={} max_tokens={} batch_wait_ms={} threads={}\n",
                            rpsn / rps1, clients, mean_batch1, clients, mean_batchn, max_tokens, so.batch_wait_ms,
                            model::runtime_info().threads);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return one.failures + many.failures == 0 ? 0 : 1;
}
