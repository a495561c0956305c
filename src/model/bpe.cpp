#include "clinrl/model/bpe.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <stdexcept>

#include "clinrl/model/byte_level.h"

namespace clinrl::model {
namespace {

constexpr size_t kCacheMaxPieceBytes = 256;
constexpr size_t kCacheMaxEntries = 200000;
// Pieces up to this many bytes use the simple quadratic loop (faster when short).
constexpr size_t kShortPiece = 48;

}  // namespace

void BpeModel::MergeTable::reserve(size_t n) {
  size_t capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  keys.assign(capacity, kEmpty);
  values.assign(capacity, Merge{0, 0});
  mask = capacity - 1;
}

bool BpeModel::MergeTable::insert(uint64_t key, Merge value) {
  for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
    if (keys[i] == key) return false;
    if (keys[i] == kEmpty) {
      keys[i] = key;
      values[i] = value;
      return true;
    }
  }
}

BpeModel::BpeModel(std::unordered_map<std::string, int32_t> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges)
    : vocab_(std::move(vocab)), ignore_merges_(ignore_merges) {
  for (int b = 0; b < 256; ++b) byte_ids_[b] = find(std::string(1, static_cast<char>(b)));
  merges_.reserve(merges.size());
  merge_list_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    // Named references, not a structured binding: C++17 lambdas cannot capture those (clang rejects it).
    const std::string& left = merges[rank].first;
    const std::string& right = merges[rank].second;
    const int32_t a = find(left), b = find(right), m = find(left + right);
    const auto spell = [&] { return bytes_to_token_text(left) + " " + bytes_to_token_text(right); };
    if (a < 0 || b < 0) throw std::invalid_argument("merge " + std::to_string(rank) + " '" + spell() + "' uses a token missing from the vocab");
    if (m < 0) throw std::invalid_argument("merge " + std::to_string(rank) + " '" + spell() + "' makes a token missing from the vocab");
    // A repeated merge keeps its first (best) rank, as HF does.
    merges_.insert(key(a, b), Merge{static_cast<int32_t>(rank), m});
    merge_list_.emplace_back(a, b);
  }
}

BpeModel::BpeModel(const BpeModel& other)
    : vocab_(other.vocab_), merges_(other.merges_), merge_list_(other.merge_list_), ignore_merges_(other.ignore_merges_) {
  std::copy(std::begin(other.byte_ids_), std::end(other.byte_ids_), byte_ids_);
}

BpeModel& BpeModel::operator=(const BpeModel& other) {
  if (this != &other) *this = BpeModel(other);
  return *this;
}

BpeModel::BpeModel(BpeModel&& other) noexcept
    : vocab_(std::move(other.vocab_)),
      merges_(std::move(other.merges_)),
      merge_list_(std::move(other.merge_list_)),
      ignore_merges_(other.ignore_merges_),
      cache_(std::move(other.cache_)) {
  std::copy(std::begin(other.byte_ids_), std::end(other.byte_ids_), byte_ids_);
}

BpeModel& BpeModel::operator=(BpeModel&& other) noexcept {
  vocab_ = std::move(other.vocab_);
  merges_ = std::move(other.merges_);
  merge_list_ = std::move(other.merge_list_);
  ignore_merges_ = other.ignore_merges_;
  std::copy(std::begin(other.byte_ids_), std::end(other.byte_ids_), byte_ids_);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_ = std::move(other.cache_);
  return *this;
}

BpeModel::~BpeModel() = default;

int32_t BpeModel::find(std::string_view bytes) const {
  auto it = vocab_.find(std::string(bytes));
  return it == vocab_.end() ? -1 : it->second;
}

