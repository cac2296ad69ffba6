#include "events/chain.h"

#include "events/record.h"

namespace closeloop::events {

Result<std::vector<AppendedRange>> ChainBatch(std::vector<PartitionAppend>& batch,
                                              std::vector<PartitionHead>& heads) {
  std::vector<PartitionHead> next = heads;
  std::vector<AppendedRange> ranges;
  ranges.reserve(batch.size());
  for (auto& pa : batch) {
    if (pa.partition >= next.size()) {
      return InvalidArgument("no partition " + std::to_string(pa.partition));
    }
    PartitionHead& head = next[pa.partition];
    ranges.push_back({pa.partition, head.end_offset, pa.records.size()});
    for (std::string& bytes : pa.records) {
      auto rec = VerifyRecord(bytes);
      if (!rec.ok()) return rec.status();
      CL_RETURN_IF_ERROR(SetPrevHash(bytes, head.last_hash));
      head.last_hash = RecordHash(bytes);
      ++head.end_offset;
    }
  }
  heads = std::move(next);
  return ranges;
}

ChainVerifier::ChainVerifier(const std::string& log_name, uint32_t partition)
    : partition_(partition), last_hash_(GenesisHash(log_name, partition)) {}

Status ChainVerifier::Next(uint64_t offset, std::string_view record) {
  std::string where =
      "partition " + std::to_string(partition_) + " offset " + std::to_string(offset);
  if (offset != expected_offset_) {
    return Corruption(where + ": expected offset " + std::to_string(expected_offset_) +
                      " (a record is missing)");
  }
  auto rec = VerifyRecord(record);
  if (!rec.ok()) return rec.status().Annotate(where);
  const flatbuffers::String* prev = (*rec)->prev_hash();
  if (prev == nullptr || prev->string_view() != ToHex(last_hash_)) {
    return Corruption(where + ": prev_hash does not match the previous record " +
                      "(altered, removed or reordered)");
  }
  last_hash_ = RecordHash(record);
  ++expected_offset_;
  return Status::Ok();
}

Status ChainVerifier::Finish(const PartitionHead& recorded) const {
  std::string where = "partition " + std::to_string(partition_);
  if (recorded.end_offset != expected_offset_) {
    return Corruption(where + ": head says " + std::to_string(recorded.end_offset) +
                      " records, found " + std::to_string(expected_offset_));
  }
  if (recorded.last_hash != last_hash_) {
    return Corruption(where + " offset " +
                      std::to_string(expected_offset_ == 0 ? 0 : expected_offset_ - 1) +
                      ": last record does not match the head's hash (altered)");
  }
  return Status::Ok();
}

}  // namespace closeloop::events
