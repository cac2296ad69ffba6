// engine_bench's plumbing: a data directory opened as `closeloop` opens one (RocksDB, the
// embedded log, the engine's state store), a state store that counts what the engine writes,
// a batching publisher, processing loops (one thread, or one thread per partition as serve
// runs them), RocksDB's db_bench as the reference, and the process's memory and disk use.
// Not thread-safe unless a function says so.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/rocks_store.h"
#include "engine/processor.h"

namespace closeloop::events {
class JsonCodec;
}

namespace closeloop::bench {

[[noreturn]] void Die(const std::string& why);
// Dies with `what` when `s` is not OK.
void Check(const Status& s, const std::string& what);
template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Check(r.status(), what);
  return std::move(*r);
}

double Seconds(std::chrono::steady_clock::time_point since);
// CPU time of the whole process (all threads) so far.
double CpuSeconds();

// A data directory as app/node.h opens it (same RocksDb::Open options), sync off: the
// engine's own commits never fsync (RocksStore::Commit), and publishing is not measured.
struct BenchNode {
  std::unique_ptr<rocks::RocksDb> db;
  std::unique_ptr<rocks::EmbeddedLog> log;
  std::unique_ptr<rocks::RocksStore> store;

  // sync: fsync every write (the log's appends, as `closeloop publish` and serve ingress do;
  // RocksStore::Commit never syncs the engine's own commits either way).
  static BenchNode Open(const std::filesystem::path& dir, uint32_t partitions,
                        bool read_only = false, bool sync = false);
  uint32_t partitions() const { return log->partition_count(); }
  // A RocksDB checkpoint (hard links) of the whole database into `dir`, which must not exist.
  void CheckpointTo(const std::filesystem::path& dir);
  // Flushes every memtable so the directory's size is what the data takes on disk.
  void Flush();
};

// Forwards to `base` and counts what commits write: state keys and values (a deletion
// counts its key) and appended record bytes. Thread-safe as `base` is; `base` must outlive it.
class CountingStore final : public engine::StateStore {
 public:
  explicit CountingStore(engine::StateStore& base) : base_(base) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return base_.Get(key);
  }
  Status Scan(std::string_view from, std::string_view to, const engine::ScanFn& fn) const override {
    return base_.Scan(from, to, fn);
  }
  Result<std::vector<events::AppendedRange>> Commit(
      const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
      const std::vector<engine::RecordRef>& refs) override;
  bool ResolvesRecordRefs() const override { return base_.ResolvesRecordRefs(); }
  events::Log& log() override { return base_.log(); }

  uint64_t state_bytes() const { return state_bytes_; }
  uint64_t state_writes() const { return state_writes_; }
  uint64_t record_bytes() const { return record_bytes_; }
  uint64_t records() const { return records_; }
  uint64_t commits() const { return commits_; }

 private:
  engine::StateStore& base_;
  std::atomic<uint64_t> state_bytes_{0}, state_writes_{0}, record_bytes_{0}, records_{0},
      commits_{0};
};

// Appends ingress/control records (JSON with their "id" set) in batches of `batch` records
// per EmbeddedLog::Append, each to the partitions events::TargetPartitions names.
class Publisher {
 public:
  Publisher(events::Log& log, size_t batch);
  // A dry run: validates and counts records for `partitions`, appends nothing; with Tee set,
  // that is how a stream file is written without a data directory.
  Publisher(uint32_t partitions, size_t batch);
  ~Publisher();
  // Every record added from now on is also written to `*out` as one JSON line, exactly as
  // given (with its "id"): the stream `closeloop publish` and pg_bench read. `*out` must
  // outlive the Publisher or the next Tee(nullptr).
  void Tee(std::ostream* out) { tee_ = out; }
  // Stamps the record as the ingress boundary does (recorded_at = `at_ms`) and queues it.
  void Add(std::string_view json, int64_t at_ms);
  void Flush();
  // Log records appended or queued (a control record counts once per partition).
  uint64_t records() const { return records_; }
  uint32_t partitions() const { return static_cast<uint32_t>(pending_.size()); }

 private:
  events::Log* log_;  // null in a dry run
  std::ostream* tee_ = nullptr;
  size_t batch_;
  std::unique_ptr<events::JsonCodec> codec_;
  size_t queued_ = 0;
  uint64_t records_ = 0;
  std::vector<std::vector<std::string>> pending_;
};

struct ProcessRun {
  uint64_t records = 0;  // input records processed (the engine's own copies included)
  uint64_t emitted = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // of the whole process while it ran: cores actually used = cpu / wall
};

// Processes every partition until none has anything left, as Node::ProcessAll does (round
// robin on this thread, `chunk` records per turn).
ProcessRun ProcessSingleThread(engine::StateStore& store, events::Log& log, size_t chunk = 4096);
// One thread per partition, as serve runs them; rounds until a round processes nothing (a
// chained ticket's copy may land in another partition after its thread finished).
ProcessRun ProcessThreaded(engine::StateStore& store, events::Log& log);

// One ProcessAvailable(1) per partition (the next record of each: e.g. a clock tick), on
// this thread or on one thread per partition.
ProcessRun ProcessNextOfEach(engine::StateStore& store, events::Log& log, bool threaded);

// Reads every partition with EmbeddedLog::Read (each record verified), `chunk` per call.
// Returns records read and seconds; `each` (untimed) sees every record.
struct ReadRun {
  uint64_t records = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};
ReadRun ReadWholeLog(const events::Log& log,
                     const std::function<void(const events::StoredRecord&)>& each = {});

// RocksDB's db_bench fillseq,readseq on a fresh directory, configured as RocksDb::Open
// configures ours (the same flags log_bench uses). Ops/s of each.
struct DbBenchRates {
  double fill = 0, read = 0;
};
DbBenchRates RunDbBench(const std::string& db_bench, const std::filesystem::path& dir, uint64_t num,
                        size_t value_size, size_t batch);
// Ops/s of each of `benchmarks` (db_bench's comma-separated names, e.g.
// "fillseq,fillrandom,readrandom"), same options; sync: fsync every write batch.
std::map<std::string, double> RunDbBenchOps(const std::string& db_bench,
                                            const std::filesystem::path& dir,
                                            const std::string& benchmarks, uint64_t num,
                                            size_t value_size, size_t batch, bool sync = false);

// How many cores `threads` busy threads actually got for `seconds` (CPU time / wall time):
// on a shared machine, what parallel processing could at best have had.
double AvailableCores(int threads, double seconds);

uint64_t DirBytes(const std::filesystem::path& dir);
// Kilobytes from /proc/self/status: "VmHWM" (peak RSS) or "VmRSS".
uint64_t ProcStatusKb(const char* field);

std::string Thousands(double v);

}  // namespace closeloop::bench
