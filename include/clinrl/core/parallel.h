#pragma once
// A bounded worker pool for I/O-bound work (requests to a served model):
// fn(i) for every i in [0, n) on at most `workers` threads. Every index runs
// even when some throw; the first exception (by index) is rethrown at the end.
#include <cstddef>
#include <functional>

namespace clinrl::core {

void parallel_for(size_t n, int workers, const std::function<void(size_t)>& fn);

}  // namespace clinrl::core
