// Values and durations of the workflow language: what expressions produce at run time and
// what time limits, windows and timers are made of. Part of the engine contract
// (dsl/program.h); changes here are additive only.
//
// Thread-safety: plain values; const access from many threads is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace closeloop::dsl {

// The calendar a working-time duration uses when the source names none.
inline constexpr std::string_view kDefaultCalendar = "prc";

enum class DurationUnit : uint8_t {
  kMinutes,       // calendar time
  kHours,         // calendar time
  kDays,          // calendar time: 24 hours each, no calendar involved
  kWorkingHours,  // working time on `calendar` (only inside its work hours)
  kWorkingDays,   // working days on `calendar` (holidays skipped, make-up days counted)
  kMonths,        // calendar months; only in schedule cadences and time limits
};

// The compiler refuses durations with a larger count (E078), so the engine's arithmetic on
// them (count x unit in milliseconds, working days walked on a calendar) cannot overflow.
inline constexpr int64_t kMaxDurationCount = 1000000;

// {count, unit} exactly as written (`3 working days` stays 3 working days; it is never
// pre-converted, because its length depends on the calendar and the start time).
struct Duration {
  int64_t count = 0;
  DurationUnit unit = DurationUnit::kMinutes;
  // Set (never empty) for kWorkingHours/kWorkingDays: the source's `on NAME`, else the
  // workflow's `calendar` declaration, else kDefaultCalendar. Empty for calendar units.
  std::string calendar;

  bool working() const {
    return unit == DurationUnit::kWorkingHours || unit == DurationUnit::kWorkingDays;
  }
  // Milliseconds for kMinutes/kHours/kDays; -1 for working time and months (these need a
  // calendar and a start instant: the engine's calendar module computes them).
  int64_t CalendarMillis() const;

  friend bool operator==(const Duration&, const Duration&) = default;
};

// "30 minutes", "2 hours", "1 working day", "3 working days on prc"
// (the calendar is printed only when it is not kDefaultCalendar).
std::string FormatDuration(const Duration& d);

// "text" with \" \\ \n \t escaped: the source form of a string literal.
std::string QuoteString(std::string_view s);

enum class ValueType : uint8_t { kNull, kBool, kInt, kDouble, kString, kDuration };
std::string_view ValueTypeName(ValueType t);  // "null", "bool", "int", ...

// A run-time value. Enum-typed schema fields and enum facts (severity, ...) are strings
// holding the enum value's name ("major"). Instants (now, occurred_at) are kInt holding
// milliseconds since the Unix epoch, UTC.
class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(Rep(b)); }
  static Value Int(int64_t i) { return Value(Rep(i)); }
  static Value Double(double d) { return Value(Rep(d)); }
  static Value String(std::string s) { return Value(Rep(std::move(s))); }
  static Value Of(Duration d) { return Value(Rep(std::move(d))); }

  ValueType type() const { return static_cast<ValueType>(rep_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }
  // REQUIRES: the matching type().
  bool as_bool() const { return std::get<bool>(rep_); }
  int64_t as_int() const { return std::get<int64_t>(rep_); }
  double as_double() const { return std::get<double>(rep_); }
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  const Duration& as_duration() const { return std::get<Duration>(rep_); }

  // True only for Bool(true): null and every non-bool are false (conditions never throw).
  bool truthy() const { return type() == ValueType::kBool && as_bool(); }

  // Literal form: null, true, 42, 2.5, "text" (escaped), 3 working days.
  std::string ToString() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, Duration>;
  explicit Value(Rep r) : rep_(std::move(r)) {}
  Rep rep_;
};

}  // namespace closeloop::dsl
