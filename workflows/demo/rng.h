// The demo city's randomness (and the benchmarks' workload): splitmix64 (base/splitmix64.h),
// the same sequence on every platform and standard library, so a seed names one stream.
// Not thread-safe; cheap to copy.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/splitmix64.h"

namespace closeloop::demo {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() { return SplitMix64(&s_); }
  // REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }
  bool Chance(double percent) { return static_cast<double>(Below(1'000'000)) < percent * 10'000; }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  // Poisson-distributed count with mean `mean` (Knuth for small means, normal beyond).
  int64_t Poisson(double mean);

 private:
  uint64_t s_;
};

// FNV-1a over `text`, mixed with `seed`: a seed for decisions that must depend only on what
// they are about (a ticket id and state), not on how many draws came before.
uint64_t SeedFor(uint64_t seed, std::string_view text);

}  // namespace closeloop::demo
