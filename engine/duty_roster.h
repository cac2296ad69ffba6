// Duty rosters as data: who is on duty when, and in which order the others are paged when
// the one on duty does not acknowledge. The table arrives on the log as a
// ReferenceDataUpdated record with table_name "duty_rosters" (its JSON shape is in
// docs/operations.md, "Duty rosters"); the admin API validates it with the same Parse before
// appending, so a bad table is refused at the boundary with the field at fault.
//
// A roster's shifts are weekly: each starts on some days at a local time of the roster's
// calendar's zone and ends at a local time, on the next day when it is not after the start
// (20:00-08:00 crosses midnight; 08:00-08:00 lasts 24 hours). Every minute of the week is
// covered by exactly one shift; Parse refuses a gap or an overlap, naming the minute, so
// "who is on duty" is always one answer. A shift's `order` is its paging order: the first is
// on duty, the others are paged in turn (engine/duty.h).
//
// The roster's calendar says which days are not ordinary: on a listed holiday the shifts
// whose days include "holiday" start instead of that weekday's (they must cover each minute
// of a day exactly once; without any, a holiday follows Sunday's shifts), and a make-up
// working day (调休) follows the shifts of `workdays_as` (Monday by default). Where such a
// day meets an ordinary one, a shift lasts until the next shift starts (the one on duty
// stays until relieved), which in an ordinary week is exactly its `to`.
//
// Determinism: ordered containers only; ShiftAt reads only its arguments (the calendar is
// engine data, the time the engine's clock).
// Thread-safety: immutable once parsed; safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/calendar.h"

namespace closeloop::engine {

inline constexpr std::string_view kRosterTableName = "duty_rosters";

struct RosterPerson {
  std::string id;  // [a-z0-9_-], at most 64: what records name
  std::string name;
  std::string email, phone;  // where pages go (e-mail, SMS); never on the log
  std::string user;          // the API user who may acknowledge this person's pages
};

struct Shift {
  std::string id;
  std::vector<int> days;           // 0 = Monday .. 6 = Sunday, 7 = the calendar's holidays
  int from_minute = 0;             // local minute of the day it starts
  int to_minute = 0;               // local minute it ends (the next day when <= from_minute)
  std::vector<std::string> order;  // person ids: the first is on duty
};

struct Roster {
  std::string id, name;
  std::string calendar;  // the calendar whose time zone the shifts are in
  std::vector<RosterPerson> people;
  std::vector<Shift> shifts;
  int workdays_as = 0;          // the weekday whose shifts a make-up working day follows
  bool holiday_shifts = false;  // some shift starts on "holiday"

  const RosterPerson* Person(std::string_view id) const;
  // The shift in effect at `utc_ms` on `calendar` (the roster's): the one that started last,
  // each day starting the shifts of its kind (weekday, holiday, make-up working day).
  const Shift& ShiftAt(int64_t utc_ms, const Calendar& calendar) const;
};

class RosterTable {
 public:
  // Validates a whole table (content_json of the record). Errors are InvalidArgument with the
  // path of the field at fault first: "rosters[0].shifts: no shift covers Sunday 03:00".
  static Result<RosterTable> Parse(std::string_view content_json, uint32_t version);

  uint32_t version() const { return version_; }
  const std::vector<Roster>& rosters() const { return rosters_; }
  const Roster* Find(std::string_view id) const;
  const std::string& source_json() const { return source_json_; }

 private:
  uint32_t version_ = 0;
  std::vector<Roster> rosters_;
  std::string source_json_;
};

}  // namespace closeloop::engine
