#include "engine/calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <set>

#include "events/control_generated.h"

namespace closeloop::engine {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;
// No zone is more than 26 hours from UTC: bounds the search for local -> UTC.
constexpr int64_t kMaxOffsetMs = 26 * 3'600'000;
// 1970-01-05 was a Monday: the origin of the Monday..Friday count.
constexpr int64_t kRefMonday = 4;
// Bounds on counts so that no arithmetic below can overflow (both far beyond kMaxMs).
constexpr int64_t kMaxDays = 200'000;
constexpr int64_t kMaxSpanMs = Calendar::kMaxMs - Calendar::kMinMs;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t ClampMs(int64_t t) { return std::clamp(t, Calendar::kMinMs, Calendar::kMaxMs); }

int64_t DayNumber(date::sys_days d) { return d.time_since_epoch().count(); }
date::sys_days ToSysDays(int64_t day) { return date::sys_days{date::days{day}}; }

// Weekday of a day number, 0 = Monday .. 6 = Sunday.
int64_t WeekdayIndex(int64_t day) {
  int64_t r = (day - kRefMonday) % 7;
  return r < 0 ? r + 7 : r;
}

// Mondays..Fridays in [kRefMonday, day) (negative before it): F(b) - F(a) counts them in [a, b).
int64_t WeekdaysBefore(int64_t day) {
  int64_t w = day - kRefMonday;
  int64_t q = FloorDiv(w, 7);
  return 5 * q + std::min<int64_t>(w - 7 * q, 5);
}

// The Monday..Friday day d with WeekdaysBefore(d) == k.
int64_t WeekdayAt(int64_t k) {
  int64_t q = FloorDiv(k, 5);
  return kRefMonday + 7 * q + (k - 5 * q);
}

// Strict "YYYY-MM-DD", checked by the date library (so 2026-02-30 is refused).
bool ParseIsoDate(const std::string& s, date::year_month_day* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0;
  unsigned m = 0, d = 0;
  auto digits = [&](size_t pos, size_t len, auto& v) {
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return std::from_chars(s.data() + pos, s.data() + pos + len, v).ec == std::errc();
  };
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return false;
  *out = date::year{y} / date::month{m} / date::day{d};
  return out->ok();
}

Status CheckHours(const std::vector<WorkingInterval>& hours) {
  if (hours.empty() || hours.size() > 2) {
    return InvalidArgument("hours: one or two working intervals per day, got " +
                           std::to_string(hours.size()));
  }
  for (size_t i = 0; i < hours.size(); ++i) {
    const auto& h = hours[i];
    std::string field = "hours[" + std::to_string(i) + "]";
    if (h.start_minute < 0 || h.end_minute > 24 * 60 || h.start_minute >= h.end_minute) {
      return InvalidArgument(field + ": must satisfy 0 <= start < end <= 1440 minutes, got [" +
                             std::to_string(h.start_minute) + ", " + std::to_string(h.end_minute) +
                             ")");
    }
    if (i > 0 && h.start_minute < hours[i - 1].end_minute) {
      return InvalidArgument(field + ": must start at or after the end of the previous interval");
    }
  }
  return Status::Ok();
}

// Parses one list of dates into day numbers, checking range, duplicates and (for make-up
// working days) that each falls on a weekend.
Status ParseDates(const std::vector<std::string>& dates, const char* list, int first_year,
                  int last_year, bool weekend_only, std::set<int64_t>* out) {
  for (size_t i = 0; i < dates.size(); ++i) {
    std::string field = std::string(list) + "[" + std::to_string(i) + "]";
    date::year_month_day ymd;
    if (!ParseIsoDate(dates[i], &ymd)) {
      return InvalidArgument(field + ": \"" + dates[i] + "\" is not a valid date YYYY-MM-DD");
    }
    int y = static_cast<int>(ymd.year());
    if (y < first_year || y > last_year) {
      return InvalidArgument(field + ": " + dates[i] + " is outside the covered years " +
                             std::to_string(first_year) + ".." + std::to_string(last_year));
    }
    int64_t day = DayNumber(date::sys_days{ymd});
    if (weekend_only && WeekdayIndex(day) < 5) {
      return InvalidArgument(field + ": " + dates[i] +
                             " is a weekday; a make-up working day falls on a weekend");
    }
    if (!out->insert(day).second) {
      return InvalidArgument(field + ": " + dates[i] + " is listed twice");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<CalendarSpec> SpecFromRecord(const fb::CalendarUpdated* body) {
  if (body == nullptr) return InvalidArgument("CalendarUpdated: no body");
  CalendarSpec spec;
  spec.name = body->calendar() ? body->calendar()->str() : "";
  spec.version = body->version();
  if (body->time_zone() != nullptr && body->time_zone()->size() > 0) {
    spec.time_zone = body->time_zone()->str();
  }
  if (body->holidays()) {
    for (const auto* s : *body->holidays()) spec.holidays.push_back(s->str());
  }
  if (body->workdays()) {
    for (const auto* s : *body->workdays()) spec.workdays.push_back(s->str());
  }
  if (body->work_start_minute() != 0 || body->work_end_minute() != 0) {
    spec.hours = {WorkingInterval{body->work_start_minute(), body->work_end_minute()}};
  }
  spec.first_year = body->first_year();
  spec.last_year = body->last_year();
  return spec;
}

Result<Calendar> Calendar::FromRecord(const fb::CalendarUpdated* body) {
  CL_ASSIGN_OR_RETURN(CalendarSpec spec, SpecFromRecord(body));
  return Create(spec);
}

Result<Calendar> Calendar::Create(const CalendarSpec& spec) {
  if (spec.name.empty()) return InvalidArgument("name: required");
  if (spec.time_zone.empty()) return InvalidArgument("time_zone: required (IANA name)");
  CL_RETURN_IF_ERROR(CheckHours(spec.hours));
  bool no_years = spec.first_year == 0 && spec.last_year == 0;
  if (!no_years &&
      (spec.first_year < 1900 || spec.last_year >= 2200 || spec.first_year > spec.last_year)) {
    return InvalidArgument(
        "first_year/last_year: must satisfy 1900 <= first <= last <= 2199, got " +
        std::to_string(spec.first_year) + ".." + std::to_string(spec.last_year));
  }
  std::set<int64_t> holidays, workdays;
  CL_RETURN_IF_ERROR(
      ParseDates(spec.holidays, "holidays", spec.first_year, spec.last_year, false, &holidays));
  CL_RETURN_IF_ERROR(
      ParseDates(spec.workdays, "workdays", spec.first_year, spec.last_year, true, &workdays));
  for (int64_t day : workdays) {
    if (holidays.count(day)) {
      return InvalidArgument("workdays: " + date::format("%F", ToSysDays(day)) +
                             " is also listed as a holiday");
    }
  }

  Calendar cal;
  cal.name_ = spec.name;
  cal.version_ = spec.version;
  cal.time_zone_ = spec.time_zone;
  cal.hours_ = spec.hours;
  cal.first_year_ = spec.first_year;
  cal.last_year_ = spec.last_year;
  for (const auto& h : spec.hours) cal.day_ms_ += (h.end_minute - h.start_minute) * kMinuteMs;

  // The time zone, as a table of UTC offsets over [kMinMs, kMaxMs].
  try {
    const date::tzdb& db = date::get_tzdb();
    if (db.zones.empty()) {
      return Unavailable("time zone database is empty: install the tzdata package");
    }
    const date::time_zone* tz = nullptr;
    try {
      tz = date::locate_zone(spec.time_zone);
    } catch (const std::exception&) {
      return NotFound("time_zone: unknown IANA time zone \"" + spec.time_zone + "\"");
    }
    using std::chrono::seconds;
    date::sys_seconds at{seconds{kMinMs / 1000}};
    const date::sys_seconds end{seconds{kMaxMs / 1000}};
    while (true) {
      date::sys_info info = tz->get_info(at);
      int64_t begin_ms = std::max(info.begin, at).time_since_epoch().count() * 1000;
      int64_t offset_ms = info.offset.count() * 1000;
      if (cal.offsets_.empty() || cal.offsets_.back().offset_ms != offset_ms) {
        cal.offsets_.push_back({begin_ms, offset_ms});
      }
      if (info.end >= end) break;
      at = info.end;
    }
  } catch (const std::exception& e) {
    return Unavailable(std::string("cannot load the time zone database (install tzdata): ") +
                       e.what());
  }

  // Working days of the covered years as prefix counts.
  if (no_years) {
    cal.first_day_ = cal.end_day_ = 0;
  } else {
    cal.first_day_ = DayNumber(date::sys_days{date::year{spec.first_year} / 1 / 1});
    cal.end_day_ = DayNumber(date::sys_days{date::year{spec.last_year + 1} / 1 / 1});
  }
  cal.prefix_.assign(cal.end_day_ - cal.first_day_ + 1, 0);
  cal.holidays_.assign(holidays.begin(), holidays.end());
  for (int64_t day = cal.first_day_; day < cal.end_day_; ++day) {
    bool working = workdays.count(day) > 0 || (WeekdayIndex(day) < 5 && holidays.count(day) == 0);
    int64_t i = day - cal.first_day_;
    cal.prefix_[i + 1] = cal.prefix_[i] + (working ? 1 : 0);
    if (working) cal.working_days_.push_back(static_cast<int32_t>(i));
  }
  return cal;
}

// --- Time zone -------------------------------------------------------------------------

int64_t Calendar::ToLocalMs(int64_t utc_ms) const {
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), utc_ms,
                             [](int64_t t, const Offset& o) { return t < o.utc_begin_ms; });
  const Offset& o = it == offsets_.begin() ? offsets_.front() : *(it - 1);
  return utc_ms + o.offset_ms;
}

int64_t Calendar::ToUtcMs(int64_t local_ms) const {
  // Candidates are the few offset periods near local_ms; the first that maps local_ms into
  // itself gives the earliest instant. None does in a daylight-saving gap: then the local
  // time does not exist and the instant the gap ends stands for it.
  int64_t lo = local_ms - kMaxOffsetMs;
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), lo,
                             [](int64_t t, const Offset& o) { return t < o.utc_begin_ms; });
  size_t i = it == offsets_.begin() ? 0 : static_cast<size_t>(it - offsets_.begin()) - 1;
  for (; i < offsets_.size() && offsets_[i].utc_begin_ms <= local_ms + kMaxOffsetMs; ++i) {
    int64_t utc = local_ms - offsets_[i].offset_ms;
    bool starts_before = i == 0 || offsets_[i].utc_begin_ms <= utc;
    bool ends_after = i + 1 == offsets_.size() || utc < offsets_[i + 1].utc_begin_ms;
    if (starts_before && ends_after) return ClampMs(utc);
    if (!starts_before) return ClampMs(offsets_[i].utc_begin_ms);  // in the gap before i
  }
  return ClampMs(local_ms - offsets_.back().offset_ms);
}

