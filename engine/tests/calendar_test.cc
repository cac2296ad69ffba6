#include "engine/calendar.h"

#include <date/tz.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::engine {
namespace {

using namespace date::literals;  // NOLINT: 2026_y/February/14 reads like the calendar
using std::chrono::hours;
using std::chrono::minutes;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;
constexpr int64_t kShanghai = 8 * kHour;  // UTC+8, no daylight saving since 1991

// An instant given as Asia/Shanghai wall-clock time; written without the calendar.
int64_t At(date::sys_days day, int hour, int minute = 0) {
  return day.time_since_epoch().count() * kDay + hour * kHour + minute * kMinute - kShanghai;
}

std::string Iso(int64_t t) {
  return date::format(
      "%F %R", date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{t + kShanghai}});
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

const char* kCalendarsFile = CLOSELOOP_SOURCE_DIR "/workflows/reference/calendars.jsonl";

// The shipped "prc" calendar, read the way the engine will read it: JSON -> record bytes ->
// verified record -> spec -> calendar.
const Calendar& Prc() {
  static const Calendar cal = [] {
    events::JsonCodec codec;
    for (const std::string& line : ReadLines(kCalendarsFile)) {
      auto bytes = codec.FromJson(line);
      REQUIRE(bytes.ok());
      auto rec = events::VerifyRecord(*bytes);
      REQUIRE(rec.ok());
      const auto* body = (*rec)->body_as_CalendarUpdated();
      if (body && body->calendar()->str() == "prc") {
        auto c = Calendar::FromRecord(body);
        REQUIRE_MESSAGE(c.ok(), c.status().ToString());
        return *c;
      }
    }
    FAIL("no prc calendar in " << kCalendarsFile);
    throw 0;
  }();
  return cal;
}

Calendar Make(CalendarSpec spec) {
  auto c = Calendar::Create(spec);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  return *c;
}

TEST_CASE("every line of calendars.jsonl decodes, passes ingress checks and builds a calendar") {
  events::JsonCodec codec;
  auto lines = ReadLines(kCalendarsFile);
  REQUIRE(!lines.empty());
  for (size_t i = 0; i < lines.size(); ++i) {
    events::DecodeError err;
    auto bytes = codec.FromJson(lines[i], &err);
    REQUIRE_MESSAGE(bytes.ok(), "line " << i + 1 << ": " << err.ToString());
    auto rec = events::VerifyRecord(*bytes);
    REQUIRE(rec.ok());
    CHECK(events::ValidateIngress(**rec).empty());
    REQUIRE((*rec)->body_type() == fb::Body::CalendarUpdated);
    auto cal = Calendar::FromRecord((*rec)->body_as_CalendarUpdated());
    CHECK_MESSAGE(cal.ok(), "line " << i + 1 << ": " << cal.status().ToString());
  }
  const Calendar& prc = Prc();
  CHECK(prc.name() == "prc");
  CHECK(prc.version() == 1);
  CHECK(prc.time_zone() == "Asia/Shanghai");
  CHECK(prc.first_year() == 2025);
  CHECK(prc.last_year() == 2026);
  CHECK(prc.WorkingDayMs() == 8 * kHour);
  // 248 working days in each year once the holidays and make-up days are applied.
  CHECK(prc.WorkingDaysBetween(2025_y / 1 / 1, 2026_y / 1 / 1) == 248);
  CHECK(prc.WorkingDaysBetween(2026_y / 1 / 1, 2027_y / 1 / 1) == 248);
}

TEST_CASE("a make-up Saturday or Sunday is a working day and an ordinary weekend is not") {
  const Calendar& prc = Prc();
  for (auto d : {2026_y / 2 / 14, 2026_y / 2 / 28, 2025_y / 10 / 11, 2025_y / 9 / 28,
                 2025_y / 1 / 26, 2026_y / 1 / 4}) {
    CHECK_MESSAGE(prc.IsWorkingDay(d), date::format("%F", d));
  }
  for (auto d : {2026_y / 3 / 7, 2026_y / 3 / 8, 2025_y / 10 / 12, 2026_y / 2 / 21}) {
    CHECK_FALSE_MESSAGE(prc.IsWorkingDay(d), date::format("%F", d));
  }
  // Friday 15:00 with one working day: due at the close of the make-up Saturday.
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 13, 15), 1)) == "2026-02-14 17:00");
  CHECK(prc.WorkingTimeBetween(At(2026_y / 2 / 14, 0), At(2026_y / 2 / 15, 0)) == 8 * kHour);
  CHECK(prc.IsWorkingTime(At(2026_y / 2 / 14, 10)));
  CHECK_FALSE(prc.IsWorkingTime(At(2026_y / 3 / 7, 10)));
}

