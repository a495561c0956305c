#pragma once
// The `dist` section of a run config: how the processes of a data-parallel
// run talk to each other. Ignored by a single process.
#include <cstdint>

namespace clinrl::dist {

struct DistOptions {
  double timeout_seconds = 300;  // a collective (or the rendezvous) waiting longer fails, naming the lost rank
  double bucket_mb = 25;         // gradients are all-reduced in flat buckets of about this size
  int threads = 0;               // torch threads per process; 0 = cores / processes on this node

  template <class V>
  void fields(V& v) {
    v("timeout_seconds", timeout_seconds);
    v("bucket_mb", bucket_mb);
    v("threads", threads);
  }
  void validate() const;
};

// Torch threads for one of `local_world_size` processes on this machine.
int threads_per_process(int configured, int local_world_size);

}  // namespace clinrl::dist
