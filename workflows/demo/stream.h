// The demo city's record stream, generated: a pure function of (scale, seed, partitions)
// and the files it reads (workflows/reference, the deployed workflows/*.wf), so the same
// inputs write the same bytes on every run.
//
// The stream, as `closeloop publish` takes it (one JSON record a line, each with a fixed id):
//  1. a ClockTick at the start, the reference data (docs/reference-data.md's order; the
//     enterprises table grown to the scale), then a WorkflowDeployed per workflow;
//  2. a ClockTick every `tick_minutes`, and between ticks what the agencies publish
//     (agencies.h) and what staff do about the tickets the engine will have opened
//     (staff.h): staff commands name tickets by the ids the engine will derive
//     (engine/step.cc NewTicketId: from the opening record's id, the subject's partition
//     and the partition's clock), which Foresight predicts.
// So the log must have `partitions` partitions (a new data directory has 4).
//
// Not modelled here: staff acting on tickets the engine opens by itself (chained oversight
// tickets, scheduled duties: their ids depend on the engine's own scans); those wait for
// the live demo's staff, who read the engine's state. Enterprises answer their duties with
// SelfInspection records, which need no ticket id.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "workflows/demo/agencies.h"

namespace closeloop::demo {

enum class Scale { kSmall, kCity };
Result<Scale> ParseScale(std::string_view name);  // "small" | "city"

struct StreamOptions {
  Scale scale = Scale::kSmall;
  uint64_t seed = 1;
  uint32_t partitions = 4;
  std::string reference_dir;  // workflows/reference (Nanjing), workflows/cities/taicang
  std::string workflows_dir;  // every *.wf in it is deployed, in file-name order
  // 0 = the scale's own: small the reference enterprises, 14 days from Mon 2026-03-02, a
  // tick every 10 minutes; city the city's register size (demo.json: Nanjing 24,000,
  // Taicang 6,173), 365 days from Wed 2025-01-01, every 10 minutes.
  size_t enterprises = 0;
  int days = 0;
  int64_t start_ms = 0;
  int tick_minutes = 0;
};

// The agencies' rates at a scale (per day, city-wide): small's are the same for every city;
// city's are the city's own (its demo.json).
Rates RatesFor(Scale scale, const City& city);

struct StreamCounts {
  uint64_t records = 0;  // lines written
  uint64_t setup = 0;    // reference data, routing, workflows
  uint64_t ticks = 0;
  uint64_t commands = 0;
  uint64_t tickets = 0;  // tickets Foresight expects the engine to open from events
  size_t enterprises = 0;
  int64_t start_ms = 0, end_ms = 0;
  std::map<std::string, uint64_t> by_type;  // every record by body type
};

// Writes the stream, one record (JSON, no newline) per call of `sink`.
Result<StreamCounts> GenerateStream(const StreamOptions& options,
                                    const std::function<void(std::string_view)>& sink);

// The workflow sources of `dir` (*.wf), sorted by file name: (file name, source).
Result<std::vector<std::pair<std::string, std::string>>> ReadWorkflows(const std::string& dir);

}  // namespace closeloop::demo
