// Model benchmark: decode throughput, KV-cache speedup and training-step
// efficiency, each printed next to a baseline measured in the same run (the
// machine's fp32 GEMM rate through the same libtorch on the CPU; on CUDA the
// square matmul rate in the benchmark's own dtype; or the same work without
// the cache).
//   bench_model [--threads N] [--device cpu|cuda] [--dtype float32|bfloat16|auto]
//               [--model-config F] [--batches 1,8,32]
//               [--decode-tokens 64] [--kv-tokens 256] [--kv-batch 8] [--train-batch 8] [--train-len 256]
// --model-config F (an HF config.json, e.g. a Qwen2.5-0.5B shape) benchmarks
// decode and the train step on that model instead of the tiny and small presets.
#include <torch/torch.h>

#include <chrono>
#include <iostream>
#include <string>

#include "clinrl/core/process_memory.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/device.h"
#include "clinrl/model/generation.h"
#include "clinrl/model/runtime.h"
#include "clinrl/model/token_logprobs.h"
#include "clinrl/model/transformer.h"

using namespace clinrl;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double peak_rss_mib() { return core::peak_resident_mb().value_or(0); }

double round1(double x) { return static_cast<int64_t>(x * 10 + 0.5) / 10.0; }

std::vector<int64_t> prompt(int64_t length, int64_t vocab, int64_t row) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < length; ++i) out.push_back((row * 131 + i * 17 + 5) % vocab);
  return out;
}

// A preset name (configs/model/NAME.json) or a path to an HF config.json.
std::string config_path(const std::string& preset) {
  if (preset.find('/') != std::string::npos || preset.find(".json") != std::string::npos) return preset;
  return std::string(CLINRL_SOURCE_DIR) + "/configs/model/" + preset + ".json";
}

model::Transformer make(const std::string& preset, torch::Device device, torch::Dtype dtype) {
  auto options = model::load_hf_config(config_path(preset));
  model::Transformer m(options);
  m->to(device, dtype);
  m->eval();
  return m;
}

model::SamplerOptions greedy_sampler() {
  model::SamplerOptions s;
  s.temperature = 0;
  return s;
}

// Generates `tokens` new tokens for `batch` sequences with the cache; returns seconds.
double cached_decode(model::Transformer& m, int64_t batch, int64_t prompt_len, int64_t tokens,
                     const model::SamplerOptions& sampler = greedy_sampler()) {
  model::GenerationSession session(m);
  std::vector<int64_t> seqs;
  for (int64_t b = 0; b < batch; ++b) {
    seqs.push_back(session.add());
    session.append(seqs.back(), prompt(prompt_len, m->options().vocab_size, b));
  }
  session.prefill(seqs);
  model::StopOptions stop;
  stop.max_new_tokens = tokens;
  auto start = Clock::now();
  session.generate(seqs, sampler, stop);
  return seconds_since(start);
}

// The same greedy decode, recomputing the whole prefix for every new token.
double uncached_decode(model::Transformer& m, int64_t batch, int64_t prompt_len, int64_t tokens) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> rows;
  for (int64_t b = 0; b < batch; ++b) rows.push_back(torch::tensor(prompt(prompt_len, m->options().vocab_size, b)));
  auto ids = torch::stack(rows).to(m->device());
  auto start = Clock::now();
  for (int64_t t = 0; t < tokens; ++t) {
    model::ForwardArgs a;
    a.ids = ids;
    a.positions = torch::arange(ids.size(1), ids.options()).unsqueeze(0).expand({batch, ids.size(1)});
    a.mask = model::causal_mask({}, ids.size(1), ids.device());
    a.logits = false;
    auto out = m->run(a);
    auto next = m->project(out.hidden.select(1, ids.size(1) - 1)).argmax(-1, true);
    ids = torch::cat({ids, next}, 1);
  }
  return seconds_since(start);
}

// Square matmuls of `size` in `dtype` on `device` for about `seconds`:
// the rate the model's own matmuls can at best reach there. The final .item()
// waits for the device's queue, so the time covers the work.
double matmul_gflops(torch::Device device, torch::Dtype dtype, int64_t size, double seconds) {
  torch::NoGradGuard no_grad;
  auto opts = torch::TensorOptions().device(device).dtype(dtype);
  auto a = torch::randn({size, size}, opts), b = torch::randn({size, size}, opts);
  auto c = torch::matmul(a, b);
  (void)c.sum().item<float>();  // warm-up (kernel selection)
  int64_t repeats = 0;
  auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 10; ++i) c = torch::matmul(a, b);
    (void)c.sum().item<float>();
    repeats += 10;
    elapsed = seconds_since(start);
  }
  return 2.0 * static_cast<double>(size) * static_cast<double>(size) * static_cast<double>(size) *
         static_cast<double>(repeats) / elapsed / 1e9;
}