TEST_CASE("a duty due at the end of its cycle: calendar months keep the local time of day") {
  const Calendar& prc = Prc();
  CHECK(Iso(prc.AddMonths(At(2026_y / 3 / 1, 9), 1)) == "2026-04-01 09:00");
  CHECK(Iso(prc.AddMonths(At(2026_y / 11 / 5, 9), 3)) == "2027-02-05 09:00");   // across a year
  CHECK(Iso(prc.AddMonths(At(2026_y / 1 / 31, 23), 1)) == "2026-02-28 23:00");  // short month
  CHECK(Iso(prc.AddMonths(At(2028_y / 1 / 31, 8), 1)) == "2028-02-29 08:00");   // leap year
  CHECK(Iso(prc.AddMonths(At(2026_y / 3 / 1, 9), 0)) == "2026-03-01 09:00");
}

TEST_CASE("deadlines in working days skip the 2026 Spring Festival") {
  const Calendar& prc = Prc();
  for (auto d = date::sys_days{2026_y / 2 / 15}; d <= date::sys_days{2026_y / 2 / 23};
       d += date::days{1}) {
    CHECK_FALSE(prc.IsWorkingDay(d));
  }
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 13, 15), 2)) == "2026-02-24 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 14, 10), 1)) == "2026-02-24 17:00");
  // Tue 24 + 4: Wed, Thu, Fri and the make-up Saturday 28th.
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 24, 9), 4)) == "2026-02-28 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 24, 9), 5)) == "2026-03-02 17:00");
  // 12345's seven working days from the eve of the holiday: 14, 24..28 and Mon 2 March.
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 13, 11), 7)) == "2026-03-02 17:00");
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 2 / 14, 16), 2 * kHour)) == "2026-02-24 10:00");
  CHECK(prc.WorkingDaysBetween(2026_y / 2 / 13, 2026_y / 2 / 25) == 3);
  CHECK(prc.NextWorkingDay(2026_y / 2 / 14) == date::sys_days{2026_y / 2 / 24});
  CHECK(prc.PreviousWorkingDay(2026_y / 2 / 24) == date::sys_days{2026_y / 2 / 14});
}

TEST_CASE("deadlines in working days skip the 2025 National Day and Mid-Autumn week") {
  const Calendar& prc = Prc();
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 26, 15), 1)) == "2025-09-28 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 28, 15), 1)) == "2025-09-29 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 30, 10), 1)) == "2025-10-09 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 30, 10), 2)) == "2025-10-10 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 30, 10), 3)) == "2025-10-11 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 30, 10), 4)) == "2025-10-13 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 9 / 24, 15), 3)) == "2025-09-28 17:00");
  CHECK(Iso(prc.AddWorkingTime(At(2025_y / 9 / 30, 15), 3 * kHour)) == "2025-10-09 10:00");
}