// --- Working days ----------------------------------------------------------------------

int64_t Calendar::WorkingIndex(int64_t day) const {
  if (day <= first_day_) return WeekdaysBefore(day);
  int64_t base = WeekdaysBefore(first_day_);
  if (day <= end_day_) return base + prefix_[day - first_day_];
  return base + prefix_.back() + WeekdaysBefore(day) - WeekdaysBefore(end_day_);
}

int64_t Calendar::WorkingDayAt(int64_t k) const {
  int64_t lo = WeekdaysBefore(first_day_);
  int64_t hi = lo + prefix_.back();
  if (k < lo) return WeekdayAt(k);
  if (k < hi) return first_day_ + working_days_[k - lo];
  return WeekdayAt(k - hi + WeekdaysBefore(end_day_));
}

bool Calendar::IsWorkingDayNumber(int64_t day) const {
  if (day >= first_day_ && day < end_day_) {
    return prefix_[day - first_day_ + 1] != prefix_[day - first_day_];
  }
  return WeekdayIndex(day) < 5;
}

bool Calendar::IsWorkingDay(date::sys_days day) const { return IsWorkingDayNumber(DayNumber(day)); }

bool Calendar::IsHoliday(date::sys_days day) const {
  return std::binary_search(holidays_.begin(), holidays_.end(), DayNumber(day));
}

