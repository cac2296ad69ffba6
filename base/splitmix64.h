// splitmix64: a tiny, fully specified pseudo-random generator (Steele, Lea and Flood's
// SplitMix with Vigna's constants). The same seed gives the same sequence on every machine
// and standard library (std::uniform_int_distribution does not), which is what the engine's
// "double random" expert draw (recorded seed, replayed draw) and the demo city's generator
// (a seed names one stream) need. The one copy in the tree.
#pragma once

#include <cstdint>

namespace closeloop {

// Advances `*state` and returns the next value.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace closeloop