TEST_CASE("a ticket accepted at night or on a holiday starts its clock at the next opening") {
  const Calendar& prc = Prc();
  // Working days: the acceptance day never counts, whatever its hour.
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 6, 23, 30), 1)) == "2026-03-09 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 6, 7), 1)) == "2026-03-09 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 7, 10), 1)) == "2026-03-09 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 10 / 3, 10), 1)) == "2025-10-09 17:00");
  // N = 0: by today's close, or the next working day's when today is over or off.
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 6, 15), 0)) == "2026-03-06 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 6, 17), 0)) == "2026-03-06 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 3 / 6, 17, 1), 0)) == "2026-03-09 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2025_y / 10 / 3, 10), 0)) == "2025-10-09 17:00");
  // Working time: nothing accrues until the next opening.
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 6, 20), 2 * kHour)) == "2026-03-09 11:00");
  CHECK(Iso(prc.AddWorkingTime(At(2025_y / 10 / 3, 10), kHour)) == "2025-10-09 10:00");
  CHECK(Iso(prc.NextWorkingInstant(At(2025_y / 10 / 3, 10))) == "2025-10-09 09:00");
  CHECK(Iso(prc.NextWorkingInstant(At(2026_y / 3 / 9, 8, 59))) == "2026-03-09 09:00");
  CHECK(prc.NextWorkingInstant(At(2026_y / 3 / 9, 9)) == At(2026_y / 3 / 9, 9));
  CHECK(Iso(prc.NextWorkingInstant(At(2026_y / 3 / 9, 17))) == "2026-03-10 09:00");
  CHECK(prc.LocalDay(At(2026_y / 3 / 7, 0)) == date::sys_days{2026_y / 3 / 7});
  CHECK(prc.LocalDay(At(2026_y / 3 / 6, 23, 59)) == date::sys_days{2026_y / 3 / 6});
}

TEST_CASE("a deadline in working time ends at a close, not at the next opening") {
  const Calendar& prc = Prc();
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 9, 15), 2 * kHour)) == "2026-03-09 17:00");
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 6, 16), 2 * kHour)) == "2026-03-09 10:00");
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 9, 9), 8 * kHour)) == "2026-03-09 17:00");
  CHECK(prc.AddWorkingTime(At(2026_y / 3 / 7, 3), 0) == At(2026_y / 3 / 7, 3));
}

TEST_CASE("negative spans count back to the latest instant with that much working time") {
  const Calendar& prc = Prc();
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 9, 10), -2 * kHour)) == "2026-03-06 16:00");
  CHECK(Iso(prc.AddWorkingTime(At(2026_y / 3 / 9, 11), -2 * kHour)) == "2026-03-09 09:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 24, 10), -1)) == "2026-02-14 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 2 / 24, 10), -2)) == "2026-02-13 17:00");
  CHECK(prc.WorkingTimeBetween(At(2026_y / 3 / 9, 10), At(2026_y / 3 / 6, 16)) == -2 * kHour);
}

TEST_CASE("working time between two instants leaves out a holiday") {
  const Calendar& prc = Prc();
  // Qingming 2026: Sat Apr 4 .. Mon Apr 6.
  CHECK(prc.WorkingTimeBetween(At(2026_y / 4 / 3, 16), At(2026_y / 4 / 7, 10)) == 2 * kHour);
  CHECK(prc.WorkingTimeBetween(At(2025_y / 9 / 30, 12), At(2025_y / 10 / 9, 12)) == 8 * kHour);
  CHECK(prc.WorkingTimeBetween(At(2025_y / 10 / 1, 0), At(2025_y / 10 / 9, 0)) == 0);
  CHECK(prc.WorkingTimeBetween(At(2026_y / 3 / 9, 12), At(2026_y / 3 / 9, 12)) == 0);
}

TEST_CASE("spans over a whole year equal the sum of their parts") {
  const Calendar& prc = Prc();
  for (int y : {2024, 2025, 2026, 2027}) {
    date::year year{y};
    int64_t whole =
        prc.WorkingTimeBetween(At(year / 1 / 1, 0), At((year + date::years{1}) / 1 / 1, 0));
    int64_t months = 0;
    int64_t days = 0;
    for (unsigned m = 1; m <= 12; ++m) {
      date::year_month ym{year, date::month{m}};
      date::sys_days first{ym / 1};
      date::sys_days next{(ym + date::months{1}) / 1};
      months += prc.WorkingTimeBetween(At(first, 0), At(next, 0));
      days += prc.WorkingDaysBetween(first, next);
    }
    CHECK(months == whole);
    CHECK(days * prc.WorkingDayMs() == whole);
  }
  // And one long span equals the sum of split spans at odd instants.
  int64_t a = At(2024_y / 7 / 3, 10, 17), b = At(2025_y / 2 / 5, 14), c = At(2027_y / 3 / 1, 9, 1);
  CHECK(prc.WorkingTimeBetween(a, c) ==
        prc.WorkingTimeBetween(a, b) + prc.WorkingTimeBetween(b, c));
}

