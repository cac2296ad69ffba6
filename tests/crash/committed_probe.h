// How many records a data directory's log holds, read without taking the database's lock
// and without writing anything: what the crash harness looks at between two publisher
// runs, leaving crash recovery to the next `closeloop` process.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace closeloop::crash {

// The sum of every partition's end offset as stored in the "meta" family (the heads the
// log writes in the same batch as its records; see connectors/rocksdb/embedded_log.h).
// 0 when the directory holds no database, or one whose log was never created.
// REQUIRES: no process is writing to `dir` (a read-only open sees a snapshot).
Result<uint64_t> CommittedRecords(const std::string& dir);

}  // namespace closeloop::crash
