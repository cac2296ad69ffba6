#include "connectors/rocksdb/rocks_db.h"

#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <cstdarg>
#include <set>

namespace closeloop::rocks {

namespace {

constexpr std::string_view kDiskFull = "disk full: ";

// Read-only opens log nowhere: RocksDB's info log would otherwise rename a running server's
// LOG and need space on a disk that may be full.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

}  // namespace

Status DiskFull(std::string message) { return Unavailable(std::string(kDiskFull) + message); }

bool IsDiskFull(const Status& s) {
  return s.code() == Code::kUnavailable && s.message().rfind(kDiskFull, 0) == 0;
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string m = std::string(context) + ": " + s.ToString();
  if (s.IsNoSpace() || m.find("No space left on device") != std::string::npos) {
    return DiskFull(m);
  }
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

  if (options.read_only) db_opts.info_log = std::make_shared<NullLogger>();

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

Status RocksDb::Write(rocksdb::WriteBatch* batch) { return DoWrite(batch, write_options_); }

Status RocksDb::Write(rocksdb::WriteBatch* batch, bool sync) {
  rocksdb::WriteOptions wo = write_options_;
  wo.sync = sync;
  return DoWrite(batch, wo);
}

Status RocksDb::DoWrite(rocksdb::WriteBatch* batch, const rocksdb::WriteOptions& options) {
  if (read_only_) {
    // `serve` opens read-only when the disk is too full to open for writing (cmd_serve.cc).
    return DiskFull("write refused: " + dir_ + " is open read-only (the disk was full)");
  }
  if (disk_full_) {
    // RocksDB keeps refusing writes after a failure for lack of space until it is resumed;
    // try that at most once a second, not on every request of a busy server.
    std::lock_guard lock(resume_mu_);
    auto now = std::chrono::steady_clock::now();
    if (disk_full_ && now - last_resume_ >= std::chrono::seconds(1)) {
      last_resume_ = now;
      if (db_->Resume().ok()) disk_full_ = false;
    }
    if (disk_full_) {
      return DiskFull("write refused: the disk holding " + dir_ +
                      " is full; writes resume by themselves once space is freed");
    }
  }
  Status s = FromRocks(db_->Write(options, batch), "write");
  if (IsDiskFull(s)) {
    std::lock_guard lock(resume_mu_);
    disk_full_ = true;
    last_resume_ = std::chrono::steady_clock::now();
  }
  return s;
}

}  // namespace closeloop::rocks
