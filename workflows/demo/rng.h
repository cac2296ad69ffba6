// The demo city's randomness: splitmix64, tiny and the same sequence on every platform and
// standard library (std::uniform_int_distribution is not), so a seed names one stream.
// Not thread-safe; cheap to copy.
#pragma once

#include <cstdint>
#include <string_view>

namespace closeloop::demo {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
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
