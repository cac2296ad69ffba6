// Appends records from outside (HTTP, files, the demo's agencies) at most once per record
// id: a publisher that re-sends an event after a timeout, or a file published twice, does
// not record it twice. The index "meta" key "ingress/<id>" -> partition (4 BE) + offset
// (8 BE) is written in the same WriteBatch as the records, so the index and the log never
// disagree, even after a crash.
//
// Thread-safe: one mutex serialises check-then-append, so two concurrent copies of one
// event cannot both get in. Use one appender per process for all ingress.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"

namespace closeloop::rocks {

struct IngressItem {
  std::string id;
  std::string bytes;                 // stamped, ready to append
  std::vector<uint32_t> partitions;  // one, or every partition for control records
};

struct IngressAck {
  std::string id;
  uint32_t partition = 0;  // where the record (its first copy) is
  uint64_t offset = 0;
  bool duplicate = false;  // already in the log: nothing was appended for it
};

class IngressAppender {
 public:
  IngressAppender(RocksDb& db, EmbeddedLog& log) : db_(db), log_(log) {}

  // Appends the items not yet in the log, all in one atomic write; acks come back in the
  // order of `items`. An id repeated inside `items` is appended once (later copies are
  // duplicates of the first). On error nothing was appended.
  Result<std::vector<IngressAck>> Append(const std::vector<IngressItem>& items, bool sync = true);

  // Where the record with `id` is, if it was appended through an appender.
  Result<std::optional<IngressAck>> Find(std::string_view id) const;

  static std::string IndexKey(std::string_view id);

 private:
  RocksDb& db_;
  EmbeddedLog& log_;
  std::mutex mu_;
};

}  // namespace closeloop::rocks
