// Small conversions the API's route files share: query parameters, tickets and records
// as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/ticket.h"
#include "events/json_codec.h"

namespace closeloop::http {

// An integer parameter: `fallback` when empty; nullopt when malformed or out of range.
std::optional<int64_t> ParseInt(const std::string& text, int64_t fallback, int64_t min,
                                int64_t max);
// ms since the epoch or ISO 8601 (no offset: local time in `zone`, the city's).
std::optional<int64_t> ParseTimeParam(const std::string& text, const std::string& zone);

// The end (the next local midnight) of the civil day `back` days before the one holding t,
// in `zone` (the city's; UTC when unknown): the city's days, 23 or 25 hours long when its
// clocks change.
int64_t EndOfLocalDay(int64_t t, const std::string& zone, int back = 0);

nlohmann::json TicketJson(const engine::Ticket& t);
// Stored records (FlatBuffers) as JSON objects.
nlohmann::json RecordsJson(const std::vector<std::string>& records);
nlohmann::json RecordJson(std::string_view bytes);
// This thread's codec (it holds a parser and is not thread-safe), for decoding records.
events::JsonCodec& JsonCodecForThread();

}  // namespace closeloop::http
