// The time a scheduler stamps on its clock records (ClockTick), as a pure function of the
// wall clock: the one rule for `serve`'s scheduler (app/engine_runner.cc) and the Kafka
// engine's clock (connectors/kafka/kafka_engine.cc). It reads no clock itself.
//
// A real clock (speed 1) follows the wall, and never starts behind the engine's own time (a
// tick before a partition's clock would be refused). A faster one (a demo) resumes from the
// engine's present, or from the wall when the engine has no time yet, and runs `speed` times
// the wall from there.
#pragma once

#include <algorithm>
#include <cstdint>

namespace closeloop {

class ClockSchedule {
 public:
  ClockSchedule(int64_t wall_start, int64_t engine_now, double speed)
      : wall_start_(wall_start),
        start_(engine_now == 0 || speed == 1.0 ? std::max(engine_now, wall_start) : engine_now),
        speed_(speed) {}

  // The clock record's time when the wall shows `wall`.
  int64_t At(int64_t wall) const {
    return start_ + static_cast<int64_t>(static_cast<double>(wall - wall_start_) * speed_);
  }

 private:
  int64_t wall_start_;
  int64_t start_;
  double speed_;
};

}  // namespace closeloop
