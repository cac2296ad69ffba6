// The ingress boundary shared by every way records enter from outside (JSONL files, HTTP,
// Kafka ingress topics): decode with the schema, validate, stamp, and pick partitions.
// Nothing here writes; callers append only when a whole batch is good.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/json_codec.h"
#include "events/log.h"

namespace closeloop::file {

// One problem with one input item. `line` is the item's line in its file (1 for a single
// JSON body); `column` is 1-based within that line's text (0 when unknown).
struct IngressError {
  int line = 0;
  int column = 0;
  std::string field;
  std::string message;
};

struct PreparedRecord {
  std::string bytes;                 // stamped, ready to append
  std::vector<uint32_t> partitions;  // one, or all for control records
  std::string id;
};

// Not thread-safe (holds a JsonCodec); one per thread.
class IngressPreparer {
 public:
  explicit IngressPreparer(uint32_t partitions) : partitions_(partitions) {}

  // Decodes and validates one JSON record. On failure, appends every problem found to
  // *errors (all of them, not just the first) with `line` set to `line`.
  // On success stamps it with `now_ms` (the boundary's wall clock).
  bool Prepare(std::string_view json, int line, int64_t now_ms, PreparedRecord* out,
               std::vector<IngressError>* errors);

 private:
  uint32_t partitions_;
  events::JsonCodec codec_;
};

// Groups prepared records into one append batch (one PartitionAppend per partition, in
// partition order; records keep their input order within a partition).
std::vector<events::PartitionAppend> ToBatch(const std::vector<PreparedRecord>& records,
                                             uint32_t partitions);

}  // namespace closeloop::file
