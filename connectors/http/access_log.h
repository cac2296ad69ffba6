// Who did what, when, with what result: every write through the API and every read by an
// auditor or inspector. Kept in the node's RocksDB ("meta" family, keys "access/<time>/<n>"),
// in time order, readable by admins and auditors through GET /v1/admin/access-log.
// It never holds a secret: credential query parameters are redacted before an entry is
// written (secrets.h), and no field carries a token (token ids are hash prefixes).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::rocks {
class RocksDb;
}

namespace closeloop::http {

struct AccessEntry {
  int64_t at = 0;  // wall clock, ms
  std::string user;
  std::string role;
  std::string method;
  std::string target;  // path and query, credential parameters' values "[redacted]"
  int status = 0;
  std::string detail;  // e.g. the ids appended, the verb applied
  std::string remote;  // client address

  std::string ToJson() const;
};

class AccessLog {
 public:
  explicit AccessLog(rocks::RocksDb& db) : db_(db) {}
  // Best effort by design: a failure to write the entry is logged, the request stands.
  // Redacts the entry's target (RedactTarget) before writing it.
  void Record(const AccessEntry& entry);
  // Entries at or after `since_ms`, oldest first, at most `limit` (JSON objects).
  Result<std::vector<std::string>> List(int64_t since_ms, size_t limit) const;

 private:
  rocks::RocksDb& db_;
  std::atomic<uint64_t> seq_{0};
};

}  // namespace closeloop::http
