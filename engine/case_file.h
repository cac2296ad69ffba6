// The case file: what was reported about a ticket, as the agencies and people reported it.
// The opening event's whole record and every ingress record attached or applied to the
// ticket later (storm duplicates, repeated calls, a sensor's return to normal, a case step,
// evidence and callbacks), in the order the engine took them in. The engine keeps only where
// each record is (keys::Case); the records themselves are read from the log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/store.h"
#include "events/log.h"

namespace closeloop::engine {

struct CaseEntry {
  std::string relation;  // "opened", "attached", "event", "evidence", "callback"
  uint32_t partition = 0;
  uint64_t offset = 0;  // the record's place in the log
  std::string record;   // the ingress record's bytes, verified
};

// The case file of ticket `id`, in order; with `as_of_ms`, only records recorded by then.
// A record the log no longer holds (or that fails verification) is an error, never skipped.
Result<std::vector<CaseEntry>> CaseFile(const StateReader& state, const events::Log& log,
                                        uint32_t partitions, std::string_view id,
                                        int64_t as_of_ms = INT64_MAX);

}  // namespace closeloop::engine
