// The access log's storage, tamper-evident: entries (the HTTP layer's JSON lines) appended in
// order, each a leaf of a Merkle tree built exactly as a log partition's (RFC 9162,
// events/merkle.h), its frontier written in the same WriteBatch as the entry. The
// Checkpointer signs the tree's head like a partition's (origin "<log>/access"), so an entry
// altered, removed or reordered afterwards fails VerifyAccessChain against what was signed.
//
// Keys in the "meta" family: "acc/e/<seq, 8 bytes BE>" the entry; "acc/t/<time ms, 8 BE>
// <seq, 8 BE>" (empty) the time index; "acc/tree" the frontier (MerkleFrontier::Encode).
// Entries of data directories from before the chain ("access/<time>/<n>") are moved into it,
// in their order, the first time it is opened.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/rocksdb/rocks_db.h"
#include "events/merkle.h"

namespace closeloop::rocks {

class AccessChain {
 public:
  static Result<std::unique_ptr<AccessChain>> Open(RocksDb* db);

  // Appends one entry at `at_ms`; thread-safe. `sync` as RocksDb::Write.
  Status Append(int64_t at_ms, std::string_view entry, bool sync = false);
  // Entries at or after `since_ms`, in time order, at most `limit`.
  Result<std::vector<std::string>> List(int64_t since_ms, size_t limit) const;
  // Every entry from (`since_ms`, `from_seq`) on, in time order (then sequence): `fn(at_ms,
  // seq, entry)` answers false to stop. A filtered listing resumes from the last seq it saw.
  Status Scan(int64_t since_ms, uint64_t from_seq,
              const std::function<bool(int64_t, uint64_t, std::string_view)>& fn) const;

 private:
  explicit AccessChain(RocksDb* db) : db_(db) {}
  RocksDb* const db_;
  std::mutex mu_;
  events::MerkleFrontier tree_;  // GUARDED_BY(mu_)
};

// The tree's head as committed (size 0 and the empty root before the first entry).
Result<events::TreeHead> AccessTreeHead(RocksDb& db);

// Walks every entry in order and recomputes the tree: "" when it matches the committed head
// and, for each `signed_roots` (tree size -> root, from the access log's checkpoints), the
// root at that size; else the first problem, with the entry's position.
Result<std::string> VerifyAccessChain(RocksDb& db,
                                      const std::map<uint64_t, events::Hash>& signed_roots);

}  // namespace closeloop::rocks
