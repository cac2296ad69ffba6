#include "connectors/rocksdb/rocks_db.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <set>

namespace closeloop::rocks {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string m = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(m);
  if (s.IsCorruption()) return Corruption(m);
  if (s.IsIOError()) {
    // "lock hold by current process" / "Resource temporarily unavailable": another
    // process has the data directory open.
    if (s.ToString().find("lock") != std::string::npos) {
      return Unavailable(m + " (is a closeloop server already using this data directory?)");
    }
    return IOError(m);
  }
  if (s.IsInvalidArgument()) return InvalidArgument(m);
  return Internal(m);
}

Result<std::unique_ptr<RocksDb>> RocksDb::Open(const std::string& dir, const DbOptions& options) {
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = options.create_if_missing;
  db_opts.create_missing_column_families = true;
  db_opts.max_background_jobs = 2;
  db_opts.bytes_per_sync = 1 << 20;
  db_opts.keep_log_file_num = 5;

  rocksdb::ColumnFamilyOptions cf;
  cf.OptimizeLevelStyleCompaction();
  cf.compression = rocksdb::kLZ4Compression;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.level_compaction_dynamic_level_bytes = true;

  std::set<std::string> wanted = {rocksdb::kDefaultColumnFamilyName, "log", "meta", "state"};
  for (const auto& f : options.extra_families) wanted.insert(f);
  // Keep families a newer version created, so opening never drops data.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_opts, dir, &existing).ok()) {
    for (const auto& f : existing) wanted.insert(f);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : wanted) descriptors.emplace_back(name, cf);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_opts, dir, descriptors, &handles, &raw)
                          : rocksdb::DB::Open(db_opts, dir, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening " + dir);

  auto out = std::unique_ptr<RocksDb>(new RocksDb());
  out->dir_ = dir;
  out->db_.reset(raw);
  for (auto* h : handles) out->families_[h->GetName()] = h;
  out->write_options_.sync = options.sync;
  out->read_only_ = options.read_only;
  return out;
}

RocksDb::~RocksDb() {
  if (!db_) return;
  for (auto& [name, handle] : families_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* RocksDb::family(const std::string& name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

Status RocksDb::Write(rocksdb::WriteBatch* batch) {
  return FromRocks(db_->Write(write_options_, batch), "write");
}

Status RocksDb::Write(rocksdb::WriteBatch* batch, bool sync) {
  rocksdb::WriteOptions wo = write_options_;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, batch), "write");
}

}  // namespace closeloop::rocks
