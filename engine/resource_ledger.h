// The resource ledger (调度台账): which rescue teams and experts are committed to which open
// incident, how much of each depot's stock has been drawn, and which experts declined which
// incident. Engine state derived from the log, like tickets: nothing but the three records
// below changes it, so a replay (rebuild or reprocess) comes out the same.
//
//   P rt.<team>               the incident ticket holding the team
//   P re.<expert>             the incident ticket holding the expert
//   P rs.<depot>.<item>       the depot table's version (8 bytes) and the quantity drawn
//                             against that version's stock (8 bytes)
//   P rd.<ticket>.<expert>    the expert declined that incident (value: the reason)
//
// A team or expert dispatched (ResourcesDispatched) stays committed until a ResourcesReleased
// of the same incident names it (the incident stood down, or the command centre released
// it), or, for an expert, until they decline (ExpertAnswered). Materials are drawn, not
// lent: a draw lowers the stock until the depot's table is published again with a newer
// version, which states the stock as counted then (a draw recorded against an older version
// no longer counts; one recorded against a newer version than this partition has seen
// resets the count to it).
//
// One city, one ledger: the three records are copied to every partition (Step::Emit), and
// each partition's processor applies its own records (applier.cc) and the others' copies
// (processor.cc) in its log's order. A dispatch decides on the ledger as its partition has
// read it: two dispatches decided in different partitions within the moment it takes a copy
// to arrive could both take the same team. Both records say so (each names the team); the
// ledger then holds it for the incident whose record it applied last, and releases it when
// that incident does (docs/loops.md, "Resources").
//
// Thread-safety: functions of their arguments; the state must not change meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "engine/store.h"
#include "events/record.h"

namespace closeloop::engine {

// What the ledger says, read at once for one decision about incident `ticket`.
struct LedgerView {
  std::map<std::string, std::string, std::less<>> teams;    // team -> incident holding it
  std::map<std::string, std::string, std::less<>> experts;  // expert -> incident holding them
  // (depot, item) -> (table version, quantity drawn against it)
  std::map<std::pair<std::string, std::string>, std::pair<uint32_t, int64_t>> drawn;
  std::map<std::string, std::string, std::less<>> declined;  // expert -> reason, for `ticket`

  // What has been drawn of the item at the depot against the stock of `version`.
  int64_t DrawnOf(std::string_view depot, std::string_view item, uint32_t version) const;
  // The incident holding a team / an expert; "" when free.
  std::string TeamHolder(std::string_view team) const;
  std::string ExpertHolder(std::string_view expert) const;
};

// Reads the ledger of partition p, with the declines of incident `ticket`.
Result<LedgerView> ReadLedger(const StateReader& state, uint32_t p, std::string_view ticket);

// Whether records of this type change the ledger (and are copied to every partition).
bool IsLedgerRecord(fb::Body type);

// Folds a ResourcesDispatched, ResourcesReleased or ExpertAnswered into partition p's
// ledger in `state`; other records change nothing.
Status ApplyToLedger(const fb::Record& record, uint32_t p, Overlay& state);

}  // namespace closeloop::engine
