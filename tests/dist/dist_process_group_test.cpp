#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <future>
#include <thread>

#include "clinrl/core/error.h"
#include "clinrl/dist/dist_options.h"
#include "clinrl/dist/process_group.h"
#include "clinrl/dist/tensor_buckets.h"

using namespace clinrl;
using Catch::Matchers::Contains;

namespace {

// A port nobody listens on right now (the kernel picks it).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

dist::LaunchEnv env_of(int rank, int world, int port) {
  dist::LaunchEnv env;
  env.rank = rank;
  env.world_size = world;
  env.local_rank = rank;
  env.local_world_size = world;
  env.master_addr = "127.0.0.1";
  env.master_port = port;
  return env;
}

// Runs `body` on two ranks (threads of this process, each its own Gloo group on loopback).
void on_two_ranks(const std::function<void(dist::ProcessGroup&)>& body) {
  setenv("GLOO_SOCKET_IFNAME", "lo", 1);
  const int port = free_port();
  auto rank = [&](int r) {
    auto group = dist::ProcessGroup::connect(env_of(r, 2, port), std::chrono::seconds(20));
    body(*group);
  };
  auto other = std::async(std::launch::async, rank, 1);
  rank(0);
  other.get();
}

class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~EnvVar() { unsetenv(name_); }

 private:
  const char* name_;
};

}  // namespace

TEST_CASE("dist: a world of one needs no environment and its collectives are the identity", "[dist]") {
  auto group = dist::ProcessGroup::single();
  CHECK(group->world_size() == 1);
  CHECK(group->is_main());
  std::vector<torch::Tensor> t{torch::ones({3})};
  group->all_reduce_sum(t);
  CHECK(t[0].sum().item<double>() == 3.0);
  CHECK(group->all_gather_bytes("abc") == std::vector<std::string>{"abc"});
  CHECK(group->sum(2.5) == 2.5);
  // connect() on a world of one opens no store.
  CHECK(dist::ProcessGroup::connect(dist::LaunchEnv{}, std::chrono::seconds(1))->world_size() == 1);
}

TEST_CASE("dist: the environment torchrun sets, and one clear error for a bad one", "[dist]") {
  {
    EnvVar w("WORLD_SIZE", nullptr), r("RANK", nullptr);
    CHECK(dist::LaunchEnv::from_environment().world_size == 1);
  }
  {
    EnvVar w("WORLD_SIZE", "2"), r("RANK", "1"), a("MASTER_ADDR", "10.0.0.1"), p("MASTER_PORT", "1234"),
        lw("LOCAL_WORLD_SIZE", "2"), lr("LOCAL_RANK", "1");
    auto env = dist::LaunchEnv::from_environment();
    CHECK(env.rank == 1);
    CHECK(env.world_size == 2);
    CHECK(env.local_rank == 1);
    CHECK(env.master_addr == "10.0.0.1");
    CHECK(env.master_port == 1234);
  }
  {
    EnvVar w("WORLD_SIZE", "2"), r("RANK", "2"), a("MASTER_ADDR", "127.0.0.1"), p("MASTER_PORT", "1234");
    CHECK_THROWS_WITH(dist::LaunchEnv::from_environment(), Contains("RANK must be in [0, WORLD_SIZE=2), got 2"));
  }
  {
    EnvVar w("WORLD_SIZE", "two");
    CHECK_THROWS_WITH(dist::LaunchEnv::from_environment(), Contains("WORLD_SIZE=two is not an integer"));
  }
  {
    EnvVar w("WORLD_SIZE", "2"), r("RANK", "0"), a("MASTER_ADDR", nullptr);
    CHECK_THROWS_WITH(dist::LaunchEnv::from_environment(), Contains("MASTER_ADDR is not set"));
  }
  CHECK(dist::threads_per_process(3, 2) == 3);
  CHECK(dist::threads_per_process(0, 1) >= 1);
}

TEST_CASE("dist: two ranks on loopback sum, broadcast and gather", "[dist]") {
  on_two_ranks([](dist::ProcessGroup& g) {
    const double r = g.rank();
    std::vector<torch::Tensor> t{torch::full({4}, r + 1, torch::kFloat32), torch::full({2}, 10 * (r + 1), torch::kFloat64)};
    g.all_reduce_sum(t);
    CHECK(t[0].eq(3.0).all().item<bool>());
    CHECK(t[1].eq(30.0).all().item<bool>());

    std::vector<torch::Tensor> b{torch::full({3}, r, torch::kFloat32)};
    g.broadcast(b, 1);
    CHECK(b[0].eq(1.0).all().item<bool>());

    auto gathered = g.all_gather(torch::tensor({static_cast<int64_t>(g.rank())}));
    REQUIRE(gathered.size() == 2);
    CHECK(gathered[0].item<int64_t>() == 0);
    CHECK(gathered[1].item<int64_t>() == 1);

    auto bytes = g.all_gather_bytes(g.rank() == 0 ? std::string("short") : std::string(1000, 'x'));
    CHECK(bytes[0] == "short");
    CHECK(bytes[1] == std::string(1000, 'x'));
    CHECK(g.sum(r + 0.5) == 2.0);
    g.barrier();
  });
}

TEST_CASE("dist: gradients are summed in flat buckets, a missing gradient counts as zeros", "[dist]") {
  on_two_ranks([](dist::ProcessGroup& g) {
    std::vector<torch::Tensor> params;
    for (int64_t n : {5, 300, 7, 1}) params.push_back(torch::zeros({n}, torch::requires_grad()));
    // Rank 1 leaves the last parameter without a gradient (it saw no data).
    for (size_t i = 0; i < params.size(); ++i)
      if (g.rank() == 0 || i + 1 < params.size())
        params[i].mutable_grad() = torch::arange(params[i].numel(), torch::kFloat32) * (g.rank() + 1);
    dist::all_reduce_gradients(g, params, /*bucket_bytes=*/256);  // several buckets
    for (size_t i = 0; i + 1 < params.size(); ++i)
      CHECK(params[i].grad().equal(torch::arange(params[i].numel(), torch::kFloat32) * 3));
    CHECK(params.back().grad().equal(torch::zeros({1})));

    std::vector<torch::Tensor> weights{torch::full({4, 4}, g.rank() + 1.0), torch::full({9}, g.rank() + 7.0)};
    dist::broadcast_tensors(g, weights, 0, 1 << 20);
    CHECK(weights[0].eq(1.0).all().item<bool>());
    CHECK(weights[1].eq(7.0).all().item<bool>());
  });
}

TEST_CASE("dist: a port in use and an unreachable master are one clear error", "[dist]") {
  setenv("GLOO_SOCKET_IFNAME", "lo", 1);
  // A listening socket holds the port.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(fd, 1);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  CHECK_THROWS_WITH(dist::ProcessGroup::connect(env_of(0, 2, port), std::chrono::seconds(2)),
                    Contains(std::to_string(port)) && Contains("in use"));
  close(fd);
  CHECK_THROWS_WITH(dist::ProcessGroup::connect(env_of(1, 2, free_port()), std::chrono::seconds(2)),
                    Contains("rank 1 could not reach the master at 127.0.0.1:"));
}
