#include "clinrl/dist/process_group.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

// The headers hide the Gloo process group behind this macro, which torch's
// CMake config normally passes; a config that does not still gets it here.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "clinrl/core/error.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"

namespace clinrl::dist {
namespace {

std::string first_line(const std::string& s) {
  // c10::Error messages carry a C++ backtrace after the first line.
  auto end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

class SingleProcess final : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  int local_world_size() const override { return 1; }
  void all_reduce_sum(std::vector<torch::Tensor>&) override {}
  void broadcast(std::vector<torch::Tensor>&, int) override {}
  std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor) override { return {tensor.clone()}; }
  void barrier() override {}
};

// Every rank bumps its counter in the store once a second from its own store
// connection; after a failed collective, the ranks whose counter stopped are
// the lost ones (a collective error from Gloo names an address, not a rank).
class Heartbeat {
 public:
  static constexpr std::chrono::milliseconds kPeriod{500};

  Heartbeat(const LaunchEnv& env, std::chrono::milliseconds timeout) : rank_(env.rank), world_(env.world_size) {
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(env.master_port);
    o.isServer = false;
    o.waitWorkers = false;
    o.timeout = timeout;
    store_ = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
    thread_ = std::thread([this] { run(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // The ranks whose heartbeat did not move over a few periods; {0} when the
  // store itself (hosted by rank 0) is gone.
  std::vector<int> silent_ranks() {
    try {
      auto first = counters();
      std::this_thread::sleep_for(kPeriod * 4);
      auto second = counters();
      std::vector<int> silent;
      for (int r = 0; r < world_; ++r)
        if (r != rank_ && second[static_cast<size_t>(r)] == first[static_cast<size_t>(r)]) silent.push_back(r);
      return silent;
    } catch (const std::exception&) {
      return rank_ == 0 ? std::vector<int>{} : std::vector<int>{0};
    }
  }

 private:
  static std::string key(int r) { return core::format("clinrl/heartbeat/{}", r); }
  std::vector<int64_t> counters() {
    std::lock_guard<std::mutex> lock(store_mutex_);
    std::vector<int64_t> out;
    for (int r = 0; r < world_; ++r) out.push_back(store_->add(key(r), 0));
    return out;
  }
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      try {
        std::lock_guard<std::mutex> store_lock(store_mutex_);
        store_->add(key(rank_), 1);
      } catch (const std::exception&) {
        return;  // the store is gone; silent_ranks() reports it
      }
      wake_.wait_for(lock, kPeriod, [this] { return stop_; });
    }
  }

  int rank_, world_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::mutex mutex_, store_mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

std::shared_ptr<::gloo::transport::Device> gloo_device() {
  // The C++ API does not read GLOO_SOCKET_IFNAME by itself (the Python one does).
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
    try {
      return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    } catch (const std::exception& e) {
      throw UserError(core::format("GLOO_SOCKET_IFNAME={}: no usable network interface of that name ({})", ifname,
                                   first_line(e.what())));
    }
  }
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  try {
    return c10d::ProcessGroupGloo::createDeviceForHostname(host);
  } catch (const std::exception& e) {
    throw UserError(core::format("the hostname {} does not resolve to an address Gloo can bind ({}); set "
                                 "GLOO_SOCKET_IFNAME to the network interface to use",
                                 host, first_line(e.what())));
  }
}

class GlooGroup final : public ProcessGroup {
 public:
  GlooGroup(const LaunchEnv& env, std::chrono::milliseconds timeout) : env_(env), timeout_(timeout) {
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(env.master_port);
    o.isServer = env.rank == 0;
    o.numWorkers = static_cast<size_t>(env.world_size);
    o.waitWorkers = true;
    o.timeout = timeout;
    const std::string where = core::format("{}:{}", env.master_addr, env.master_port);
    try {
      store_ = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
    } catch (const std::exception& e) {
      const std::string why = first_line(e.what());
      if (env.rank == 0 && why.find("in use") != std::string::npos)
        throw UserError(core::format("MASTER_PORT {}: the port is already in use on this machine ({})",
                                     env.master_port, why));
      if (env.rank == 0)
        throw UserError(core::format("rank 0 could not host the rendezvous store on {} ({})", where, why));
      throw UserError(core::format("rank {} could not reach the master at {} within {} s ({})", env.rank, where,
                                   timeout.count() / 1000.0, why));
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device());
    options->threads = 1;
    try {
      pg_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, env.rank, env.world_size, options);
    } catch (const std::exception& e) {
      throw UserError(core::format("rank {}: the Gloo process group did not form within {} s ({})", env.rank,
                                   timeout.count() / 1000.0, first_line(e.what())));
    }
    heartbeat_ = std::make_unique<Heartbeat>(env, timeout);
    log::info("dist: rank {} of {} joined through {} (Gloo)", env.rank, env.world_size, where);
  }

  int rank() const override { return env_.rank; }
  int world_size() const override { return env_.world_size; }
  int local_world_size() const override { return env_.local_world_size; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) {
      std::vector<torch::Tensor> one{t};
      finish("all_reduce", pg_->allreduce(one));
    }
  }
  void broadcast(std::vector<torch::Tensor>& tensors, int root) override {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    for (auto& t : tensors) {
      std::vector<torch::Tensor> one{t};
      finish("broadcast", pg_->broadcast(one, o));
    }
  }
  std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor) override {
    std::vector<torch::Tensor> input{tensor.contiguous()};
    std::vector<std::vector<torch::Tensor>> output(1);
    for (int r = 0; r < env_.world_size; ++r) output[0].push_back(torch::empty_like(input[0]));
    finish("all_gather", pg_->allgather(output, input));
    return output[0];
  }
  void barrier() override { finish("barrier", pg_->barrier()); }

