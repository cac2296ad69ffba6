// What a record must satisfy to enter the log from outside the engine (publish, HTTP,
// Kafka ingress), and the stamping the boundary applies before appending it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/record.h"

namespace closeloop::events {

struct FieldError {
  std::string field;  // "subject", "body.value"
  std::string message;
};

// Every rule a published record breaks (empty when it may be published): the body type may
// be published, the fields the log sets are unset, the envelope fields its kind needs are
// present, values are in range. REQUIRES: `record` passed VerifyRecord.
std::vector<FieldError> ValidateIngress(const fb::Record& record);

// Returns the record as it will be appended: an id drawn for it when it has none,
// recorded_at = now_ms, occurred_at = now_ms when unset (control records), and the
// prev_hash placeholder the log fills in.
// REQUIRES: ValidateIngress(record) returned no error.
Result<std::string> StampIngress(std::string_view bytes, int64_t now_ms);

// Whether `fresh` (stamped, about to be appended) is a resend of `stored` (already in the
// log under the same id): the same record but for what the boundary stamps (recorded_at,
// prev_hash, and occurred_at when the boundary defaulted it). When it is not, `difference`
// names the first envelope field or "body" that differs, for a 409 that says why.
// REQUIRES: both passed VerifyRecord.
bool SameSubmission(std::string_view stored, std::string_view fresh, std::string* difference);

// The partitions a record is appended to: its subject's, or every partition for a
// control record (clock, deployment, reference data), so that each processor sees it at
// its own place in its own partition.
std::vector<uint32_t> TargetPartitions(const fb::Record& record, uint32_t partitions);

}  // namespace closeloop::events