TEST_CASE("outside the covered years the calendar falls back to Monday to Friday") {
  const Calendar& prc = Prc();
  CHECK(prc.IsWorkingDay(2024_y / 10 / 1));  // a Tuesday: no 2024 holidays are listed
  CHECK(prc.IsWorkingDay(2027_y / 1 / 1));   // a Friday
  CHECK_FALSE(prc.IsWorkingDay(2027_y / 1 / 2));
  CHECK(prc.WorkingDaysBetween(2024_y / 12 / 30, 2025_y / 1 / 6) == 4);
  CHECK(Iso(prc.AddWorkingDays(At(2026_y / 12 / 31, 10), 1)) == "2027-01-01 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2024_y / 12 / 31, 10), 1)) == "2025-01-02 17:00");
  CHECK(Iso(prc.AddWorkingDays(At(2030_y / 6 / 7, 10), 1)) == "2030-06-10 17:00");
}

TEST_CASE("two working intervals a day leave the lunch break out") {
  CalendarSpec spec;
  spec.name = "lunch";
  spec.hours = {{9 * 60, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}};
  Calendar cal = Make(spec);
  CHECK(cal.WorkingDayMs() == 7 * kHour);
  CHECK(Iso(cal.AddWorkingTime(At(2026_y / 3 / 9, 11), 2 * kHour)) == "2026-03-09 14:30");
  CHECK(Iso(cal.AddWorkingTime(At(2026_y / 3 / 9, 9), 3 * kHour)) == "2026-03-09 12:00");
  CHECK(Iso(cal.AddWorkingTime(At(2026_y / 3 / 9, 14, 30), -2 * kHour)) == "2026-03-09 11:00");
  CHECK(cal.WorkingTimeBetween(At(2026_y / 3 / 9, 11), At(2026_y / 3 / 9, 14, 30)) == 2 * kHour);
  CHECK_FALSE(cal.IsWorkingTime(At(2026_y / 3 / 9, 12, 15)));
  CHECK(Iso(cal.NextWorkingInstant(At(2026_y / 3 / 9, 12, 15))) == "2026-03-09 13:30");
  CHECK(Iso(cal.AddWorkingDays(At(2026_y / 3 / 9, 11), 1)) == "2026-03-10 17:30");
}

TEST_CASE("a bad spec is refused with the field that is wrong") {
  auto error = [](auto edit) {
    CalendarSpec spec;
    spec.name = "t";
    spec.first_year = 2026;
    spec.last_year = 2026;
    edit(spec);
    auto r = Calendar::Create(spec);
    REQUIRE_FALSE(r.ok());
    return r.status().ToString();
  };
  auto has = [](const std::string& s, const char* part) {
    INFO(s);
    CHECK(s.find(part) != std::string::npos);
  };
  has(error([](CalendarSpec& s) { s.name = ""; }), "name");
  has(error([](CalendarSpec& s) { s.holidays = {"2026-10-01", "2026-2-16"}; }), "holidays[1]");
  has(error([](CalendarSpec& s) { s.holidays = {"2026-02-30"}; }), "not a valid date");
  has(error([](CalendarSpec& s) { s.holidays = {"2027-01-01"}; }), "outside the covered years");
  has(error([](CalendarSpec& s) { s.holidays = {"2026-10-01", "2026-10-01"}; }), "listed twice");
  has(error([](CalendarSpec& s) { s.workdays = {"2026-02-13"}; }), "is a weekday");
  has(error([](CalendarSpec& s) {
        s.holidays = {"2026-02-14"};
        s.workdays = {"2026-02-14"};
      }),
      "also listed as a holiday");
  has(error([](CalendarSpec& s) { s.hours = {}; }), "one or two");
  has(error([](CalendarSpec& s) { s.hours = {{600, 540}}; }), "hours[0]");
  has(error([](CalendarSpec& s) { s.hours = {{540, 720}, {700, 1020}}; }), "hours[1]");
  has(error([](CalendarSpec& s) { s.hours = {{0, 60}, {60, 120}, {120, 180}}; }), "one or two");
  has(error([](CalendarSpec& s) { s.first_year = 2027; }), "first_year");
  has(error([](CalendarSpec& s) { s.last_year = 2300; }), "first_year");
  has(error([](CalendarSpec& s) { s.time_zone = "Mars/Olympus_Mons"; }), "NotFound");
}

TEST_CASE("instants far outside the supported range are clamped and nothing overflows") {
  const Calendar& prc = Prc();
  for (int64_t t : {INT64_MIN, int64_t{-1}, int64_t{0}, INT64_MAX}) {
    for (int64_t d : {INT64_MIN, -kDay, kDay, INT64_MAX}) {
      int64_t r = prc.AddWorkingTime(t, d);
      CHECK(r >= Calendar::kMinMs);
      CHECK(r <= Calendar::kMaxMs);
      int64_t s = prc.AddWorkingDays(t, d);
      CHECK(s >= Calendar::kMinMs);
      CHECK(s <= Calendar::kMaxMs);
    }
    CHECK(prc.WorkingTimeBetween(t, t) == 0);
  }
  CHECK(prc.WorkingTimeBetween(INT64_MIN, INT64_MAX) > 0);
}

TEST_CASE("local days, openings and closes agree with the tz database in zones with DST") {
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Asia/Shanghai"}) {
    CalendarSpec spec;
    spec.name = zone;
    spec.time_zone = zone;
    spec.hours = {{60, 150}};  // 01:00-02:30: inside the spring-forward gap in Europe
    Calendar cal = Make(spec);
    const date::time_zone* tz = date::locate_zone(zone);
    for (auto d = date::sys_days{1985_y / 1 / 1}; d < date::sys_days{2031_y / 1 / 1};
         d += date::days{1}) {
      date::local_days ld{d.time_since_epoch()};
      auto close = tz->to_sys(ld + minutes{150}, date::choose::earliest);
      auto open = tz->to_sys(ld + hours{1}, date::choose::earliest);
      REQUIRE_MESSAGE(cal.CloseOf(d) == std::chrono::milliseconds(close.time_since_epoch()).count(),
                      zone << " " << date::format("%F", d));
      REQUIRE(cal.OpeningOf(d) == std::chrono::milliseconds(open.time_since_epoch()).count());
    }
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int64_t> instant(At(1985_y / 1 / 1, 0), At(2031_y / 1 / 1, 0));
    for (int i = 0; i < 20000; ++i) {
      int64_t t = instant(rng);
      auto local =
          tz->to_local(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{t}});
      REQUIRE(cal.LocalDay(t).time_since_epoch() ==
              date::floor<date::days>(local).time_since_epoch());
    }
  }
}

