// Test helpers: records from JSON in one line of test code.
#pragma once

#include <string>
#include <string_view>

namespace closeloop::events::testing {

// Decodes `json` and stamps it as the ingress boundary would (id if absent, recorded_at,
// prev_hash placeholder). Aborts with the decode error on bad input: test data is code.
std::string IngressRecord(std::string_view json, int64_t now_ms = 1767225600000);

// Decodes `json` and adds the prev_hash placeholder only (engine-style records, whose
// id and times the test sets). Aborts on bad input.
std::string RawRecord(std::string_view json);

}  // namespace closeloop::events::testing
