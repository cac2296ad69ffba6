#include "engine/duty_roster.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/json_fields.h"

namespace closeloop::engine {
namespace {

using json_fields::At;
using json_fields::OnlyKeys;
using json_fields::StringAt;
using json_fields::ValidId;
using nlohmann::json;

constexpr int kDayMinutes = 24 * 60;
constexpr int kWeekMinutes = 7 * kDayMinutes;
constexpr int64_t kDayMs = 86400000;
constexpr int kHoliday = 7;  // Shift::days: the calendar's holidays
const char* const kDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"};
const char* const kDayWords[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                 "Friday", "Saturday", "Sunday"};

// "HH:MM" -> minutes, or -1.
int ParseClock(const std::string& s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return -1;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

std::string WeekMinute(int m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (m % kDayMinutes) / 60, m % 60);
  return std::string(kDayWords[m / kDayMinutes]) + " " + buf;
}

int ShiftLength(const Shift& s) {
  int len = (s.to_minute - s.from_minute + kDayMinutes) % kDayMinutes;
  return len == 0 ? kDayMinutes : len;
}

Result<Shift> ParseShift(const json& j, const std::string& path,
                         const std::set<std::string>& people) {
  if (!j.is_object()) return At(path, "expected an object");
  CL_RETURN_IF_ERROR(OnlyKeys(j, path, {"id", "days", "from", "to", "order"}));
  Shift s;
  CL_ASSIGN_OR_RETURN(s.id, StringAt(j, "id", path, true, 64));
  if (!ValidId(s.id)) return At(path + ".id", "letters a-z, digits, '_' and '-' only");
  if (!j.contains("days") || !j["days"].is_array() || j["days"].empty()) {
    return At(path + ".days", "required: an array of mon, tue, wed, thu, fri, sat, sun, holiday");
  }
  for (size_t i = 0; i < j["days"].size(); ++i) {
    const json& d = j["days"][i];
    const std::string dpath = path + ".days[" + std::to_string(i) + "]";
    int day = -1;
    for (int k = 0; k <= kHoliday; ++k) {
      if (d.is_string() && d.get<std::string>() == kDayNames[k]) day = k;
    }
    if (day < 0) return At(dpath, "one of mon, tue, wed, thu, fri, sat, sun, holiday");
    if (std::find(s.days.begin(), s.days.end(), day) != s.days.end()) {
      return At(dpath, "appears twice");
    }
    s.days.push_back(day);
  }
  for (const char* k : {"from", "to"}) {
    CL_ASSIGN_OR_RETURN(std::string text, StringAt(j, k, path, true, 5));
    int m = ParseClock(text);
    if (m < 0) return At(path + "." + k, "a local time HH:MM (00:00 to 23:59)");
    (std::string_view(k) == "from" ? s.from_minute : s.to_minute) = m;
  }
  if (!j.contains("order") || !j["order"].is_array() || j["order"].empty()) {
    return At(path + ".order", "required: the people in paging order, the one on duty first");
  }
  for (size_t i = 0; i < j["order"].size(); ++i) {
    const json& p = j["order"][i];
    const std::string opath = path + ".order[" + std::to_string(i) + "]";
    if (!p.is_string() || !people.count(p.get<std::string>())) {
      return At(opath, "not a person of this roster's people");
    }
    if (std::find(s.order.begin(), s.order.end(), p.get<std::string>()) != s.order.end()) {
      return At(opath, "'" + p.get<std::string>() + "' appears twice");
    }
    s.order.push_back(p.get<std::string>());
  }
  return s;
}

Result<Roster> ParseRoster(const json& j, const std::string& path) {
  if (!j.is_object()) return At(path, "expected an object");
  CL_RETURN_IF_ERROR(
      OnlyKeys(j, path, {"id", "name", "calendar", "people", "shifts", "workdays_as"}));
  Roster r;
  CL_ASSIGN_OR_RETURN(r.id, StringAt(j, "id", path, true, 64));
  if (!ValidId(r.id)) return At(path + ".id", "letters a-z, digits, '_' and '-' only");
  CL_ASSIGN_OR_RETURN(r.name, StringAt(j, "name", path, false, 200));
  CL_ASSIGN_OR_RETURN(r.calendar, StringAt(j, "calendar", path, true, 100));
  if (j.contains("workdays_as")) {
    r.workdays_as = -1;
    for (int k = 0; k < 7; ++k) {
      if (j["workdays_as"].is_string() && j["workdays_as"].get<std::string>() == kDayNames[k]) {
        r.workdays_as = k;
      }
    }
    if (r.workdays_as < 0) {
      return At(path + ".workdays_as",
                "the weekday whose shifts a make-up working day follows: mon .. sun");
    }
  }
  if (!j.contains("people") || !j["people"].is_array() || j["people"].empty()) {
    return At(path + ".people", "required: [{\"id\", \"name\", \"phone\", \"email\", \"user\"}]");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < j["people"].size(); ++i) {
    const json& p = j["people"][i];
    const std::string ppath = path + ".people[" + std::to_string(i) + "]";
    if (!p.is_object()) return At(ppath, "expected an object");
    CL_RETURN_IF_ERROR(OnlyKeys(p, ppath, {"id", "name", "email", "phone", "user"}));
    RosterPerson person;
    CL_ASSIGN_OR_RETURN(person.id, StringAt(p, "id", ppath, true, 64));
    if (!ValidId(person.id)) return At(ppath + ".id", "letters a-z, digits, '_' and '-' only");
    if (!ids.insert(person.id).second) {
      return At(ppath + ".id", "'" + person.id + "' appears twice");
    }
    CL_ASSIGN_OR_RETURN(person.name, StringAt(p, "name", ppath, true, 200));
    CL_ASSIGN_OR_RETURN(person.email, StringAt(p, "email", ppath, false, 254));
    CL_ASSIGN_OR_RETURN(person.phone, StringAt(p, "phone", ppath, false, 32));
    CL_ASSIGN_OR_RETURN(person.user, StringAt(p, "user", ppath, false, 64));
    if (!person.email.empty() && (person.email.find('@') == std::string::npos ||
                                  person.email.find_first_of("\r\n<>,") != std::string::npos)) {
      return At(ppath + ".email", "an e-mail address");
    }
    if (person.phone.find_first_not_of("+0123456789") != std::string::npos) {
      return At(ppath + ".phone", "a phone number (digits, optional leading +)");
    }
    if (person.email.empty() && person.phone.empty()) {
      return At(ppath, "needs an email or a phone: a page must reach the person");
    }
    r.people.push_back(std::move(person));
  }
  if (!j.contains("shifts") || !j["shifts"].is_array() || j["shifts"].empty()) {
    return At(path + ".shifts", "required: [{\"id\", \"days\", \"from\", \"to\", \"order\"}]");
  }
  std::set<std::string> shift_ids;
  for (size_t i = 0; i < j["shifts"].size(); ++i) {
    const std::string spath = path + ".shifts[" + std::to_string(i) + "]";
    CL_ASSIGN_OR_RETURN(Shift s, ParseShift(j["shifts"][i], spath, ids));
    if (!shift_ids.insert(s.id).second) return At(spath + ".id", "'" + s.id + "' appears twice");
    r.shifts.push_back(std::move(s));
  }
  // Every minute of the week in exactly one shift.
  std::vector<int> owner(kWeekMinutes, -1);
  for (size_t i = 0; i < r.shifts.size(); ++i) {
    const Shift& s = r.shifts[i];
    for (int day : s.days) {
      if (day == kHoliday) continue;
      int start = day * kDayMinutes + s.from_minute;
      for (int k = 0; k < ShiftLength(s); ++k) {
        int m = (start + k) % kWeekMinutes;
        if (owner[m] >= 0) {
          return At(path + ".shifts[" + std::to_string(i) + "]",
                    "overlaps shift '" + r.shifts[owner[m]].id + "' at " + WeekMinute(m) +
                        " (each minute of the week is one shift's)");
        }
        owner[m] = static_cast<int>(i);
      }
    }
  }
  for (int m = 0; m < kWeekMinutes; ++m) {
    if (owner[m] < 0) {
      return At(path + ".shifts",
                "no shift covers " + WeekMinute(m) + " (each minute of the week is one shift's)");
    }
  }
  // Holidays: the holiday shifts, day after day, cover each minute exactly once.
  std::vector<int> holiday_owner(kDayMinutes, -1);
  for (size_t i = 0; i < r.shifts.size(); ++i) {
    const Shift& s = r.shifts[i];
    if (std::find(s.days.begin(), s.days.end(), kHoliday) == s.days.end()) continue;
    r.holiday_shifts = true;
    for (int k = 0; k < ShiftLength(s); ++k) {
      int m = (s.from_minute + k) % kDayMinutes;
      if (holiday_owner[m] >= 0) {
        return At(path + ".shifts[" + std::to_string(i) + "]",
                  "overlaps holiday shift '" + r.shifts[holiday_owner[m]].id + "' at " +
                      WeekMinute(m).substr(7) + " (each minute of a holiday is one shift's)");
      }
      holiday_owner[m] = static_cast<int>(i);
    }
  }
  for (int m = 0; r.holiday_shifts && m < kDayMinutes; ++m) {
    if (holiday_owner[m] < 0) {
      return At(path + ".shifts", "no holiday shift covers " + WeekMinute(m).substr(7) +
                                      " (each minute of a holiday is one shift's)");
    }
  }
  return r;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Which shifts start on local day `day` (days since 1970-01-01): its weekday's, the holiday
// shifts (Sunday's without any) on a holiday, `workdays_as`'s on a make-up working day.
int DayPattern(const Roster& r, int64_t day, const Calendar& calendar) {
  const date::sys_days civil{date::days{day}};
  if (calendar.IsHoliday(civil)) return r.holiday_shifts ? kHoliday : 6;
  if (calendar.IsMakeUpWorkday(civil)) return r.workdays_as;
  // Day 0 (1970-01-01) was a Thursday: Monday-based weekday = (day + 3) mod 7.
  return static_cast<int>(((day + 3) % 7 + 7) % 7);
}

}  // namespace

const RosterPerson* Roster::Person(std::string_view id) const {
  for (const auto& p : people) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const Shift& Roster::ShiftAt(int64_t utc_ms, const Calendar& calendar) const {
  const int64_t local = calendar.LocalMs(utc_ms);
  const int64_t today = FloorDiv(local, kDayMs);
  // Every kind of day starts a shift (its shifts, at most 24 hours long, cover it), so the
  // one in effect started today or in the two days before.
  const Shift* in_effect = nullptr;
  int64_t latest = 0;
  for (int64_t day = today - 2; day <= today; ++day) {
    const int pattern = DayPattern(*this, day, calendar);
    for (const Shift& s : shifts) {
      if (std::find(s.days.begin(), s.days.end(), pattern) == s.days.end()) continue;
      const int64_t start = day * kDayMs + int64_t{s.from_minute} * 60000;
      if (start <= local && (in_effect == nullptr || start > latest)) {
        in_effect = &s;
        latest = start;
      }
    }
  }
  return in_effect != nullptr ? *in_effect : shifts.front();
}

const Roster* RosterTable::Find(std::string_view id) const {
  for (const auto& r : rosters_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Result<RosterTable> RosterTable::Parse(std::string_view content_json, uint32_t version) {
  json doc = json::parse(content_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return At("content_json", "expected a JSON object {\"rosters\": [...]}");
  }
  CL_RETURN_IF_ERROR(OnlyKeys(doc, "content_json", {"rosters"}));
  if (!doc.contains("rosters") || !doc["rosters"].is_array()) {
    return At("rosters", "required: an array");
  }
  RosterTable t;
  t.version_ = version;
  t.source_json_ = std::string(content_json);
  std::set<std::string> ids;
  for (size_t i = 0; i < doc["rosters"].size(); ++i) {
    const std::string path = "rosters[" + std::to_string(i) + "]";
    CL_ASSIGN_OR_RETURN(Roster r, ParseRoster(doc["rosters"][i], path));
    if (!ids.insert(r.id).second) return At(path + ".id", "'" + r.id + "' appears twice");
    t.rosters_.push_back(std::move(r));
  }
  return t;
}

}  // namespace closeloop::engine
