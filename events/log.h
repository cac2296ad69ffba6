// The log interface: partitioned, append-only, hash-chained. The embedded RocksDB log
// (connectors/rocksdb), the Kafka log (connectors/kafka) and the in-memory log (tests)
// implement it; the engine sees only this.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/hash.h"

namespace closeloop::events {

// A record as stored, at its offset in a partition.
struct StoredRecord {
  uint64_t offset = 0;
  std::string bytes;  // a verified-on-read Record, prev_hash filled in
};

// Where a partition stands: how many records it holds and the hash of the last one
// (the genesis hash while it is empty). The next record's prev_hash is `last_hash`.
struct PartitionHead {
  uint64_t end_offset = 0;
  Hash last_hash{};
};

// Records to append to one partition, in order. Each must carry the 64-character
// prev_hash placeholder (JsonCodec and the engine's builders make sure of that).
struct PartitionAppend {
  uint32_t partition = 0;
  std::vector<std::string> records;
};

struct AppendedRange {
  uint32_t partition = 0;
  uint64_t first_offset = 0;
  uint64_t count = 0;
};

// Thread-safe: appends may come from several threads; reads run concurrently with them.
class Log {
 public:
  virtual ~Log() = default;

  virtual uint32_t partition_count() const = 0;
  // The log's name, bound into each partition's genesis hash.
  virtual const std::string& name() const = 0;

  // Appends every record of `batch`: when it returns OK all of them are durable (as durable
  // as the backend promises). Fills in prev_hash. The ranges come back in the order of
  // `batch`.
  // All or nothing on error holds for the embedded and in-memory logs. The Kafka log
  // (connectors/kafka/kafka_log.h) cannot promise it without broker transactions: after an
  // error some records may be on Kafka. There, every record carries an id, a caller retries
  // the same records, and readers drop a record whose id they already hold, so the effect is
  // still all or nothing; its ranges carry Kafka offsets, and prev_hash is filled in when the
  // records are read back into a process's mirror.
  virtual Result<std::vector<AppendedRange>> Append(std::vector<PartitionAppend> batch) = 0;

  // Up to `max_records` records from `from` on; fewer at the end, none past it.
  // Every record returned passed VerifyRecord.
  virtual Result<std::vector<StoredRecord>> Read(uint32_t partition, uint64_t from,
                                                 size_t max_records) const = 0;

  virtual PartitionHead Head(uint32_t partition) const = 0;

  // Blocks until the partition holds more than `offset` records or `timeout` passes;
  // returns the partition's end offset then. Used by tailing readers.
  virtual uint64_t WaitForAppend(uint32_t partition, uint64_t offset,
                                 std::chrono::milliseconds timeout) const = 0;
};

}  // namespace closeloop::events
