// The embedded log: events::Log on RocksDB. Partition count and the log's name (bound into
// the genesis hashes) are fixed when the log is created and kept in the "meta" family.
//
// Layout: "log" key = partition (4 bytes, big-endian) + offset (8 bytes, big-endian),
// value = the record as stored. "meta" key "head/<partition BE>" = end offset (8 BE) +
// last hash (32) — written in the same batch as the records, so it always matches.
// Each partition's Merkle tree (events/merkle.h) lives beside it in "meta", in the same
// batch: "mtf/<partition BE>" = the frontier (tree size + the roots of its complete
// subtrees), "mtn/<partition BE><height><index BE>" = the root of every complete subtree of
// height >= kStoredHeight. Lower subtrees are recomputed from at most 2^kStoredHeight
// records, so a proof costs O(log n) reads and the tree about one key per 8 records.
#pragma once

#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <functional>
#include <mutex>

#include "connectors/rocksdb/rocks_db.h"
#include "events/log.h"
#include "events/merkle.h"

namespace closeloop::rocks {

class EmbeddedLog final : public events::Log, public events::TreeLog {
 public:
  static constexpr uint32_t kStoredHeight = 4;

  // Opens the log in `db`, creating it with `partitions` partitions if it is new. An
  // existing log keeps its partition count; asking for a different one is an error
  // (0 = whatever it has). `*db` must outlive the log.
  static Result<std::unique_ptr<EmbeddedLog>> Open(RocksDb* db, uint32_t partitions);

  uint32_t partition_count() const override { return static_cast<uint32_t>(heads_.size()); }
  const std::string& name() const override { return name_; }
  Result<std::vector<events::AppendedRange>> Append(
      std::vector<events::PartitionAppend> batch) override;
  Result<std::vector<events::StoredRecord>> Read(uint32_t partition, uint64_t from,
                                                 size_t max_records) const override;
  events::PartitionHead Head(uint32_t partition) const override;
  uint64_t WaitForAppend(uint32_t partition, uint64_t offset,
                         std::chrono::milliseconds timeout) const override;

  // Append, plus whatever `extra` adds to the same WriteBatch (the engine's state changes
  // and input position): one atomic write. If `extra` fails, nothing is written.
  using ExtraWrites = std::function<Status(rocksdb::WriteBatch&)>;
  // `sync` = false skips the fsync (see RocksDb::Write).
  Result<std::vector<events::AppendedRange>> AppendWith(std::vector<events::PartitionAppend> batch,
                                                        const ExtraWrites& extra, bool sync = true);
  // The same, with `extra` told where the records land (the ranges Append returns), e.g.
  // to index them by id in the same write.
  using PositionedWrites =
      std::function<Status(rocksdb::WriteBatch&, const std::vector<events::AppendedRange>&)>;
  Result<std::vector<events::AppendedRange>> AppendPositioned(
      std::vector<events::PartitionAppend> batch, const PositionedWrites& extra, bool sync = true);

  events::TreeHead Tree(uint32_t partition) const override;
  Result<events::Hash> RootAt(uint32_t partition, uint64_t size) const override;
  Result<std::vector<events::Hash>> Inclusion(uint32_t partition, uint64_t index,
                                              uint64_t size) const override;
  Result<std::vector<events::Hash>> Consistency(uint32_t partition, uint64_t old_size,
                                                uint64_t new_size) const override;
  // The stored root of a complete subtree of height >= kStoredHeight (for `log verify`).
  Result<events::Hash> StoredNode(uint32_t partition, uint32_t height, uint64_t index) const;
  // The frontier as stored in "meta".
  Result<events::MerkleFrontier> StoredFrontier(uint32_t partition) const;

  // The head as stored in "meta" (not the cached one): what `log verify` compares with.
  Result<events::PartitionHead> StoredHead(uint32_t partition) const;

  static std::string RecordKey(uint32_t partition, uint64_t offset);
  static std::string HeadKey(uint32_t partition);
  static std::string FrontierKey(uint32_t partition);
  static std::string NodeKey(uint32_t partition, uint32_t height, uint64_t index);

 private:
  EmbeddedLog(RocksDb* db, std::string name, std::vector<events::PartitionHead> heads,
              std::vector<events::MerkleFrontier> trees);
  // Builds the tree of a partition written before trees existed, from its records.
  Status BuildTree(uint32_t partition);

  RocksDb* const db_;
  const std::string name_;
  mutable std::mutex mu_;  // serialises appends: the chain needs each head in turn
  mutable std::condition_variable appended_;
  std::vector<events::PartitionHead> heads_;   // GUARDED_BY(mu_)
  std::vector<events::MerkleFrontier> trees_;  // GUARDED_BY(mu_)
};

}  // namespace closeloop::rocks
