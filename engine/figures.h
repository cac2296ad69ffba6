// The figures a bureau reports, kept by the engine as tickets change (a projection, like
// engine/counters.h; never a scan of tickets). Each figure is a *flow*: something that
// happened to a ticket on a local civil day, counted on that day and never taken back:
//
//   P r.<day>.<lead>.<street>.<workflow>.<origin>.<kind>.<label>
//       -> count, on_time, confirmed (three 8-byte big-endian integers)
//
//   day       the record's own time as a local civil date (days since 1970-01-01) on the
//             calendar of the ticket's workflow (the city's calendar, `calendar prc`);
//   lead      the lead department (主办) when it happened;
//   street    the ticket's jurisdiction cut to its street or town (district.street; a
//             ticket placed only in a district keeps the district's code);
//   origin    how the ticket came: its `channel` fact (hotline_12345, sensor, inspection,
//             grid_inspector, self_report, video, ...) when the workflow keeps one, else
//             "schedule" (a periodic duty), "chain" (a follow-up chained to another ticket),
//             or, for a ticket an agency's event opened, its loop ("incident", "request",
//             "violation", "prevention");
//   kind      opened     the ticket got its first lead (opened and routed); label "";
//             confirmed  its `confirmed` fact turned true (a hazard verified real and
//                        ordered rectified); label "";
//             late       it was marked overdue for the first time; label "";
//             closed     it closed; label = its outcome (rectified, false_alarm, closure,
//                        suspension, inspected, ...); on_time = 1 when it was never overdue,
//                        confirmed = 1 when its `confirmed` fact was true.
//
// Every ticket is opened once, closed once and late at most once, so a ticket's timeliness
// is decided exactly once: on time when it closes never overdue, late when first marked
// overdue (figure_report.h builds the rates on that). Because the processor's clock never
// goes back, a day's cells stop changing once the partition's clock has passed that day: the
// figures of a past period, as of any later moment, are the cells as they are, and a replay
// (rebuild or reprocess) writes the same cells byte for byte, the day being the record's.
// The cost is the number of (day, department, street, workflow, origin, outcome) met, not the
// number of tickets; a ticket change that moves no figure writes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/calendar.h"
#include "engine/store.h"
#include "engine/ticket.h"

namespace closeloop::engine {

// What a change of a ticket moves, decided on a few fields (most changes move nothing, and
// then no key is built and no calendar looked up).
struct FigureChange {
  bool opened = false, confirmed = false, late = false, closed = false;
  bool any() const { return opened || confirmed || late || closed; }
};
FigureChange FigureChangeOf(const std::optional<Ticket>& before, const Ticket& after);

// Adds `change` (of `after`) to the cells of the local day of `at` (ms: the time of the
// record being applied) on `calendar` (the ticket's workflow's).
Status UpdateFigures(Overlay& state, uint32_t partition, const Ticket& after,
                     const FigureChange& change, int64_t at, const Calendar& calendar);

// The origin a ticket is counted under (see above).
std::string FigureOrigin(const Ticket& t);
// "xuanwu.meiyuan.g03" -> "xuanwu.meiyuan"; "xuanwu" -> "xuanwu"; "" -> "".
std::string_view StreetOf(std::string_view jurisdiction);
// "xuanwu.meiyuan" -> "xuanwu".
std::string_view DistrictOf(std::string_view jurisdiction);

struct FigureCell {
  int64_t day = 0;
  std::string lead, street, workflow, origin, kind, label;
  int64_t count = 0, on_time = 0, confirmed = 0;
};
// Every figure cell of days first_day..last_day (inclusive), partition by partition, each
// partition's in day order. Corruption when a cell is malformed.
Status ForEachFigureCell(const StateReader& state, uint32_t partitions, int64_t first_day,
                         int64_t last_day, const std::function<void(const FigureCell&)>& fn);

}  // namespace closeloop::engine
