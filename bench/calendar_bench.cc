// calendar_bench: how fast the engine's working-time arithmetic is, against the obvious
// day-by-day loop measured in the same run on the same inputs.
//
//   calendar_bench [--calls N] [--calendars path/to/calendars.jsonl]
//
// For each operation it prints calls per second of Calendar (prefix tables) and of the
// day-by-day reference, and their ratio. Every fast result is checked against the
// reference's, so the ratio compares two implementations that agree.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "events/json_codec.h"
#include "events/record.h"

namespace {

using closeloop::engine::Calendar;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;

// The naive way: step day by day, asking only whether each day is a working day.
struct DayByDay {
  const Calendar& cal;

  int64_t DayStartUtc(date::sys_days d) const {  // local midnight, for a zone without DST
    int64_t open_local = cal.hours().front().start_minute * kMinuteMs;
    return cal.OpeningOf(d) - open_local;
  }
  int64_t AddWorkingDays(int64_t t, int64_t n) const {
    date::sys_days d = cal.LocalDay(t);
    for (int64_t counted = 0; counted < n;) {
      d += date::days{1};
      if (cal.IsWorkingDay(d)) ++counted;
    }
    return cal.CloseOf(d);
  }
  int64_t WorkingTimeBetween(int64_t a, int64_t b) const {
    int64_t sum = 0;
    for (date::sys_days d = cal.LocalDay(a); d <= cal.LocalDay(b); d += date::days{1}) {
      if (!cal.IsWorkingDay(d)) continue;
      int64_t midnight = DayStartUtc(d);
      for (const auto& h : cal.hours()) {
        int64_t from = std::max(a, midnight + h.start_minute * kMinuteMs);
        int64_t to = std::min(b, midnight + h.end_minute * kMinuteMs);
        if (to > from) sum += to - from;
      }
    }
    return sum;
  }
};

struct Span {
  int64_t a, b, n;
};

// Keeps the compiler from dropping the calls being timed.
volatile int64_t g_sink = 0;

double CallsPerSecond(const std::vector<Span>& spans, size_t calls,
                      const std::function<int64_t(const Span&)>& op) {
  auto start = std::chrono::steady_clock::now();
  int64_t sum = 0;
  for (size_t i = 0; i < calls; ++i) sum += op(spans[i % spans.size()]);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  g_sink = g_sink + sum;
  return static_cast<double>(calls) / took.count();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "calendar_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t calls = 2'000'000;
  std::string path = CLOSELOOP_SOURCE_DIR "/workflows/reference/calendars.jsonl";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--calls") && i + 1 < argc) {
      calls = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--calendars") && i + 1 < argc) {
      path = argv[++i];
    } else {
      return Fail("usage: calendar_bench [--calls N] [--calendars calendars.jsonl]");
    }
  }
  if (calls == 0) return Fail("--calls must be positive");

  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return Fail("cannot read " + path);
  closeloop::events::JsonCodec codec;
  auto bytes = codec.FromJson(line);
  if (!bytes.ok()) return Fail(path + ": " + bytes.status().ToString());
  auto rec = closeloop::events::VerifyRecord(*bytes);
  if (!rec.ok()) return Fail(rec.status().ToString());
  auto cal = Calendar::FromRecord((*rec)->body_as_CalendarUpdated());
  if (!cal.ok()) return Fail(cal.status().ToString());
  DayByDay ref{*cal};

  // Random spans inside 2025-2026: t anywhere, n up to a year of working days, b up to a
  // year after a. Fixed seed: every run measures the same inputs.
  std::mt19937_64 rng(42);
  const int64_t from = 1735660800000;  // 2025-01-01T00:00+08:00
  std::uniform_int_distribution<int64_t> instant(from, from + 365 * kDayMs);
  std::uniform_int_distribution<int64_t> days(1, 250);
  std::uniform_int_distribution<int64_t> length(0, 365 * kDayMs);
  std::vector<Span> spans(4096);
  for (auto& s : spans) {
    s.a = instant(rng);
    s.b = s.a + length(rng);
    s.n = days(rng);
  }
  for (const auto& s : spans) {  // the two implementations agree before they race
    if (cal->AddWorkingDays(s.a, s.n) != ref.AddWorkingDays(s.a, s.n) ||
        cal->WorkingTimeBetween(s.a, s.b) != ref.WorkingTimeBetween(s.a, s.b)) {
      return Fail("fast path and reference disagree; not benchmarking");
    }
  }

  size_t ref_calls = std::max<size_t>(calls / 100, spans.size());
  struct Op {
    const char* name;
    std::function<int64_t(const Span&)> fast, slow;
  } ops[] = {
      {"AddWorkingDays", [&](const Span& s) { return cal->AddWorkingDays(s.a, s.n); },
       [&](const Span& s) { return ref.AddWorkingDays(s.a, s.n); }},
      {"WorkingTimeBetween", [&](const Span& s) { return cal->WorkingTimeBetween(s.a, s.b); },
       [&](const Span& s) { return ref.WorkingTimeBetween(s.a, s.b); }},
  };
  std::printf("calendar %s v%u, %zu random spans (n <= 250 working days, spans <= 365 days)\n",
              cal->name().c_str(), cal->version(), spans.size());
  std::printf("%-20s %16s %16s %10s\n", "operation", "calls/s", "day-by-day/s", "ratio");
  for (const auto& op : ops) {
    double fast = CallsPerSecond(spans, calls, op.fast);
    double slow = CallsPerSecond(spans, ref_calls, op.slow);
    std::printf("%-20s %16.0f %16.0f %9.0fx\n", op.name, fast, slow, fast / slow);
  }
  return 0;
}
