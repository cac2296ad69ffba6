// Counters the engine keeps as tickets change, so that overviews, metrics and reports are
// read from a few keys per department instead of from every ticket (engine/keys.h):
//
//   P g.<lead>.<jurisdiction>.<escalated_to>.<loop>.<workflow>.<state>
//       -> tickets, open, overdue (open and overdue now), ever_overdue, closed_late
//   P G.<assisting department>.<lead>.<jurisdiction>.<escalated_to>.<loop>.<workflow>.<state>
//       -> the same, for the tickets that department assists on
//   P y.<quarter-hour>.<lead>.<jurisdiction>.<escalated_to>
//       -> how much the open-and-overdue count of that cell changed in that quarter-hour
//   P Y.<quarter-hour>.<assisting department>.<lead>.<jurisdiction>.<escalated_to>
//       -> the same, for the tickets that department assists on
//
// A cell's coordinates are what a reader's scope is decided on (the lead, the ticket's
// jurisdiction, where the ladder sent it, who assists), so a caller counts exactly the
// tickets it may see by filtering cells. Values are 8-byte big-endian two's complement.
// The changes are kept per quarter-hour (every time zone's midnight is on one) at the time
// of the record that made them, so "overdue at the end of a past day" is today's count less
// the changes after it, read from the log's own times: the same on live and on replay.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "engine/store.h"
#include "engine/ticket.h"

namespace closeloop::engine {

constexpr int64_t kCounterBucketMs = 15 * 60 * 1000;

// Moves `before`'s contribution to the counters (if any) to `after`'s, at time `at` (ms: the
// time of the record being applied).
Status UpdateCounters(Overlay& state, uint32_t partition, const std::optional<Ticket>& before,
                      const Ticket& after, int64_t at);

struct CounterCell {
  std::string assist;  // "" for the lead's own cells (g); else the assisting department (G)
  std::string lead, jurisdiction, escalated_to, loop, workflow, state;
  int64_t tickets = 0, open = 0, overdue = 0, ever_overdue = 0, closed_late = 0;
};
// Every counter cell of every partition (g, then G), partition by partition.
Status ForEachCounterCell(const StateReader& state, uint32_t partitions,
                          const std::function<void(const CounterCell&)>& fn);

struct OverdueChange {
  int64_t bucket_end = 0;  // the quarter-hour (b*Q, (b+1)*Q] it happened in ends here
  std::string assist, lead, jurisdiction, escalated_to;
  int64_t delta = 0;
};
// The changes of the open-and-overdue counts in quarter-hours that end after `after` (ms).
Status ForEachOverdueChange(const StateReader& state, uint32_t partitions, int64_t after,
                            const std::function<void(const OverdueChange&)>& fn);

}  // namespace closeloop::engine
