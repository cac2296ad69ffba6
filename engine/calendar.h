// Working-time calendars: which local days are working days (the official calendar's
// holidays and make-up working days, 调休), the working hours of a day, and the deadline
// arithmetic built on them (N working days from t, N working hours from t, working time
// between two instants).
//
// Times are int64 milliseconds since the Unix epoch (UTC). Civil dates are `date::sys_days`
// (a `date::year_month_day` converts implicitly), always meant in the calendar's time zone.
//
// Days. A local day is a working day when it is listed as a make-up working day, or it is
// Monday..Friday and not listed as a holiday. Outside the years the spec covers
// [first_year, last_year] nothing is listed, so the fallback is simply Monday..Friday.
//
// Hours. Every working day has the same working hours: one or two half-open intervals of
// local wall-clock time, e.g. [09:00, 12:00) and [13:30, 17:30). The day's *close* is the
// end of its last interval. Working time is counted on the local wall clock, so a daylight
// saving jump inside working hours (none in Asia/Shanghai) is not compensated.
//
// Convention 1, working days (AddWorkingDays). The day of acceptance is not counted (the
// statutory rule: 期间开始的当日不计入, and a ticket received outside working hours is
// counted from the next working day): a ticket accepted at t with a limit of N >= 1 working
// days is due at the *close of the N-th working day after the local day of t*, whatever the
// hour of t and whether or not that day is a working day. Examples on the PRC calendar,
// hours 09:00-17:00:
//   Fri 2026-03-06 15:00, N=1 -> Mon 2026-03-09 17:00
//   Fri 2026-03-06 23:30, N=1 -> Mon 2026-03-09 17:00   (night: same as during the day)
//   Sat 2026-03-07 10:00, N=1 -> Mon 2026-03-09 17:00   (weekend: Monday is day 1)
//   Wed 2025-09-24 15:00, N=3 -> Sun 2025-09-28 17:00   (Thu, Fri, make-up Sunday)
//   Sat 2026-02-14 10:00, N=1 -> Tue 2026-02-24 17:00   (Spring Festival Feb 15-23 skipped)
// N = 0 means "by the close of today": the close of t's day if that is a working day and t
// is not after its close, otherwise the close of the next working day. N < 0 counts back:
// the close of the |N|-th working day before t's day.
//
// Convention 2, working time (AddWorkingTime, WorkingTimeBetween). Only time inside working
// intervals counts. An instant outside working hours (night, lunch, weekend, holiday)
// accrues nothing until the next opening, so a ticket accepted then starts its clock at the
// next opening. The deadline is the *earliest* instant at which the duration has accrued:
//   Fri 2026-03-06 16:00 + 2h -> Mon 2026-03-09 10:00
//   Fri 2026-03-06 20:00 + 2h -> Mon 2026-03-09 11:00   (night: clock starts Mon 09:00)
//   Mon 2026-03-09 15:00 + 2h -> Mon 2026-03-09 17:00   (ends at the close, not next opening)
// With hours [09:00,12:00)+[13:30,17:30): Mon 11:00 + 2h -> Mon 14:30.
// A negative duration counts back and returns the *latest* instant with that much working
// time before t (Mon 10:00 - 2h -> Fri 16:00; Mon 11:00 - 2h -> Mon 09:00).
//
// Cost. Working days of the covered years are precomputed as prefix counts; outside them the
// Monday..Friday count is a closed formula; UTC offsets come from a table of the zone's
// transitions. Every query is O(1) or O(log transitions), independent of the span.
//
// Instants are clamped into [kMinMs, kMaxMs] (1900-01-01 .. 2200-01-01 UTC) and so are
// results; nothing overflows for any int64 input.
//
// Thread-safety: a Calendar is immutable after Create; all methods are const and may be
// called from any number of threads.
#pragma once

#include <date/date.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::fb {
struct CalendarUpdated;
}

namespace closeloop::engine {

// One working interval of local wall-clock time, minutes after midnight: [start, end).
struct WorkingInterval {
  int start_minute = 9 * 60;
  int end_minute = 17 * 60;
  bool operator==(const WorkingInterval&) const = default;
};

// What a calendar is made of; mirrors the CalendarUpdated record (events/control.fbs).
struct CalendarSpec {
  std::string name;
  uint32_t version = 0;
  std::string time_zone = "Asia/Shanghai";  // IANA name
  std::vector<std::string> holidays;        // ISO dates "2026-02-16", within the covered years
  std::vector<std::string> workdays;        // make-up working days: each a Saturday or Sunday
  std::vector<WorkingInterval> hours = {WorkingInterval{}};  // one or two, ascending
  int first_year = 0;                                        // years whose holidays are listed
  int last_year = 0;
};

// The spec carried by a record body (REQUIRES: the record passed events::VerifyRecord).
// The record has one interval of working hours; when both minutes are unset (0) the
// default 09:00-17:00 applies; an unset time zone means Asia/Shanghai. Values are checked
// by Calendar::Create, not here.
Result<CalendarSpec> SpecFromRecord(const fb::CalendarUpdated* body);

class Calendar {
 public:
  static constexpr int64_t kMinMs = -2208988800000;  // 1900-01-01T00:00:00Z
  static constexpr int64_t kMaxMs = 7258118400000;   // 2200-01-01T00:00:00Z

