// The workload stream both systems are fed from: a JSON Lines file of records, one per line,
// in the format `closeloop publish` takes (ingress events, staff commands, clock ticks, and
// the setup before them: reference data, routing tables, calendars, workflows). engine_bench
// writes it (`--write-streams DIR`), or `closeloop demo` does; engine_bench and pg_bench both
// read the same file, so closeloop and the PostgreSQL baseline see the same inputs in the
// same order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bench/engine_bench_workload.h"

namespace closeloop::bench {

struct StreamLine {
  std::string json;    // the record as in the file
  std::string type;    // body_type
  int64_t at_ms = 0;   // when it is stamped: see ForEachStreamLine
  bool setup = false;  // reference data, routing table, calendar, workflow: before the events
};

// Calls `fn` for each non-blank line of `path` in order, until it returns false; dies on a
// line that is not a JSON object with a body_type. A record is stamped (recorded_at) with
// its occurred_at, a ClockTick with its `now`, anything else with the last clock's time:
// the times engine_bench's generator stamps them with, so a stream read back makes the same
// log byte for byte. Returns the lines seen.
uint64_t ForEachStreamLine(const std::string& path, const std::function<bool(StreamLine&)>& fn);

// Non-blank lines in `path`.
uint64_t CountStreamLines(const std::string& path);

// Writes the generated streams into `dir`: mix.jsonl (setup, then PublishMix with `mix`) and
// timers.jsonl (setup at mix.start_ms, `timers` reports about distinct sites then, and one
// ClockTick at `timers_tick_ms`). Every record is validated as ingress validates it.
MixCounts WriteStreams(const City& city, const MixOptions& mix, uint32_t partitions,
                       uint64_t timers, int64_t timers_tick_ms, const std::string& dir);

}  // namespace closeloop::bench
