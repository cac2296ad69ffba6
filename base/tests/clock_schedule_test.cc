// The scheduler's clock rule (base/clock_schedule.h), shared by serve and the Kafka engine.
#include "base/clock_schedule.h"

#include <doctest/doctest.h>

namespace closeloop {
namespace {

TEST_CASE("a real clock follows the wall and never starts behind the engine") {
  CHECK(ClockSchedule(1000, 0, 1.0).At(1500) == 1500);
  CHECK(ClockSchedule(1000, 400, 1.0).At(1500) == 1500);   // the engine was down: catch up
  CHECK(ClockSchedule(1000, 9000, 1.0).At(1500) == 9500);  // the engine ran ahead: keep it
}

TEST_CASE("a demo clock resumes from the engine's present and runs faster") {
  CHECK(ClockSchedule(1000, 0, 60.0).At(1010) == 1600);    // no time yet: from the wall
  CHECK(ClockSchedule(1000, 400, 60.0).At(1010) == 1000);  // from the engine's 400
  CHECK(ClockSchedule(1000, 400, 60.0).At(1000) == 400);
}

}  // namespace
}  // namespace closeloop
