// g++ 12 reports a false "may be used uninitialized" inside date::parse's chrono code; the
// warning is attributed to the library headers, so it is silenced for this whole file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "base/time_text.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>
#include <optional>
#include <sstream>

namespace closeloop {

namespace {

// Whether `in` has nothing left to read: a time is the whole text.
bool AtEnd(std::istringstream& in) { return in.peek() == std::char_traits<char>::eof(); }

// Milliseconds, down from a parse at microsecond precision (what Python's isoformat and
// PostgreSQL write): 2026-03-02T09:00:00.123456+08:00.
int64_t FloorMs(std::chrono::microseconds us) {
  return std::chrono::floor<std::chrono::milliseconds>(us).count();
}

// ms since the epoch, or an ISO 8601 time with its offset or Z.
std::optional<int64_t> ParseAbsolute(const std::string& text) {
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && p == text.data() + text.size()) return ms;
  for (const char* fmt : {"%FT%T%Ez", "%FT%R%Ez", "%FT%TZ", "%FT%RZ"}) {
    std::istringstream in(text);
    date::sys_time<std::chrono::microseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && AtEnd(in)) return FloorMs(tp.time_since_epoch());
  }
  return std::nullopt;
}

// A local time (no offset), the whole text.
std::optional<date::local_time<std::chrono::milliseconds>> ParseLocal(const std::string& text) {
  for (const char* fmt : {"%FT%T", "%FT%R", "%F"}) {
    std::istringstream in(text);
    date::local_time<std::chrono::microseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && AtEnd(in)) {
      return date::local_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(FloorMs(tp.time_since_epoch())));
    }
  }
  return std::nullopt;
}

Status NotATime(const std::string& text) {
  return InvalidArgument("not a time: '" + text +
                         "' (ms since the epoch, or ISO 8601 like 2026-03-02T09:00)");
}

}  // namespace

Result<int64_t> ParseTimeIn(const std::string& text, const std::string& zone) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    return InvalidArgument("unknown time zone '" + zone + "'");
  }
  if (auto t = ParseAbsolute(text)) return *t;
  if (auto local = ParseLocal(text)) {
    return tz->to_sys(*local, date::choose::earliest).time_since_epoch().count();
  }
  return NotATime(text);
}

Result<int64_t> ParseTime(const std::string& text) {
  if (auto t = ParseAbsolute(text)) return *t;
  if (auto local = ParseLocal(text)) {
    return local->time_since_epoch().count() - 8 * 3600 * 1000LL;  // Asia/Shanghai: no DST
  }
  return NotATime(text);
}

Result<int64_t> ParseDuration(const std::string& text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string unit(p, text.data() + text.size());
  if (ec != std::errc() || n < 0)
    return InvalidArgument("not a duration: '" + text + "' (e.g. 500ms, 90s, 30m, 2h, 3d, 1w)");
  int64_t scale = unit == "ms"  ? 1
                  : unit == "s" ? 1000
                  : unit == "m" ? 60000
                  : unit == "h" ? 3600000
                  : unit == "d" ? 86400000
                  : unit == "w" ? 7 * 86400000LL
                                : 0;
  if (scale == 0)
    return InvalidArgument("unknown duration unit in '" + text + "' (ms, s, m, h, d, w)");
  return n * scale;
}

std::string FormatTimeIn(int64_t ms, const std::string& zone) {
  if (ms <= 0) return "-";
  const date::sys_seconds utc{std::chrono::seconds(ms / 1000)};
  std::chrono::seconds offset{0};
  try {
    offset = date::locate_zone(zone)->get_info(utc).offset;
  } catch (const std::exception&) {
  }
  const int64_t off = offset.count() < 0 ? -offset.count() : offset.count();
  char sign[16];
  std::snprintf(sign, sizeof sign, " %c%02d:%02d", offset.count() < 0 ? '-' : '+',
                static_cast<int>(off / 3600), static_cast<int>(off % 3600 / 60));
  return date::format("%F %T", date::local_seconds{utc.time_since_epoch() + offset}) + sign;
}

std::string FormatTime(int64_t ms) { return FormatTimeIn(ms, "Asia/Shanghai"); }

}  // namespace closeloop
