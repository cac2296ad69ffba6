#include "workflows/demo/rng.h"

#include <cmath>

namespace closeloop::demo {

int64_t Rng::Poisson(double mean) {
  if (mean <= 0) return 0;
  // A sum of Poisson draws is Poisson: large means go in chunks, so exp() never underflows.
  if (mean > 30) return Poisson(30) + Poisson(mean - 30);
  const double limit = std::exp(-mean);
  int64_t k = 0;
  for (double p = Unit(); p > limit; p *= Unit()) ++k;
  return k;
}

uint64_t SeedFor(uint64_t seed, std::string_view text) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return Rng(h).Next();
}

}  // namespace closeloop::demo
