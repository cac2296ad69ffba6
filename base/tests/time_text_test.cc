// Times as people read and type them, in the city's zone: a New York city's deadline prints
// with New York's offset of that day, a local time typed there means New York's.
#include "base/time_text.h"

#include <doctest/doctest.h>

namespace closeloop {
namespace {

TEST_CASE("a time prints in the city's zone with the offset of that moment") {
  const int64_t winter = 1736953200000;  // 2025-01-15T15:00:00Z
  const int64_t summer = 1751641200000;  // 2025-07-04T15:00:00Z
  CHECK(FormatTimeIn(winter, "America/New_York") == "2025-01-15 10:00:00 -05:00");
  CHECK(FormatTimeIn(summer, "America/New_York") == "2025-07-04 11:00:00 -04:00");
  CHECK(FormatTimeIn(summer, "Asia/Kolkata") == "2025-07-04 20:30:00 +05:30");
  // Nanjing's zone prints as it always has.
  CHECK(FormatTimeIn(summer, "Asia/Shanghai") == FormatTime(summer));
  CHECK(FormatTimeIn(summer, "Asia/Shanghai") == "2025-07-04 23:00:00 +08:00");
  CHECK(FormatTimeIn(0, "America/New_York") == "-");
  CHECK(FormatTimeIn(summer, "Nowhere/Atlantis") == "2025-07-04 15:00:00 +00:00");
}

TEST_CASE("a local time typed without an offset is the city's") {
  CHECK(ParseTimeIn("2025-07-04T11:00", "America/New_York").value() == 1751641200000);
  CHECK(ParseTimeIn("2025-01-15T10:00:00", "America/New_York").value() == 1736953200000);
  CHECK(ParseTimeIn("2025-07-04T23:00", "Asia/Shanghai").value() ==
        ParseTime("2025-07-04T23:00").value());
  // An explicit offset or ms since the epoch mean what they say, whatever the zone.
  CHECK(ParseTimeIn("2025-07-04T15:00:00Z", "America/New_York").value() == 1751641200000);
  CHECK(ParseTimeIn("1751641200000", "America/New_York").value() == 1751641200000);
  // The spring-forward gap: 02:30 does not exist in New York on 2025-03-09; it is read as
  // the moment the clocks jump (03:00 EDT = 07:00Z), not as an error.
  CHECK(ParseTimeIn("2025-03-09T02:30", "America/New_York").value() == 1741503600000);
  auto unknown = ParseTimeIn("2025-07-04T11:00", "Nowhere/Atlantis");
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().message().find("unknown time zone 'Nowhere/Atlantis'") !=
        std::string::npos);
  CHECK(!ParseTimeIn("yesterday", "America/New_York").ok());
  // The whole text is the time; microseconds (Python's isoformat, PostgreSQL) round down.
  CHECK(!ParseTimeIn("2025-07-04T15:00:00+00:00junk", "America/New_York").ok());
  CHECK(!ParseTimeIn("2025-07-04T11:00junk", "America/New_York").ok());
  CHECK(ParseTimeIn("2025-07-04T15:00:00.123456+00:00", "America/New_York").value() ==
        1751641200123);
  CHECK(ParseTimeIn("2025-07-04T11:00:00.123", "America/New_York").value() == 1751641200123);
}

}  // namespace
}  // namespace closeloop
