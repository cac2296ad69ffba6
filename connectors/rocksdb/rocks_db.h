// One RocksDB database holding everything a node keeps: the log (column family "log"),
// log metadata ("meta") and the engine's derived state (families the engine's store asks
// for). Keeping them in one database is what lets one WriteBatch hold a processed record's
// state changes, its emitted records and its input position: all or nothing.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
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
};

// Thread-safe (RocksDB is). Column family handles live as long as the RocksDb.
class RocksDb {
 public:
  static Result<std::unique_ptr<RocksDb>> Open(const std::string& dir, const DbOptions& options);
  ~RocksDb();

  rocksdb::DB* db() { return db_.get(); }
  // REQUIRES: `name` was opened ("log", "meta", "default" or one of extra_families).
  rocksdb::ColumnFamilyHandle* family(const std::string& name) const;
  bool has_family(const std::string& name) const { return families_.count(name) > 0; }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }
  const std::string& dir() const { return dir_; }
  bool read_only() const { return read_only_; }

  Status Write(rocksdb::WriteBatch* batch);
  // `sync` overrides DbOptions::sync for this write. The engine's commits are re-derivable
  // from the log, so they need not fsync; a later synced write makes them durable too (the
  // WAL is sequential).
  Status Write(rocksdb::WriteBatch* batch, bool sync);

 private:
  RocksDb() = default;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;  // owned via db_
  rocksdb::WriteOptions write_options_;
  bool read_only_ = false;
};

// Converts a RocksDB status into ours, keeping its message.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace closeloop::rocks
