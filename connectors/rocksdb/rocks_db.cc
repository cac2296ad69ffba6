#include "connectors/rocksdb/rocks_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_buffer_manager.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <set>

namespace closeloop::rocks {

namespace {

constexpr std::string_view kDiskFull = "disk full: ";

// RocksDB's info log goes to stderr (the server's log), warnings and errors only, never to a
// LOG file in the data directory: on a full disk, Debian's RocksDB (built with assertions)
// aborted the process on its next log line after one had failed ("sync_without_flush_called_"
// in WritableFileWriter), which is what made a full disk abort the server and every restart.
// Read-only opens also must not rename a running server's LOG.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

}  // namespace

uint64_t FreeBytes(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = path;
  while (!p.empty() && !std::filesystem::exists(p, ec)) p = p.parent_path();
  struct statvfs v {};
  if (statvfs(p.empty() ? "." : p.c_str(), &v) != 0) return 0;
  return static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
}

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
  db_opts.info_log = std::make_shared<StderrLogger>();

  rocksdb::ColumnFamilyOptions cf;
  cf.OptimizeLevelStyleCompaction();
  cf.compression = rocksdb::kLZ4Compression;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.level_compaction_dynamic_level_bytes = true;
  if (options.memory_bytes < DbOptions::kMinMemoryBytes) {
    return InvalidArgument("RocksDB memory budget of " +
                           std::to_string(options.memory_bytes >> 20) + " MiB is under the " +
                           std::to_string(DbOptions::kMinMemoryBytes >> 20) + " MiB it needs");
  }
  // One budget (rocks_db.h): memtables are charged to the block cache, every family's
  // together limited to a fifth of it (64 MiB of the default), so a full budget flushes to
  // compressed tables instead of growing; the level-style default is 512 MiB per family
  // (the live demo's records stayed in memtables and the write-ahead log for minutes). The
  // write-ahead log is cut (the families holding its oldest writes flushed) past twice that.
  // docs/operations.md ("The live demo over a long run") has the figures.
  auto cache = rocksdb::NewLRUCache(options.memory_bytes);
  const uint64_t memtables = options.memory_bytes / 5;
  db_opts.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(memtables, cache);
  db_opts.max_total_wal_size = 2 * memtables;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // point reads: tickets, counters
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = std::clamp<uint64_t>(options.memory_bytes / 16, 4 << 20, 64 << 20);
  cf.max_write_buffer_number = 3;

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
  out->min_free_bytes_ = options.min_free_bytes;
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
  if (broken_) {
    return DiskFull("write refused: the disk holding " + dir_ +
                    " filled up under RocksDB; writes resume once space is freed and the "
                    "database is reopened");
  }
  if (min_free_bytes_ > 0) {
    std::lock_guard lock(free_mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - free_checked_ >= std::chrono::milliseconds(100)) {
      free_bytes_ = FreeBytes(dir_);
      free_checked_ = now;
    }
    if (free_bytes_ < min_free_bytes_) {
      return DiskFull("write refused: " + std::to_string(free_bytes_ >> 20) +
                      " MiB free on the disk holding " + dir_ + ", under the " +
                      std::to_string(min_free_bytes_ >> 20) +
                      " MiB kept free; writes resume by themselves once space is freed");
    }
  }
  Status s = FromRocks(db_->Write(options, batch), "write");
  if (IsDiskFull(s)) broken_ = true;
  return s;
}

Status RocksDb::SyncWal() {
  if (read_only_) return Status::Ok();  // nothing was written
  std::unique_lock lock(sync_mu_);
  const uint64_t wanted = db_->GetLatestSequenceNumber();  // covers the caller's writes
  while (synced_seq_ < wanted) {
    if (syncing_) {
      sync_cv_.wait(lock);  // an fsync that may have started before our write: wait it out
      continue;
    }
    syncing_ = true;
    const uint64_t target = db_->GetLatestSequenceNumber();
    lock.unlock();
    Status s = FromRocks(db_->SyncWAL(), "syncing the write-ahead log");
    ++wal_syncs_;
    lock.lock();
    syncing_ = false;
    if (s.ok()) synced_seq_ = std::max(synced_seq_, target);
    sync_cv_.notify_all();
    if (!s.ok()) {
      if (IsDiskFull(s)) broken_ = true;
      return s;
    }
  }
  return Status::Ok();
}

Status RocksDb::CopyTo(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return IOError("copy of " + dir_ + ": " + s.ToString());
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) return IOError("copy of " + dir_ + " to " + dir + ": " + s.ToString());
  return Status::Ok();
}

Status RocksDb::CopyFamilyTo(const std::string& family, RocksDb& into) const {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, this->family(family)));
  rocksdb::ColumnFamilyHandle* target = into.family(family);
  rocksdb::WriteBatch wb;
  Status written = Status::Ok();
  for (it->SeekToFirst(); it->Valid() && written.ok(); it->Next()) {
    rocksdb::Status s = wb.Put(target, it->key(), it->value());
    if (!s.ok()) written = FromRocks(s, "copying " + family);
    if (written.ok() && wb.GetDataSize() >= (size_t{4} << 20)) {
      written = into.Write(&wb, /*sync=*/false);
      wb.Clear();
    }
  }
  Status read = FromRocks(it->status(), "reading " + family + " to copy it");
  it.reset();
  db_->ReleaseSnapshot(snapshot);
  CL_RETURN_IF_ERROR(written);
  CL_RETURN_IF_ERROR(read);
  if (wb.Count() > 0) CL_RETURN_IF_ERROR(into.Write(&wb, /*sync=*/false));
  return Status::Ok();
}

}  // namespace closeloop::rocks