bool Calendar::IsMakeUpWorkday(date::sys_days day) const {
  int64_t n = DayNumber(day);
  return WeekdayIndex(n) >= 5 && IsWorkingDayNumber(n);
}

date::sys_days Calendar::LocalDay(int64_t t_ms) const {
  return ToSysDays(FloorDiv(ToLocalMs(ClampMs(t_ms)), kDayMs));
}

date::sys_days Calendar::NextWorkingDay(date::sys_days day) const {
  return ToSysDays(WorkingDayAt(WorkingIndex(DayNumber(day) + 1)));
}

date::sys_days Calendar::PreviousWorkingDay(date::sys_days day) const {
  return ToSysDays(WorkingDayAt(WorkingIndex(DayNumber(day)) - 1));
}

int64_t Calendar::WorkingDaysBetween(date::sys_days from, date::sys_days to) const {
  return WorkingIndex(DayNumber(to)) - WorkingIndex(DayNumber(from));
}

int64_t Calendar::OpeningOf(date::sys_days day) const {
  return ToUtcMs(DayNumber(day) * kDayMs + hours_.front().start_minute * kMinuteMs);
}

int64_t Calendar::CloseOf(date::sys_days day) const {
  return ToUtcMs(DayNumber(day) * kDayMs + hours_.back().end_minute * kMinuteMs);
}

// --- Working time ----------------------------------------------------------------------

int64_t Calendar::AccruedInDay(int64_t ms_of_day) const {
  int64_t sum = 0;
  for (const auto& h : hours_) {
    int64_t start = h.start_minute * kMinuteMs, end = h.end_minute * kMinuteMs;
    sum += std::clamp(ms_of_day, start, end) - start;
  }
  return sum;
}

int64_t Calendar::EarliestInDay(int64_t accrued) const {
  for (const auto& h : hours_) {
    int64_t len = (h.end_minute - h.start_minute) * kMinuteMs;
    if (accrued <= len) return h.start_minute * kMinuteMs + accrued;
    accrued -= len;
  }
  return hours_.back().end_minute * kMinuteMs;  // not reached: accrued <= day_ms_
}

