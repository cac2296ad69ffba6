// The wall clock, for the boundary only (stamping records as they enter, the scheduler's
// clock records). Processing never calls this: time reaches it as records.
#pragma once

#include <chrono>
#include <cstdint>

namespace closeloop::app {

inline int64_t WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace closeloop::app
