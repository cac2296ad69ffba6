// Who did what, when, with what result: every write through the API and every read by an
// auditor or inspector. Kept in the node's RocksDB as a tamper-evident chain (a Merkle tree
// the checkpoints sign: connectors/rocksdb/access_chain.h), readable by admins and auditors
// through GET /v1/admin/access-log and checked by GET /v1/audit/verify.
// It never holds a secret: credential query parameters are redacted before an entry is
// written (secrets.h), and no field carries a token (token ids are hash prefixes).
#pragma once

#include <cstdint>
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

// What GET /v1/admin/access-log asks for: entries from `since` to `until` (ms, inclusive), of
// `user` (exact), naming `ticket` (in the target or the detail), after `cursor` (from the
// previous page), at most `limit`; no more than `scan_limit` entries are read per call.
struct AccessFilter {
  int64_t since = 0;
  int64_t until = INT64_MAX;
  std::string user;
  std::string ticket;
  std::string cursor;
  size_t limit = 100;
  size_t scan_limit = 100000;
};

// A page of matching entries (JSON objects) and, when it stopped before the end (the page is
// full, or `scan_limit` entries were read), where the next page starts.
struct AccessPage {
  std::vector<std::string> entries;
  std::string next_cursor;
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
  // The entries `filter` selects, oldest first. InvalidArgument for a cursor it did not give.
  Result<AccessPage> Find(const AccessFilter& filter) const;

 private:
  Result<std::unique_ptr<rocks::AccessChain>> chain_;
};

}  // namespace closeloop::http
