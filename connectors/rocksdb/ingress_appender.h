// Appends records from outside (HTTP, files, the demo's agencies) at most once per record
// id: a publisher that re-sends an event after a timeout, or a file published twice, does
// not record it twice. The index "meta" key "ingress/<id>" -> partition (4 BE) + offset
// (8 BE) is written in the same WriteBatch as the records, so the index and the log never
// disagree, even after a crash.
//
// Thread-safe: one mutex serialises check-then-append, so two concurrent copies of one
// event cannot both get in. Use one appender per process for all ingress. The fsync a
// synced append waits for happens after that mutex (and the log's) is released, shared
// with every append made meanwhile (RocksDb::SyncWal): group commit.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"
#include "events/publish.h"

namespace closeloop::rocks {

class IngressAppender {
 public:
  IngressAppender(RocksDb& db, EmbeddedLog& log) : db_(db), log_(log) {}

  // Appends the items not yet in the log, all in one atomic write; acks come back in the
  // order of `items`. An id repeated inside `items` is appended once (later copies are
  // duplicates of the first). On error nothing was appended, except when the fsync itself
  // fails after the write: then the records are in the log but may not survive a power cut,
  // and resending them is answered as duplicates.
  Result<std::vector<events::IngressAck>> Append(const std::vector<events::IngressItem>& items,
                                                 bool sync = true);

  // Where the record with `id` is, if it was appended through an appender.
  Result<std::optional<events::IngressAck>> Find(std::string_view id) const;

  static std::string IndexKey(std::string_view id);

 private:
  Result<std::vector<events::IngressAck>> AppendUnsynced(
      const std::vector<events::IngressItem>& items);

  RocksDb& db_;
  EmbeddedLog& log_;
  std::mutex mu_;
};

}  // namespace closeloop::rocks
