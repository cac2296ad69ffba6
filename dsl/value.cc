#include "dsl/value.h"

#include <fmt/format.h>

namespace closeloop::dsl {

int64_t Duration::CalendarMillis() const {
  constexpr int64_t kMinute = 60 * 1000;
  int64_t per = 0;
  switch (unit) {
    case DurationUnit::kMinutes:
      per = kMinute;
      break;
    case DurationUnit::kHours:
      per = 60 * kMinute;
      break;
    case DurationUnit::kDays:
      per = 24 * 60 * kMinute;
      break;
    default:
      return -1;
  }
  int64_t out = 0;
  if (__builtin_mul_overflow(count, per, &out)) return -1;
  return out;
}

std::string FormatDuration(const Duration& d) {
  const bool one = d.count == 1;
  std::string unit;
  switch (d.unit) {
    case DurationUnit::kMinutes:
      unit = one ? "minute" : "minutes";
      break;
    case DurationUnit::kHours:
      unit = one ? "hour" : "hours";
      break;
    case DurationUnit::kDays:
      unit = one ? "day" : "days";
      break;
    case DurationUnit::kWorkingHours:
      unit = one ? "working hour" : "working hours";
      break;
    case DurationUnit::kWorkingDays:
      unit = one ? "working day" : "working days";
      break;
    case DurationUnit::kMonths:
      unit = one ? "month" : "months";
      break;
  }
  std::string out = fmt::format("{} {}", d.count, unit);
  if (d.working() && !d.calendar.empty() && d.calendar != kDefaultCalendar) {
    out += " on " + d.calendar;
  }
  return out;
}

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt:
      return "int";
    case ValueType::kDouble:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kDuration:
      return "duration";
  }
  return "?";
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return out;
}

std::string Value::ToString() const {
  switch (type()) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return as_bool() ? "true" : "false";
    case ValueType::kInt:
      return fmt::format("{}", as_int());
    case ValueType::kDouble: {
      std::string s = fmt::format("{}", as_double());
      // Keep a double recognisable as one when it prints like an integer.
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kString:
      return QuoteString(as_string());
    case ValueType::kDuration:
      return FormatDuration(as_duration());
  }
  return "?";
}

}  // namespace closeloop::dsl
