// events::Log on a Kafka records topic, as one engine process sees it.
//
// Append produces to the topic (idempotent producer, acks=all) and returns only once every
// record was acknowledged. Reads come from the process's local *mirror*: an EmbeddedLog in
// the node's RocksDB into which the consumer copies each owned partition in Kafka order,
// dropping records whose id it has already seen, and hash-chaining them as it goes.
//
// Why the chain lives in the mirror: many writers produce to one Kafka partition (every
// process's HTTP publish and ingress bridge, the owner's emitted records, other owners'
// chained copies), so no producer knows its predecessor and none can fill in prev_hash.
// The records on Kafka carry the placeholder; the chain is computed over the deduplicated
// Kafka order, which is the same for every reader, so every process that mirrors a partition
// computes the same chain (the mirror's name "kafka:<topic>" is bound into the genesis
// hash). `closeloop log verify` on a node's data directory proves its mirror (the exact
// sequence the engine processed) is intact; comparing the heads of two nodes' mirrors, or
// re-mirroring from Kafka, proves the Kafka partition still holds that sequence.
//
// Append is NOT atomic across records: on error some records may be on Kafka. Retrying with
// the same records (same ids) is safe because readers drop duplicates by id.
#pragma once

#include <functional>
#include <memory>

#include "connectors/kafka/client.h"
#include "connectors/rocksdb/embedded_log.h"

namespace closeloop::kafka {

// A message read from the records topic.
struct Consumed {
  int64_t offset = 0;
  std::string value;
};

// Called for a message that is not a valid record (it is skipped, never mirrored).
using BadRecordFn =
    std::function<void(uint32_t partition, const Consumed& message, const Status& why)>;

struct MirrorStats {
  uint64_t appended = 0;
  uint64_t duplicates = 0;
  uint64_t bad = 0;
};

// Thread-safe: Append from any thread; Mirror from the consumer's thread (one call per
// partition at a time); reads from the processors.
class KafkaLog final : public events::Log {
 public:
  // The column family holding Kafka positions, the id index and the outbox.
  static constexpr const char* kFamily = "kafka";

  // Opens the mirror in `db` (which must have kFamily), creating it for `partitions` if new.
  // `db` and `producer` must outlive the log.
  static Result<std::unique_ptr<KafkaLog>> Open(rocks::RocksDb* db, Producer* producer,
                                                const Topics& topics, uint32_t partitions);

  uint32_t partition_count() const override { return mirror_->partition_count(); }
  const std::string& name() const override { return mirror_->name(); }
  Result<std::vector<events::AppendedRange>> Append(
      std::vector<events::PartitionAppend> batch) override;
  Result<std::vector<events::StoredRecord>> Read(uint32_t partition, uint64_t from,
                                                 size_t max_records) const override {
    return mirror_->Read(partition, from, max_records);
  }
  events::PartitionHead Head(uint32_t partition) const override { return mirror_->Head(partition); }
  uint64_t WaitForAppend(uint32_t partition, uint64_t offset,
                         std::chrono::milliseconds timeout) const override {
    return mirror_->WaitForAppend(partition, offset, timeout);
  }

  // The Kafka offset consumption of `partition` resumes at (0 when never consumed).
  Result<int64_t> ResumeOffset(uint32_t partition) const;
  // Appends `messages` (in Kafka order, from the resume offset on) to the mirror, skipping
  // ids already mirrored, and stores the new resume offset in the same write.
  Result<MirrorStats> Mirror(uint32_t partition, const std::vector<Consumed>& messages,
                             const BadRecordFn& bad);
  // True when record `id` is already in `partition`'s mirror.
  Result<bool> Contains(uint32_t partition, std::string_view id) const;

  const Topics& topics() const { return topics_; }
  Producer& producer() { return *producer_; }
  rocks::EmbeddedLog& mirror() { return *mirror_; }

  static std::string ResumeKey(uint32_t partition);
  static std::string IdKey(uint32_t partition, std::string_view id);

 private:
  KafkaLog(rocks::RocksDb* db, Producer* producer, Topics topics,
           std::unique_ptr<rocks::EmbeddedLog> mirror);

  rocks::RocksDb* db_;
  Producer* producer_;
  Topics topics_;
  std::unique_ptr<rocks::EmbeddedLog> mirror_;
};

}  // namespace closeloop::kafka
