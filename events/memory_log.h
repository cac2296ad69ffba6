// An in-memory Log with the same contract as the durable ones (hash chain, atomic batches,
// verification on append), for tests of the modules above events.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "events/log.h"

namespace closeloop::events {

class MemoryLog final : public Log {
 public:
  MemoryLog(std::string name, uint32_t partitions);

  uint32_t partition_count() const override { return static_cast<uint32_t>(parts_.size()); }
  const std::string& name() const override { return name_; }
  Result<std::vector<AppendedRange>> Append(std::vector<PartitionAppend> batch) override;
  Result<std::vector<StoredRecord>> Read(uint32_t partition, uint64_t from,
                                         size_t max_records) const override;
  PartitionHead Head(uint32_t partition) const override;
  uint64_t WaitForAppend(uint32_t partition, uint64_t offset,
                         std::chrono::milliseconds timeout) const override;

 private:
  struct Partition {
    std::vector<std::string> records;
    Hash last_hash{};
  };
  const std::string name_;
  mutable std::mutex mu_;
  mutable std::condition_variable appended_;
  std::vector<Partition> parts_;  // GUARDED_BY(mu_)
};

}  // namespace closeloop::events
