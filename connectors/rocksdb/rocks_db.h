// One RocksDB database holding everything a node keeps: the log (column family "log"),
// log metadata ("meta") and the engine's derived state (families the engine's store asks
// for). Keeping them in one database is what lets one WriteBatch hold a processed record's
// state changes, its emitted records and its input position: all or nothing.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::rocks {

struct DbOptions {
  // fsync the WAL on every write. Off survives a process crash (kill -9) but not a power
  // cut; on survives both.
  bool sync = true;
  bool create_if_missing = true;
  // Open without taking the directory's lock, for reading while a server runs (replay,
  // digest, queries). Writes fail.
  bool read_only = false;
  // Column families beyond "log" and "meta" (e.g. the engine's state families).
  std::vector<std::string> extra_families;
  // Writes are refused (DiskFull) while the filesystem has less free space than this, before
  // RocksDB runs out: 0 = no guard.
  uint64_t min_free_bytes = 0;
  // RocksDB's memory, one budget: one LRU block cache (with index and filter blocks) that
  // the memtables of every column family are charged to (a WriteBufferManager of a fifth of
  // it). RocksDB's own defaults would let memtables alone reach gigabytes.
  uint64_t memory_bytes = kDefaultMemoryBytes;
  static constexpr uint64_t kDefaultMemoryBytes = uint64_t{320} << 20;
  static constexpr uint64_t kMinMemoryBytes = uint64_t{32} << 20;
};

// Thread-safe (RocksDB is). Column family handles live as long as the RocksDb.
class RocksDb {
 public:
  static Result<std::unique_ptr<RocksDb>> Open(const std::string& dir, const DbOptions& options);
  ~RocksDb();

  rocksdb::DB* db() { return db_.get(); }
  // REQUIRES: `name` was opened ("log", "meta", "default" or one of extra_families).
  rocksdb::ColumnFamilyHandle* family(const std::string& name) const;
  const std::string& dir() const { return dir_; }
  bool read_only() const { return read_only_; }

  Status Write(rocksdb::WriteBatch* batch);
  // `sync` overrides DbOptions::sync for this write. The engine's commits are re-derivable
  // from the log, so they need not fsync; a later synced write makes them durable too (the
  // WAL is sequential).
  Status Write(rocksdb::WriteBatch* batch, bool sync);

  // Makes every write that returned before this call durable (fsyncs the WAL), outside any
  // lock of the log: callers arriving while an fsync runs wait for the next one, which then
  // covers all of them (group commit). Ingress writes without sync and calls this before
  // it answers, so one fsync serves many requests and the engine's commits never wait
  // behind an fsync (ingress_appender.h).
  Status SyncWal();
  uint64_t wal_syncs() const { return wal_syncs_.load(); }  // fsyncs SyncWal made

  // A consistent copy of the whole database in `dir` (which must not exist), made of hard
  // links where `dir` is on the same file system: a scratch copy to try a change on first
  // (`closeloop import`).
  Status CopyTo(const std::string& dir);
  // Copies every key of `family`, as this database holds it now, into the same family of
  // `into` in batches of a few MB: `closeloop replay --into` carries the log and its
  // metadata over verbatim, so the new directory is a whole node, not state alone.
  Status CopyFamilyTo(const std::string& family, RocksDb& into) const;

  // A full disk. While free space is under DbOptions::min_free_bytes, writes are refused
  // (DiskFull) before RocksDB sees them, and accepted again as soon as there is room. A write
  // that RocksDB itself fails for lack of space is not applied (a batch is written whole or
  // not at all); RocksDB then refuses writes until resumed, and Debian's RocksDB 7.8 aborts
  // on an assertion when a write follows a resume (its WAL writer keeps the error). So every
  // write is refused from then on and `needs_reopen()` says so: the owner closes and reopens
  // the database once there is room (`serve` does, app/cmd_serve.cc). Reads are unaffected.
  bool needs_reopen() const { return broken_; }

 private:
  RocksDb() = default;
  Status DoWrite(rocksdb::WriteBatch* batch, const rocksdb::WriteOptions& options);
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;  // owned via db_
  rocksdb::WriteOptions write_options_;
  bool read_only_ = false;
  uint64_t min_free_bytes_ = 0;
  std::atomic<bool> broken_{false};
  std::mutex free_mu_;
  std::chrono::steady_clock::time_point free_checked_{};  // GUARDED_BY(free_mu_)
  uint64_t free_bytes_ = 0;                               // GUARDED_BY(free_mu_)
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool syncing_ = false;     // GUARDED_BY(sync_mu_)
  uint64_t synced_seq_ = 0;  // GUARDED_BY(sync_mu_): writes up to it are durable
  std::atomic<uint64_t> wal_syncs_{0};
};

// Converts a RocksDB status into ours, keeping its message; lack of space is DiskFull.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

// Free bytes for an unprivileged writer on the filesystem holding `path` (or its nearest
// existing parent); 0 if unknown.
uint64_t FreeBytes(const std::string& path);

// The storage is full: nothing was written; retrying after space is freed will work. It is
// Unavailable (retry later) to callers that do not look closer; the HTTP API answers 507.
Status DiskFull(std::string message);
bool IsDiskFull(const Status& s);

}  // namespace closeloop::rocks
