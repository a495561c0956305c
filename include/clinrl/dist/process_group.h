#pragma once
// The processes of a data-parallel run and their collectives: a small facade
// over torch's c10d (ProcessGroupGloo on CPU, rendezvous through a TCPStore).
// A world of one process has no store and every collective is the identity,
// so the trainers call the same code with or without peers.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "clinrl/dist/launch_env.h"

namespace clinrl::dist {

// A collective that could not finish: a peer died or stayed silent past the
// timeout. The message names the rank(s) lost when they can be told.
class CollectiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;

  // A world of one: no environment, no store, no sockets.
  static std::shared_ptr<ProcessGroup> single();
  // Joins the job `env` describes (rank 0 hosts the TCPStore). Waits at most
  // `timeout` for the others; UserError (one line) when the environment,
  // the master address or the port cannot be used.
  static std::shared_ptr<ProcessGroup> connect(const LaunchEnv& env, std::chrono::milliseconds timeout);

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  virtual int local_world_size() const = 0;
  bool is_main() const { return rank() == 0; }

  // The size of the flat buckets many tensors are reduced in (dist.bucket_mb).
  int64_t bucket_bytes() const { return bucket_bytes_; }
  void set_bucket_bytes(int64_t bytes) { bucket_bytes_ = bytes; }

  // In place, element-wise sum over ranks (every tensor contiguous, on CPU).
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  // In place: every rank ends with root's values.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
  // Every rank's `tensor` (same shape and dtype on every rank), in rank order.
  virtual std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor) = 0;
  virtual void barrier() = 0;

  // Every rank's bytes, in rank order (lengths may differ).
  std::vector<std::string> all_gather_bytes(const std::string& bytes);
  // Sum of one number over ranks.
  double sum(double value);

 private:
  int64_t bucket_bytes_ = 25 << 20;
};

// The run's process group; a world of one until set_world() is called.
ProcessGroup& world();
void set_world(std::shared_ptr<ProcessGroup> group);

}  // namespace clinrl::dist