// --- The slow reference: day by day, interval by interval, fixed UTC+8 -------------------

struct Reference {
  std::set<int64_t> holidays, workdays;  // day numbers
  std::vector<WorkingInterval> hours;

  static int64_t DayOf(int64_t t) {
    int64_t local = t + kShanghai;
    return local >= 0 ? local / kDay : -((-local + kDay - 1) / kDay);
  }
  bool Working(int64_t day) const {
    if (workdays.count(day)) return true;
    date::weekday wd{date::sys_days{date::days{day}}};
    return wd != date::Saturday && wd != date::Sunday && !holidays.count(day);
  }
  int64_t Utc(int64_t day, int minute) const { return day * kDay + minute * kMinute - kShanghai; }
  int64_t Close(int64_t day) const { return Utc(day, hours.back().end_minute); }

  int64_t AddWorkingDays(int64_t t, int64_t n) const {
    int64_t day = DayOf(t);
    if (n == 0 && Working(day) && t <= Close(day)) return Close(day);
    if (n == 0) n = 1;
    for (int64_t counted = 0; counted < n;) {
      if (Working(++day)) ++counted;
    }
    return Close(day);
  }
  int64_t AddWorkingTime(int64_t t, int64_t remaining) const {
    for (int64_t day = DayOf(t);; ++day) {
      if (!Working(day)) continue;
      for (const auto& h : hours) {
        int64_t from = std::max(t, Utc(day, h.start_minute)), end = Utc(day, h.end_minute);
        if (from >= end) continue;
        if (remaining <= end - from) return from + remaining;
        remaining -= end - from;
      }
    }
  }
  int64_t Between(int64_t a, int64_t b) const {
    int64_t sum = 0;
    for (int64_t day = DayOf(a); day <= DayOf(b); ++day) {
      if (!Working(day)) continue;
      for (const auto& h : hours) {
        int64_t from = std::max(a, Utc(day, h.start_minute));
        int64_t to = std::min(b, Utc(day, h.end_minute));
        if (to > from) sum += to - from;
      }
    }
    return sum;
  }
  int64_t NextWorkingInstant(int64_t t) const {
    for (int64_t day = DayOf(t);; ++day) {
      if (!Working(day)) continue;
      for (const auto& h : hours) {
        if (t < Utc(day, h.end_minute)) return std::max(t, Utc(day, h.start_minute));
      }
    }
  }
};