int64_t Calendar::LatestInDay(int64_t accrued) const {
  for (const auto& h : hours_) {
    int64_t len = (h.end_minute - h.start_minute) * kMinuteMs;
    if (accrued < len) return h.start_minute * kMinuteMs + accrued;
    accrued -= len;
  }
  return hours_.back().end_minute * kMinuteMs;  // not reached: accrued < day_ms_
}

int64_t Calendar::Accrued(int64_t utc_ms) const {
  int64_t local = ToLocalMs(ClampMs(utc_ms));
  int64_t day = FloorDiv(local, kDayMs);
  int64_t in_day = IsWorkingDayNumber(day) ? AccruedInDay(local - day * kDayMs) : 0;
  return WorkingIndex(day) * day_ms_ + in_day;
}

bool Calendar::IsWorkingTime(int64_t t_ms) const {
  int64_t local = ToLocalMs(ClampMs(t_ms));
  int64_t day = FloorDiv(local, kDayMs);
  if (!IsWorkingDayNumber(day)) return false;
  int64_t m = local - day * kDayMs;
  for (const auto& h : hours_) {
    if (m >= h.start_minute * kMinuteMs && m < h.end_minute * kMinuteMs) return true;
  }
  return false;
}

int64_t Calendar::NextWorkingInstant(int64_t t_ms) const {
  t_ms = ClampMs(t_ms);
  int64_t local = ToLocalMs(t_ms);
  int64_t day = FloorDiv(local, kDayMs);
  if (IsWorkingDayNumber(day)) {
    int64_t m = local - day * kDayMs;
    for (const auto& h : hours_) {
      if (m < h.start_minute * kMinuteMs) return ToUtcMs(day * kDayMs + h.start_minute * kMinuteMs);
      if (m < h.end_minute * kMinuteMs) return t_ms;
    }
  }
  int64_t next = WorkingDayAt(WorkingIndex(day + 1));
  return ToUtcMs(next * kDayMs + hours_.front().start_minute * kMinuteMs);
}

int64_t Calendar::AddMonths(int64_t t_ms, int64_t n) const {
  const int64_t local = ToLocalMs(ClampMs(t_ms));
  const int64_t day = FloorDiv(local, kDayMs);
  const int64_t ms_of_day = local - day * kDayMs;
  date::year_month_day ymd{ToSysDays(day)};
  const date::year_month ym =
      date::year_month{ymd.year(), ymd.month()} + date::months{std::clamp<int64_t>(n, 0, 12000)};
  const date::day last = (ym / date::last).day();
  const date::sys_days to{ym / std::min(ymd.day(), last)};
  return ToUtcMs(DayNumber(to) * kDayMs + ms_of_day);
}

int64_t Calendar::AddWorkingDays(int64_t t_ms, int64_t n) const {
  t_ms = ClampMs(t_ms);
  n = std::clamp(n, -kMaxDays, kMaxDays);
  int64_t day = FloorDiv(ToLocalMs(t_ms), kDayMs);
  int64_t close_ms = hours_.back().end_minute * kMinuteMs;
  int64_t due;
  if (n > 0) {
    due = WorkingDayAt(WorkingIndex(day + 1) + n - 1);
  } else if (n < 0) {
    due = WorkingDayAt(WorkingIndex(day) + n);
  } else if (IsWorkingDayNumber(day) && t_ms <= ToUtcMs(day * kDayMs + close_ms)) {
    due = day;
  } else {
    due = WorkingDayAt(WorkingIndex(day + 1));
  }
  return ToUtcMs(due * kDayMs + close_ms);
}

int64_t Calendar::AddWorkingTime(int64_t t_ms, int64_t duration_ms) const {
  t_ms = ClampMs(t_ms);
  if (duration_ms == 0) return t_ms;
  duration_ms = std::clamp(duration_ms, -kMaxSpanMs, kMaxSpanMs);
  int64_t target = Accrued(t_ms) + duration_ms;
  int64_t k = FloorDiv(target, day_ms_);
  int64_t rem = target - k * day_ms_;
  int64_t in_day;
  if (duration_ms > 0) {
    // Earliest instant: an exact multiple of a day's hours lands on the previous close.
    if (rem == 0) {
      --k;
      rem = day_ms_;
    }
    in_day = EarliestInDay(rem);
  } else {
    in_day = LatestInDay(rem);
  }
  return ToUtcMs(WorkingDayAt(k) * kDayMs + in_day);
}

int64_t Calendar::WorkingTimeBetween(int64_t a_ms, int64_t b_ms) const {
  return Accrued(b_ms) - Accrued(a_ms);
}

}  // namespace closeloop::engine
