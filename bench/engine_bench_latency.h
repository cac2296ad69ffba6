// Publish-to-routed latency at a fixed offered load, the engine run as `closeloop serve`
// runs it: one processor thread per partition waking on appends (EmbeddedLog::WaitForAppend),
// while an ingress thread appends records at their scheduled arrival times, fsyncing each
// append (the log's sync on, as publish and serve ingress do). Records that arrived while the
// previous append was in flight go in the next append together (group commit).
// Latency of a record: from its scheduled arrival to the moment its partition's processor
// has committed it (its decisions, e.g. the ticket opened and routed, are durable in the
// state store). Measured from the schedule, not from the send, so a stalled ingress is
// counted (no coordinated omission). Clock ticks are offered but not sampled.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "bench/stream.h"

namespace closeloop::bench {

struct LatencyRun {
  uint64_t offered = 0, samples = 0, appends = 0;
  double rate = 0;     // offered records per second
  double seconds = 0;  // from the first arrival to the last record processed
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

// Percentiles of `ms` (sorted in place) into `run`.
void FillPercentiles(std::vector<double>& ms, LatencyRun& run);

// Publishes `setup` and processes it, then offers `lines` at `rate` records per second into a
// fresh data directory `dir` with `partitions` partitions.
LatencyRun RunEngineLatency(const std::filesystem::path& dir, uint32_t partitions,
                            const std::vector<StreamLine>& setup,
                            const std::vector<StreamLine>& lines, double rate);

}  // namespace closeloop::bench
