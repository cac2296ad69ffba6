// Duty rosters on the roster calendar's holidays and make-up working days
// (engine/duty_roster.h): a holiday starts the roster's holiday shifts (Sunday's without
// any), a make-up working day (调休) the shifts of `workdays_as` (Monday by default), and
// where such a day meets an ordinary one the shift on duty lasts until the next begins.
// Then the same decided by the engine: pages on the PRC calendar's Spring Festival 2026.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "engine/duty_roster.h"
#include "engine/testing/harness.h"
#include "engine/tests/duty_tables.h"

namespace closeloop::engine {
namespace {

using namespace duty_tables;
using testing::Shanghai;

// Weekdays: day and night; weekends: 24 hours from 08:00; holidays: 24 hours from 09:00.
json CalendarRoster() {
  json r = Rosters();
  json& roster = r["rosters"][0];
  roster["people"].push_back({{"id", "chen"}, {"name", "陈静"}, {"phone", "13900000004"}});
  roster["shifts"] = {{{"id", "day"},
                       {"days", {"mon", "tue", "wed", "thu", "fri"}},
                       {"from", "08:00"},
                       {"to", "20:00"},
                       {"order", {"wang", "li"}}},
                      {{"id", "night"},
                       {"days", {"mon", "tue", "wed", "thu", "fri"}},
                       {"from", "20:00"},
                       {"to", "08:00"},
                       {"order", {"zhao", "wang"}}},
                      {{"id", "weekend"},
                       {"days", {"sat", "sun"}},
                       {"from", "08:00"},
                       {"to", "08:00"},
                       {"order", {"li", "zhao"}}},
                      {{"id", "holiday"},
                       {"days", {"holiday"}},
                       {"from", "09:00"},
                       {"to", "09:00"},
                       {"order", {"chen", "li"}}}};
  return r;
}

// The PRC calendar around the Spring Festival of 2026: holidays Sunday 15 to Monday 23
// February, make-up working days Saturday 14 and Saturday 28 February.
const Calendar& Prc() {
  static const Calendar c = [] {
    CalendarSpec spec;
    spec.name = "prc";
    for (int d = 15; d <= 23; ++d) spec.holidays.push_back("2026-02-" + std::to_string(d));
    spec.workdays = {"2026-02-14", "2026-02-28"};
    spec.first_year = spec.last_year = 2026;
    return *Calendar::Create(spec);
  }();
  return c;
}

std::string ShiftAt(const json& table, int64_t t) {
  auto parsed = RosterTable::Parse(table.dump(), 1);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  return parsed->rosters()[0].ShiftAt(t, Prc()).id;
}

TEST_CASE("a holiday starts the holiday shifts; a make-up Saturday is a Monday") {
  const json r = CalendarRoster();
  CHECK(ShiftAt(r, Shanghai(2026, 2, 13, 10, 0)) == "day");      // an ordinary Friday
  CHECK(ShiftAt(r, Shanghai(2026, 2, 14, 3, 0)) == "night");     // Friday's night
  CHECK(ShiftAt(r, Shanghai(2026, 2, 14, 10, 0)) == "day");      // make-up Saturday
  CHECK(ShiftAt(r, Shanghai(2026, 2, 14, 21, 0)) == "night");    // its night, a weekday's
  CHECK(ShiftAt(r, Shanghai(2026, 2, 15, 8, 30)) == "night");    // until the holiday relieves it
  CHECK(ShiftAt(r, Shanghai(2026, 2, 15, 9, 0)) == "holiday");   // a holiday on a Sunday
  CHECK(ShiftAt(r, Shanghai(2026, 2, 16, 12, 0)) == "holiday");  // a holiday on a Monday
  CHECK(ShiftAt(r, Shanghai(2026, 2, 24, 7, 59)) == "holiday");  // the last holiday's shift...
  CHECK(ShiftAt(r, Shanghai(2026, 2, 24, 8, 0)) == "day");       // ...ends at Tuesday's start
  CHECK(ShiftAt(r, Shanghai(2026, 2, 21, 12, 0)) == "holiday");  // a Saturday in the holidays
  CHECK(ShiftAt(r, Shanghai(2026, 3, 7, 12, 0)) == "weekend");   // an ordinary Saturday

  json as_saturday = r;  // a make-up day that follows another weekday's shifts
  as_saturday["rosters"][0]["workdays_as"] = "sat";
  CHECK(ShiftAt(as_saturday, Shanghai(2026, 2, 28, 12, 0)) == "weekend");
  CHECK(ShiftAt(r, Shanghai(2026, 2, 28, 12, 0)) == "day");

  json no_holiday = r;  // without holiday shifts a holiday is a Sunday
  no_holiday["rosters"][0]["shifts"].erase(3);
  CHECK(ShiftAt(no_holiday, Shanghai(2026, 2, 16, 12, 0)) == "weekend");
  CHECK(ShiftAt(no_holiday, Shanghai(2026, 2, 16, 7, 0)) == "weekend");  // from Sunday 08:00
}

TEST_CASE("holiday shifts must cover each minute of a day once; workdays_as is a weekday") {
  json gap = CalendarRoster();
  gap["rosters"][0]["shifts"][3]["to"] = "21:00";
  CHECK(RosterTable::Parse(gap.dump(), 1).status().message() ==
        "rosters[0].shifts: no holiday shift covers 00:00 (each minute of a holiday is one "
        "shift's)");
  json overlap = CalendarRoster();
  overlap["rosters"][0]["shifts"].push_back({{"id", "holiday-night"},
                                             {"days", {"holiday"}},
                                             {"from", "20:00"},
                                             {"to", "09:00"},
                                             {"order", {"zhao"}}});
  CHECK(RosterTable::Parse(overlap.dump(), 1)
            .status()
            .message()
            .starts_with("rosters[0].shifts[4]: overlaps holiday shift 'holiday' at 20:00"));
  json bad = CalendarRoster();
  bad["rosters"][0]["workdays_as"] = "holiday";
  CHECK(RosterTable::Parse(bad.dump(), 1)
            .status()
            .message()
            .starts_with("rosters[0].workdays_as: the weekday whose shifts a make-up"));
}

TEST_CASE(
    "the engine pages the holiday shift on a holiday and the weekday shift on a make-up day") {
  Harness h;
  h.Clock(Shanghai(2026, 2, 13, 12, 0));
  testing::LoadTestCity(h);  // the PRC calendar of 2025 and 2026
  h.Publish(TableRecord(kRosterTableName, 1, CalendarRoster()));
  h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {PagingSubscription()}}}));
  REQUIRE(Records(h, "CommandRejected").empty());

  h.Clock(Shanghai(2026, 2, 14, 10, 0));  // make-up Saturday: the weekday's day shift
  GasAlarm(h, "ENT-00002");
  h.Clock(Shanghai(2026, 2, 16, 12, 0));  // Spring Festival Monday: the holiday shift
  GasAlarm(h, "ENT-00003", "GAS-8");
  h.Clock(Shanghai(2026, 2, 16, 12, 10));  // chen did not answer: the holiday order's next
  auto pages = Records(h, "DutyPaged");
  REQUIRE(pages.size() == 4);  // wang, li (10:10) on Saturday; chen, li on the holiday
  CHECK(pages[0]["body"]["person"] == "wang");
  CHECK(pages[0]["body"]["shift"] == "day");
  CHECK(pages[1]["body"]["person"] == "li");
  CHECK(pages[2]["body"]["person"] == "chen");
  CHECK(pages[2]["body"]["shift"] == "holiday");
  CHECK(pages[2]["body"]["order"] == json({"chen", "li"}));
  CHECK(pages[3]["body"]["person"] == "li");
  CHECK(pages[3]["body"]["position"] == 1);
}

}  // namespace
}  // namespace closeloop::engine