Reference ReferenceFor(const CalendarSpec& spec) {
  Reference ref;
  auto parse = [](const std::string& s) {
    int y = 0;
    unsigned m = 0, d = 0;
    REQUIRE(std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) == 3);
    date::sys_days day{date::year{y} / date::month{m} / date::day{d}};
    return static_cast<int64_t>(day.time_since_epoch().count());
  };
  for (const auto& s : spec.holidays) ref.holidays.insert(parse(s));
  for (const auto& s : spec.workdays) ref.workdays.insert(parse(s));
  ref.hours = spec.hours;
  return ref;
}

TEST_CASE("the fast path agrees with a day-by-day reference on seeded random spans") {
  events::JsonCodec codec;
  auto bytes = codec.FromJson(ReadLines(kCalendarsFile).front());
  REQUIRE(bytes.ok());
  auto spec = SpecFromRecord((*events::VerifyRecord(*bytes))->body_as_CalendarUpdated());
  REQUIRE(spec.ok());
  CalendarSpec lunch = *spec;
  lunch.hours = {{9 * 60, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}};

  for (const CalendarSpec& s : {*spec, lunch}) {
    Calendar cal = Make(s);
    Reference ref = ReferenceFor(s);
    std::mt19937_64 rng(20260214);
    // Instants from mid-2024 to mid-2027 (either side of the covered years), at minute
    // granularity so that openings, closes and midnights are hit often.
    std::uniform_int_distribution<int64_t> minute(At(2024_y / 6 / 1, 0) / kMinute,
                                                  At(2027_y / 6 / 1, 0) / kMinute);
    std::uniform_int_distribution<int64_t> days(0, 300);
    std::uniform_int_distribution<int64_t> work(0, 400 * kHour / kMinute);
    std::uniform_int_distribution<int> boundary(0, 3);
    for (int i = 0; i < 5000; ++i) {
      int64_t t = minute(rng) * kMinute;
      if (boundary(rng) == 0) {  // snap to an opening or close a quarter of the time
        const auto& h = s.hours[i % s.hours.size()];
        t = ref.Utc(Reference::DayOf(t), i % 2 ? h.start_minute : h.end_minute);
      }
      int64_t n = days(rng);
      int64_t dur = work(rng) * kMinute;
      int64_t u = minute(rng) * kMinute;
      INFO("t=" << Iso(t) << " n=" << n << " dur=" << dur << " u=" << Iso(u));
      REQUIRE(cal.AddWorkingDays(t, n) == ref.AddWorkingDays(t, n));
      int64_t due = cal.AddWorkingTime(t, dur);
      REQUIRE(due == (dur == 0 ? t : ref.AddWorkingTime(t, dur)));
      REQUIRE(cal.NextWorkingInstant(t) == ref.NextWorkingInstant(t));
      REQUIRE(cal.WorkingTimeBetween(std::min(t, u), std::max(t, u)) ==
              ref.Between(std::min(t, u), std::max(t, u)));
      REQUIRE(cal.WorkingTimeBetween(t, due) == dur);
      REQUIRE(cal.IsWorkingDay(cal.LocalDay(t)) == ref.Working(Reference::DayOf(t)));
      if (dur > 0 && cal.IsWorkingTime(t)) {  // inside hours, back and forth is the identity
        REQUIRE(cal.AddWorkingTime(due, -dur) == t);
      }
    }
  }
}

}  // namespace
}  // namespace closeloop::engine
