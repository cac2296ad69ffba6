// Times and durations as people type them, for the command line and the HTTP API. A time
// without an offset is local to a zone: the city's (engine::World::CityZone) where the caller
// knows it, else Asia/Shanghai (UTC+8, no daylight saving).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace closeloop {

// Milliseconds since the epoch from "1767225600000" or an ISO 8601 time
// ("2026-03-02T09:00", "2026-03-02T09:00:00+08:00", "...Z"; no offset means Asia/Shanghai).
Result<int64_t> ParseTime(const std::string& text);
// The same, a time without an offset being local to IANA zone `zone` (in a daylight-saving
// overlap the earlier instant, in a gap the moment the clocks jump). An unknown zone is an
// error.
Result<int64_t> ParseTimeIn(const std::string& text, const std::string& zone);
// "500ms", "90s", "30m", "2h", "3d", "1w" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& text);
// "2026-03-02 09:00:00 +08:00" for people.
std::string FormatTime(int64_t ms);
// The same in IANA zone `zone` with that moment's offset: "2025-07-04 09:00:00 -04:00".
// An unknown zone prints UTC ("+00:00"): still the right instant.
std::string FormatTimeIn(int64_t ms, const std::string& zone);

}  // namespace closeloop
