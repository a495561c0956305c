#include "clinrl/model/sample_noise.h"

namespace clinrl::model {

namespace {
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kMul1 = 0xBF58476D1CE4E5B9ULL;
constexpr uint64_t kMul2 = 0x94D049BB133111EBULL;

int64_t as_i64(uint64_t x) { return static_cast<int64_t>(x); }

// Logical right shift of int64 bit patterns: torch's >> is arithmetic.
torch::Tensor shr(const torch::Tensor& x, int s) {
  return torch::bitwise_and(torch::bitwise_right_shift(x, s), as_i64((~0ULL) >> s));
}

// splitmix64's finaliser in int64 ops (multiplication wraps modulo 2^64 as uint64 does).
torch::Tensor mix(torch::Tensor z) {
  z = torch::bitwise_xor(z, shr(z, 30)).mul_(as_i64(kMul1));
  z = torch::bitwise_xor(z, shr(z, 27)).mul_(as_i64(kMul2));
  return torch::bitwise_xor(z, shr(z, 31));
}

// The row's base: one scalar per row, derived on the host.
uint64_t row_base(uint64_t key, int64_t counter) { return splitmix64(key ^ splitmix64(static_cast<uint64_t>(counter))); }
}  // namespace

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + kGolden;
  z = (z ^ (z >> 30)) * kMul1;
  z = (z ^ (z >> 27)) * kMul2;
  return z ^ (z >> 31);
}

uint64_t noise_bits(uint64_t key, int64_t counter, int64_t id) {
  return splitmix64(row_base(key, counter) + static_cast<uint64_t>(id) * kGolden);
}

torch::Tensor noise_bits(const std::vector<uint64_t>& keys, const std::vector<int64_t>& counters, const torch::Tensor& ids) {
  TORCH_CHECK(ids.dim() == 2 && ids.scalar_type() == torch::kInt64, "noise_bits: ids must be [B, N] int64");
  TORCH_CHECK(static_cast<int64_t>(keys.size()) == ids.size(0) && keys.size() == counters.size(),
              "noise_bits: one key and one counter per row of ids");
  std::vector<int64_t> bases(keys.size());
  for (size_t b = 0; b < keys.size(); ++b) bases[b] = as_i64(row_base(keys[b], counters[b]) + kGolden);
  auto base = torch::tensor(bases, torch::kInt64).to(ids.device()).view({-1, 1});
  // splitmix64(x) = mix(x + golden) with x = base + id * golden.
  return mix(ids * as_i64(kGolden) + base);
}

torch::Tensor gumbel_from_bits(const torch::Tensor& bits) {
  auto u = shr(bits, 41).to(torch::kFloat32).add_(0.5).mul_(1.0 / 8388608.0);  // (k + 0.5) / 2^23
  return u.log_().neg_().log_().neg_();
}

}  // namespace clinrl::model