 private:
  void finish(const char* op, const c10::intrusive_ptr<c10d::Work>& work) {
    try {
      work->wait(timeout_);
    } catch (const std::exception& e) {
      const std::string why = first_line(e.what());
      std::vector<int> lost = heartbeat_->silent_ranks();
      std::string names;
      for (int r : lost) names += (names.empty() ? "" : ", ") + std::to_string(r);
      throw CollectiveError(
          lost.empty()
              ? core::format("rank {}: {} failed within the {} s timeout and every peer still answers ({})", env_.rank,
                             op, timeout_.count() / 1000.0, why)
              : core::format("rank {}: lost rank {} during {} (no answer within the {} s timeout or connection closed: {})",
                             env_.rank, names, op, timeout_.count() / 1000.0, why));
    }
  }

  LaunchEnv env_;
  std::chrono::milliseconds timeout_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  std::unique_ptr<Heartbeat> heartbeat_;
};

std::shared_ptr<ProcessGroup>& world_slot() {
  static std::shared_ptr<ProcessGroup> group = ProcessGroup::single();
  return group;
}

}  // namespace

std::shared_ptr<ProcessGroup> ProcessGroup::single() { return std::make_shared<SingleProcess>(); }

std::shared_ptr<ProcessGroup> ProcessGroup::connect(const LaunchEnv& env, std::chrono::milliseconds timeout) {
  env.validate();
  if (env.world_size == 1) return single();
  return std::make_shared<GlooGroup>(env, timeout);
}

std::vector<std::string> ProcessGroup::all_gather_bytes(const std::string& bytes) {
  if (world_size() == 1) return {bytes};
  // Lengths first, then every rank's bytes padded to the longest.
  auto lengths = all_gather(torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kInt64));
  int64_t longest = 0;
  for (auto& l : lengths) longest = std::max(longest, l.item<int64_t>());
  auto mine = torch::zeros({std::max<int64_t>(1, longest)}, torch::kUInt8);
  std::memcpy(mine.data_ptr(), bytes.data(), bytes.size());
  auto all = all_gather(mine);
  std::vector<std::string> out;
  for (size_t r = 0; r < all.size(); ++r)
    out.emplace_back(static_cast<const char*>(all[r].data_ptr()), static_cast<size_t>(lengths[r].item<int64_t>()));
  return out;
}

double ProcessGroup::sum(double value) {
  if (world_size() == 1) return value;
  std::vector<torch::Tensor> t{torch::tensor({value}, torch::kFloat64)};
  all_reduce_sum(t);
  return t[0].item<double>();
}

ProcessGroup& world() { return *world_slot(); }
void set_world(std::shared_ptr<ProcessGroup> group) { world_slot() = group ? std::move(group) : ProcessGroup::single(); }

}  // namespace clinrl::dist
