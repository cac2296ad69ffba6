// Times and durations as people type them, for the command line and the HTTP API. Asia/
// Shanghai is the city's zone (UTC+8, no daylight saving): a time without an offset is local.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace closeloop {

// Milliseconds since the epoch from "1767225600000" or an ISO 8601 time
// ("2026-03-02T09:00", "2026-03-02T09:00:00+08:00", "...Z"; no offset means Asia/Shanghai).
Result<int64_t> ParseTime(const std::string& text);
// "500ms", "90s", "30m", "2h", "3d", "1w" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& text);
// "2026-03-02 09:00:00 +08:00" for people.
std::string FormatTime(int64_t ms);

}  // namespace closeloop
