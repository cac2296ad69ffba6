// The ingress boundary shared by every way records enter from outside (JSONL files, HTTP,
// Kafka ingress topics): decode with the schema, validate, stamp, and pick partitions.
// Nothing here writes; callers append only when a whole batch is good.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/json_codec.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::file {

// One problem with one input item. `line` is the item's line in its file (1 for a single
// JSON body); `column` is 1-based within that line's text (0 when unknown).
struct IngressError {
  int line = 0;
  int column = 0;
  std::string field;
  std::string message;
  bool forbidden = false;  // refused by the PublishPolicy (HTTP 403), not malformed
};

// What a caller may publish, checked on the decoded record: the record that will be
// appended is the record that was authorized (never a second, side parse of the text).
// The default admits ingress events of any type and source only: control records (clock,
// deployments, reference data) and staff commands each need their own grant.
struct PublishPolicy {
  bool control = false;                  // the administrators' endpoints and the operator's files
  bool staff_commands = false;           // only the server builds these, from a token's claims
  std::string source;                    // when set, the only `source` the caller may write
  std::vector<std::string> event_types;  // when not empty, the only types it may publish
  // Shown in the refusal: who is refused ("this token", "the ingress topic").
  std::string who = "this caller";

  // Everything: a trusted operator's own files and the server's own records.
  static PublishPolicy Trusted() {
    PublishPolicy p;
    p.control = p.staff_commands = true;
    return p;
  }
};

struct PreparedRecord {
  std::string bytes;                 // stamped, ready to append
  std::vector<uint32_t> partitions;  // one, or all for control records
  std::string id;
  int line = 0;  // the input line it came from (ReadJsonl)
};

// Not thread-safe (holds a JsonCodec); one per thread.
class IngressPreparer {
 public:
  explicit IngressPreparer(uint32_t partitions, PublishPolicy policy = PublishPolicy::Trusted())
      : partitions_(partitions), policy_(std::move(policy)) {}

  // Decodes one JSON record, checks the policy on the decoded record (a refusal is one
  // error marked `forbidden`, and nothing else is checked), then validates it. On failure,
  // appends every problem found to *errors (all of them, not just the first) with `line`
  // set to `line`. On success stamps it with `now_ms` (the boundary's wall clock).
  bool Prepare(std::string_view json, int line, int64_t now_ms, PreparedRecord* out,
               std::vector<IngressError>* errors);

  // The same for a record already encoded: one from Kafka's FlatBuffers ingress topic, or
  // one the program built (events/record_build.h). Errors are at line 1, column 0.
  bool PrepareRecord(std::string_view bytes, int64_t now_ms, PreparedRecord* out,
                     std::vector<IngressError>* errors);

 private:
  // The checks every record takes once decoded (verified `bytes`): the policy, validation,
  // stamping, partitions. `where` places a field's problem (line, column) in the input.
  bool Check(std::string_view bytes, int line, int64_t now_ms,
             const std::function<std::pair<int, int>(const std::string&)>& where,
             PreparedRecord* out, std::vector<IngressError>* errors) const;

  uint32_t partitions_;
  PublishPolicy policy_;
  events::JsonCodec codec_;
};

// Groups prepared records into one append batch (one PartitionAppend per partition, in
// partition order; records keep their input order within a partition).
std::vector<events::PartitionAppend> ToBatch(const std::vector<PreparedRecord>& records,
                                             uint32_t partitions);

// Control records already encoded (events/record_build.h), each through PrepareRecord with
// the trusted policy and stamped `now_ms`, as one batch for every partition: all of them, or
// the first problem ("control record N: field: message") and nothing.
Result<std::vector<events::PartitionAppend>> ControlBatch(const std::vector<std::string>& records,
                                                          uint32_t partitions, int64_t now_ms);

}  // namespace closeloop::file
