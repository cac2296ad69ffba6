#include "base/splitmix64.h"

#include <doctest/doctest.h>

namespace closeloop {
namespace {

// The reference sequence of splitmix64 from seed 0 (Vigna's splitmix64.c): the engine's
// recorded draws replay only if these never change.
TEST_CASE("splitmix64 gives the reference sequence and advances its state") {
  uint64_t state = 0;
  CHECK(SplitMix64(&state) == 0xE220A8397B1DCDAFULL);
  CHECK(state == 0x9E3779B97F4A7C15ULL);
  CHECK(SplitMix64(&state) == 0x6E789E6AA1B965F4ULL);
  CHECK(SplitMix64(&state) == 0x06C45D188009454FULL);
}

}  // namespace
}  // namespace closeloop
