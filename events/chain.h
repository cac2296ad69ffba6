// The hash-chain rules shared by every Log implementation and by `log verify`.
#pragma once

#include <vector>

#include "events/log.h"

namespace closeloop::events {

// Checks every record of `batch` (verifier, placeholder, partition range), fills in each
// record's prev_hash from `heads`, and advances `heads` past the batch. On error nothing in
// `heads` has changed (the records may have been patched; the caller discards them).
Result<std::vector<AppendedRange>> ChainBatch(std::vector<PartitionAppend>& batch,
                                              std::vector<PartitionHead>& heads);

// Walks records in offset order, checking each one against the chain.
// Feed records with Next(); the first failure is sticky.
class ChainVerifier {
 public:
  ChainVerifier(const std::string& log_name, uint32_t partition);

  // Checks that `record` sits at `offset` right after the last one seen and carries its hash.
  Status Next(uint64_t offset, std::string_view record);
  // Checks that what was seen matches the partition head the log recorded.
  Status Finish(const PartitionHead& recorded) const;

  uint64_t count() const { return expected_offset_; }
  const Hash& last_hash() const { return last_hash_; }

 private:
  uint32_t partition_;
  uint64_t expected_offset_ = 0;
  Hash last_hash_;
};

}  // namespace closeloop::events