std::vector<int64_t> parse_list(const std::string& text) {
  std::vector<int64_t> out;
  for (const auto& part : core::split(text, ',')) out.push_back(std::stoll(part));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  std::string device_name = "cpu", dtype_name = "float32", model_config;
  std::vector<int64_t> batches = {1, 8, 32};
  int64_t decode_tokens = 64, kv_tokens = 256, kv_batch = 8, train_batch = 8, train_len = 256;
  for (int i = 1; i < argc; i += 2) {
    std::string k = argv[i], v = i + 1 < argc ? argv[i + 1] : "";
    if (k == "--threads") threads = std::stoi(v);
    else if (k == "--device") device_name = v;
    else if (k == "--dtype") dtype_name = v;
    else if (k == "--model-config") model_config = v;
    else if (k == "--batches") batches = parse_list(v);
    else if (k == "--decode-tokens") decode_tokens = std::stoll(v);
    else if (k == "--kv-tokens") kv_tokens = std::stoll(v);
    else if (k == "--kv-batch") kv_batch = std::stoll(v);
    else if (k == "--train-batch") train_batch = std::stoll(v);
    else if (k == "--train-len") train_len = std::stoll(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  model::set_threads(threads);
  const torch::Device device = model::parse_device(device_name);
  dtype_name = model::resolve_dtype_name(dtype_name, device_name);
  const auto dtype = model::parse_dtype(dtype_name);
  if (device.is_cuda() && !torch::cuda::is_available()) {
    std::cerr << "bench_model: --device " << device_name << " but this libtorch sees no CUDA device\n";
    return 2;
  }
  auto info = model::runtime_info();
  std::cout << core::format("runtime: libtorch {}, {} threads, device {}, dtype {}\n", info.torch_version,
                            info.threads, device_name, dtype_name);
  // The GEMM baseline is re-measured right before each section: on a shared
  // machine the available CPU changes from minute to minute.
  model::GemmRate gemm;
  auto baseline = [&] {
    if (device.is_cpu()) {
      gemm = model::measure_gemm_rate(1.0, 1024);
      std::cout << core::format("baseline fp32 GEMM rate (1024x1024 on the CPU): {} GFLOP/s\n", round1(gemm.gflops));
    } else {
      gemm.gflops = matmul_gflops(device, dtype, 4096, 1.0);
      std::cout << core::format("baseline {} matmul rate (4096x4096 on {}): {} GFLOP/s\n", dtype_name, device_name,
                                round1(gemm.gflops));
    }
  };
  const std::vector<std::string> decode_models =
      model_config.empty() ? std::vector<std::string>{"tiny", "small"} : std::vector<std::string>{model_config};
  const std::string train_model = model_config.empty() ? "small" : model_config;

  for (const std::string& preset : decode_models) {
    baseline();
    auto m = make(preset, device, dtype);
    int64_t params = model::parameter_count(m->options());
    for (int64_t batch : batches) {
      double s = cached_decode(m, batch, 16, decode_tokens);
      double tps = batch * decode_tokens / s;
      double gflops = 2.0 * params * tps / 1e9;
      std::cout << core::format("decode {} batch {}: {} tokens/s ({} GFLOP/s = {}% of measured GEMM rate)\n", preset,
                                batch, static_cast<int64_t>(tps), round1(gflops), round1(100 * gflops / gemm.gflops));
      std::cout.flush();
    }
    // Sampling on the device (temperature, top-k, top-p, Gumbel noise) against greedy decoding of the same work.
    model::SamplerOptions sampled;
    sampled.top_k = 50;
    sampled.top_p = 0.9;
    for (int64_t batch : {8, 32}) {
      double greedy_s = cached_decode(m, batch, 16, decode_tokens);
      double sampled_s = cached_decode(m, batch, 16, decode_tokens, sampled);
      std::cout << core::format("decode {} batch {} sampled (top-k 50, top-p 0.9): {} tokens/s = {}x greedy's {}\n", preset,
                                batch, static_cast<int64_t>(batch * decode_tokens / sampled_s),
                                round1(greedy_s / sampled_s * 100) / 100,
                                static_cast<int64_t>(batch * decode_tokens / greedy_s));
      std::cout.flush();
    }
  }
  {
    auto m = make("tiny", device, dtype);
    double cached = cached_decode(m, kv_batch, 32, kv_tokens);
    double uncached = uncached_decode(m, kv_batch, 32, kv_tokens);
    std::cout << core::format(
        "kv-cache speedup: {}x ({} new tokens, batch {}, tiny; {} s cached vs {} s recomputing the prefix)\n",
        round1(uncached / cached), kv_tokens, kv_batch, round1(cached * 10) / 10, round1(uncached * 10) / 10);
    std::cout.flush();
  }
  {
    auto m = make(train_model, device, dtype);
    m->train();
    torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-4));
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < train_batch; ++b)
      rows.push_back(torch::tensor(prompt(train_len, m->options().vocab_size, b)));
    auto ids = torch::stack(rows).to(device);
    auto step = [&] {
      auto loss = -model::token_logprobs(m, ids).sum() / static_cast<double>(ids.numel());
      opt.zero_grad();
      loss.backward();
      opt.step();
      (void)loss.item<float>();
    };
    step();  // warm-up
    baseline();
    const int steps = 3;
    auto start = Clock::now();
    for (int i = 0; i < steps; ++i) step();
    double s = seconds_since(start) / steps;
    const auto& o = m->options();
    double tokens = static_cast<double>(ids.numel());
    // 6N per token for the weight products (forward 2N, backward 4N) plus the
    // attention score and mixing products (12 * layers * T * heads * head_dim).
    double flops = tokens * (6.0 * model::parameter_count(o) +
                             12.0 * o.num_hidden_layers * train_len * o.num_attention_heads * o.effective_head_dim());
    double gflops = flops / s / 1e9;
    std::cout << core::format(
        "train step ({}, batch {} x {} tokens, AdamW): {}% of measured GEMM rate ({} of {} GFLOP/s, {} s/step)\n",
        train_model, train_batch, train_len, round1(100 * gflops / gemm.gflops), round1(gflops), round1(gemm.gflops),
        round1(s));
    const double bytes = dtype == torch::kFloat32 ? 4.0 : 2.0;
    double param_mib = static_cast<double>(model::parameter_count(o)) * bytes / (1024 * 1024);
    std::cout << core::format("peak memory: {} MiB resident on the host ({}'s {} parameters alone: {} MiB)\n",
                              static_cast<int64_t>(peak_rss_mib()), train_model, dtype_name,
                              static_cast<int64_t>(param_mib));
  }
  return 0;
}
