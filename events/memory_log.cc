#include "events/memory_log.h"

#include "events/chain.h"

namespace closeloop::events {

MemoryLog::MemoryLog(std::string name, uint32_t partitions)
    : name_(std::move(name)), parts_(partitions) {
  for (uint32_t p = 0; p < partitions; ++p) parts_[p].last_hash = GenesisHash(name_, p);
}

Result<std::vector<AppendedRange>> MemoryLog::Append(std::vector<PartitionAppend> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PartitionHead> heads(parts_.size());
  for (size_t p = 0; p < parts_.size(); ++p) {
    heads[p] = {parts_[p].records.size(), parts_[p].last_hash};
  }
  CL_ASSIGN_OR_RETURN(std::vector<AppendedRange> ranges, ChainBatch(batch, heads));
  // Nothing above touched the partitions: a failed batch leaves no trace.
  for (auto& pa : batch) {
    auto& part = parts_[pa.partition];
    for (auto& r : pa.records) part.records.push_back(std::move(r));
    part.last_hash = heads[pa.partition].last_hash;
  }
  appended_.notify_all();
  return ranges;
}

Result<std::vector<StoredRecord>> MemoryLog::Read(uint32_t partition, uint64_t from,
                                                  size_t max_records) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (partition >= parts_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  std::vector<StoredRecord> out;
  const auto& recs = parts_[partition].records;
  for (uint64_t o = from; o < recs.size() && out.size() < max_records; ++o) {
    out.push_back({o, recs[o]});
  }
  return out;
}

PartitionHead MemoryLog::Head(uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  return {parts_[partition].records.size(), parts_[partition].last_hash};
}

uint64_t MemoryLog::WaitForAppend(uint32_t partition, uint64_t offset,
                                  std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  appended_.wait_for(lock, timeout, [&] { return parts_[partition].records.size() > offset; });
  return parts_[partition].records.size();
}

}  // namespace closeloop::events