  // Validates the spec and precomputes the tables. InvalidArgument names the offending
  // field ("holidays[3]: ..."); NotFound when the time zone is unknown; Unavailable when
  // the tz database cannot be loaded (install the `tzdata` package).
  static Result<Calendar> Create(const CalendarSpec& spec);
  // SpecFromRecord + Create.
  static Result<Calendar> FromRecord(const fb::CalendarUpdated* body);

  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }
  const std::string& time_zone() const { return time_zone_; }
  const std::vector<WorkingInterval>& hours() const { return hours_; }
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  // Working milliseconds in one working day (8 h = 28'800'000 for 09:00-17:00).
  int64_t WorkingDayMs() const { return day_ms_; }

  // --- Civil days -------------------------------------------------------------------------
  bool IsWorkingDay(date::sys_days day) const;
  // Listed as a holiday (within the covered years), whatever its weekday: the weekend days
  // inside a holiday period are listed too.
  bool IsHoliday(date::sys_days day) const;
  // A Saturday or Sunday listed as a make-up working day (调休).
  bool IsMakeUpWorkday(date::sys_days day) const;
  // The local civil date of an instant.
  date::sys_days LocalDay(int64_t t_ms) const;
  // The first working day strictly after / before `day`.
  date::sys_days NextWorkingDay(date::sys_days day) const;
  date::sys_days PreviousWorkingDay(date::sys_days day) const;
  // Working days in [from, to) (negative when to < from).
  int64_t WorkingDaysBetween(date::sys_days from, date::sys_days to) const;
  // The UTC instants of a day's first opening and of its close (computed for any day,
  // working or not, from the configured hours).
  int64_t OpeningOf(date::sys_days day) const;
  int64_t CloseOf(date::sys_days day) const;

  // --- Instants ---------------------------------------------------------------------------
  // True when t lies inside a working interval of a working day.
  bool IsWorkingTime(int64_t t_ms) const;
  // t itself when IsWorkingTime(t), else the next opening.
  int64_t NextWorkingInstant(int64_t t_ms) const;
  // Convention 1 above: the close of the n-th working day after t's local day.
  int64_t AddWorkingDays(int64_t t_ms, int64_t n) const;
  // Convention 2 above: the earliest instant by which `duration_ms` of working time has
  // accrued from t (the latest instant `-duration_ms` before t when negative).
  int64_t AddWorkingTime(int64_t t_ms, int64_t duration_ms) const;
  // The same local time of day `n` calendar months later (n >= 0), on the last day of the
  // month when it is shorter: 1 March 09:00 + 1 = 1 April 09:00; 31 January + 1 = 28 February.
  int64_t AddMonths(int64_t t_ms, int64_t n) const;
  // Working milliseconds in [a, b); antisymmetric: -(working time in [b, a)) when b < a.
  int64_t WorkingTimeBetween(int64_t a_ms, int64_t b_ms) const;
  // The local wall time of an instant, as milliseconds since 1970-01-01T00:00 local (duty
  // rosters: which shift covers an instant).
  int64_t LocalMs(int64_t utc_ms) const { return ToLocalMs(utc_ms); }

 private:
  struct Offset {  // from utc_begin_ms on (until the next entry), local = utc + offset
    int64_t utc_begin_ms;
    int64_t offset_ms;
  };

  Calendar() = default;

  // Local day numbers (days since 1970-01-01) and local milliseconds since the epoch.
  int64_t ToLocalMs(int64_t utc_ms) const;
  int64_t ToUtcMs(int64_t local_ms) const;  // earliest instant; the gap's end in a gap
  // W(d): a count of working days strictly increasing by 1 over each working day, so that
  // W(b) - W(a) = working days in [a, b). Working day number k is the day d with W(d) = k.
  int64_t WorkingIndex(int64_t day) const;
  int64_t WorkingDayAt(int64_t k) const;
  bool IsWorkingDayNumber(int64_t day) const;
  // Working ms of a working day elapsed before `ms_of_day`, and its inverses.
  int64_t AccruedInDay(int64_t ms_of_day) const;
  int64_t EarliestInDay(int64_t accrued) const;  // accrued in (0, day_ms_]
  int64_t LatestInDay(int64_t accrued) const;    // accrued in [0, day_ms_)
  // T(t): working ms accrued before t on a global scale (T(b) - T(a) = working time).
  int64_t Accrued(int64_t utc_ms) const;

  std::string name_;
  uint32_t version_ = 0;
  std::string time_zone_;
  std::vector<WorkingInterval> hours_;
  int first_year_ = 0;
  int last_year_ = 0;
  int64_t day_ms_ = 0;
  int64_t first_day_ = 0;  // Jan 1 of first_year_, as a day number
  int64_t end_day_ = 0;    // Jan 1 of last_year_ + 1
  // prefix_[i]: working days in [first_day_, first_day_ + i); size end_day_ - first_day_ + 1.
  std::vector<int32_t> prefix_;
  // The covered working days in order, as offsets from first_day_.
  std::vector<int32_t> working_days_;
  std::vector<int64_t> holidays_;  // the listed holidays' day numbers, ascending
  std::vector<Offset> offsets_;    // ascending utc_begin_ms; offsets_[0] starts at kMinMs
};

}  // namespace closeloop::engine
