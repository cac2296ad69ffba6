// Who did what, when, with what result: every write through the API and every read by an
// auditor or inspector. Kept in the node's RocksDB as a tamper-evident chain (a Merkle tree
// the checkpoints sign: connectors/rocksdb/access_chain.h), readable by admins and auditors
// through GET /v1/admin/access-log and checked by GET /v1/audit/verify.
// It never holds a secret: credential query parameters are redacted before an entry is
// written (secrets.h), and no field carries a token (token ids are hash prefixes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "connectors/rocksdb/access_chain.h"

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
  // Opens the chain (moving entries of older data directories into it); a failure is kept
  // and reported by every Record (in the server log) and List (to the caller).
  explicit AccessLog(rocks::RocksDb& db);
  // Best effort by design: a failure to write the entry is logged, the request stands.
  // Redacts the entry's target (RedactTarget) before writing it.
  void Record(const AccessEntry& entry);
  // Entries at or after `since_ms`, oldest first, at most `limit` (JSON objects).
  Result<std::vector<std::string>> List(int64_t since_ms, size_t limit) const;

 private:
  Result<std::unique_ptr<rocks::AccessChain>> chain_;
};

}  // namespace closeloop::http
