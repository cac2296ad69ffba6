// The engine's StateStore when Kafka is the log: state in the node's RocksDB ("state"
// family, as on the embedded backend), emitted records through an outbox.
//
// Commit writes the state changes, the input position (part of the changes) and the emitted
// records (into the outbox, "kafka" family) in one WriteBatch: all or nothing. Then it
// produces the outbox entries and deletes them once the brokers acknowledged. A crash in
// between leaves them in the outbox; DrainOutbox produces them again at the next start. The
// ids are deterministic (engine/step.h), so a record produced twice is dropped by id when
// read back (KafkaLog::Mirror). This is exactly-once effect without broker transactions.
#pragma once

#include <atomic>

#include "connectors/kafka/kafka_log.h"
#include "connectors/rocksdb/rocks_store.h"
#include "engine/store.h"

namespace closeloop::kafka {

// Thread-safe: processors of different partitions commit concurrently.
// `db` and `log` must outlive the store.
class KafkaStore final : public engine::StateStore {
 public:
  static Result<std::unique_ptr<KafkaStore>> Open(rocks::RocksDb* db, KafkaLog* log);

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return reader_.Get(key);
  }
  Status Scan(std::string_view from, std::string_view to, const engine::ScanFn& fn) const override {
    return reader_.Scan(from, to, fn);
  }
  // Returns once the state is committed and the emitted records were acknowledged by Kafka
  // (retrying while Kafka is unavailable), or, after Stop(), once the state is committed.
  // Never given refs (ResolvesRecordRefs is false): the offsets are Kafka's, known after.
  Result<std::vector<events::AppendedRange>> Commit(
      const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
      const std::vector<engine::RecordRef>& refs) override;
  bool ResolvesRecordRefs() const override { return false; }
  events::Log& log() override { return *log_; }

  // Produces whatever an earlier run left in the outbox. Call before processing starts.
  Status DrainOutbox();
  // Delivery retries give up (the entries stay in the outbox for the next start).
  void Stop() { stopping_ = true; }

  uint64_t produced() const { return produced_.load(); }
  // Emitted records not produced because the mirror already held them (a replay).
  uint64_t skipped() const { return skipped_.load(); }
  uint64_t pending() const { return pending_.load(); }

 private:
  struct Entry {
    std::string key;
    uint32_t partition;
    std::string bytes;
  };
  KafkaStore(rocks::RocksDb* db, KafkaLog* log, uint64_t next_seq);
  // Produces `entries` (retrying until acknowledged or stopping) and deletes them.
  Status Deliver(const std::vector<Entry>& entries);

  rocks::RocksDb* db_;
  KafkaLog* log_;
  rocks::RocksStore reader_;
  std::atomic<uint64_t> next_seq_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> produced_{0}, skipped_{0}, pending_{0};
};

}  // namespace closeloop::kafka