void BpeModel::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.size() == 1) {
    const int32_t id = byte_ids_[static_cast<unsigned char>(piece[0])];
    if (id >= 0) out.push_back(id);
    return;
  }
  if (ignore_merges_) {
    if (int32_t id = find(piece); id >= 0) {
      out.push_back(id);
      return;
    }
  }
  const bool cacheable = piece.size() <= kCacheMaxPieceBytes;
  std::string cache_key;
  if (cacheable) {
    cache_key.assign(piece);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> symbols;
  symbols.reserve(piece.size());
  for (unsigned char b : piece) {
    if (byte_ids_[b] >= 0) symbols.push_back(byte_ids_[b]);
  }
  if (symbols.size() <= kShortPiece) {
    merge_short(symbols);
  } else {
    merge_long(symbols);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheMaxEntries) cache_.emplace(std::move(cache_key), std::move(symbols));
  }
}

void BpeModel::merge_short(std::vector<int32_t>& symbols) const {
  while (symbols.size() > 1) {
    int32_t best_rank = INT32_MAX, best_merged = -1;
    size_t best_pos = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const Merge* m = find_merge(symbols[i], symbols[i + 1]);
      if (m && m->rank < best_rank) {
        best_rank = m->rank;
        best_merged = m->merged;
        best_pos = i;
      }
    }
    if (best_merged < 0) return;
    symbols[best_pos] = best_merged;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best_pos) + 1);
  }
}

void BpeModel::merge_long(std::vector<int32_t>& symbols) const {
  // Symbols form a linked list. Candidate merges wait in buckets, one per
  // rank (a rank names one pair); the lowest rank is processed first, its
  // positions left to right, which is HF's (rank, position) heap order
  // without paying a heap operation per candidate. A position whose pair has
  // changed since it was queued is skipped.
  const int n = static_cast<int>(symbols.size());
  std::vector<int> prev(n), next(n);
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Bucket {
    int32_t left, right, merged;
    std::vector<int> positions;
  };
  std::unordered_map<int32_t, Bucket> buckets;
  std::priority_queue<int32_t, std::vector<int32_t>, std::greater<int32_t>> ranks;  // may hold duplicates
  const auto queue = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    const int32_t a = symbols[pos], b = symbols[next[pos]];
    const Merge* m = find_merge(a, b);
    if (!m) return;
    auto [it, fresh] = buckets.try_emplace(m->rank, Bucket{a, b, m->merged, {}});
    if (it->second.positions.empty()) ranks.push(m->rank);
    it->second.positions.push_back(pos);
  };
  for (int i = 0; i + 1 < n; ++i) queue(i);
  std::vector<int> todo;
  while (!ranks.empty()) {
    const int32_t rank = ranks.top();
    ranks.pop();
    auto it = buckets.find(rank);
    if (it == buckets.end() || it->second.positions.empty()) continue;
    const int32_t a = it->second.left, b = it->second.right, merged = it->second.merged;
    todo.swap(it->second.positions);
    it->second.positions.clear();
    std::sort(todo.begin(), todo.end());
    for (size_t k = 0; k < todo.size(); ++k) {
      const int pos = todo[k];
      if (prev[pos] == -2 || next[pos] < 0 || symbols[pos] != a || symbols[next[pos]] != b) continue;
      const int right = next[pos];
      symbols[pos] = merged;
      prev[right] = -2;  // marks a removed symbol
      next[pos] = next[right];
      if (next[right] >= 0) prev[next[right]] = pos;
      queue(prev[pos]);
      queue(pos);
      // A merge may (in unusual merge tables) create a pair ranked better
      // than this one: hand the rest of this bucket back and do that first.
      if (!ranks.empty() && ranks.top() < rank) {
        auto& rest = buckets[rank].positions;
        rest.insert(rest.end(), todo.begin() + static_cast<std::ptrdiff_t>(k) + 1, todo.end());
        if (!rest.empty()) ranks.push(rank);
        break;
      }
    }
  }
  std::vector<int32_t> out;
  out.reserve(n);
  for (int i = 0; i >= 0; i = next[i]) out.push_back(symbols[i]);
  symbols.swap(out);
}

}  // namespace clinrl::model
