// The orders and flags GET /v1/tickets offers beyond the engine's indexes (sort=, extension=,
// returned=, arbitration=, assisting=): the matching tickets are read whole (at most
// kMaxSortedTickets), filtered and ordered here, and paged by a cursor that is the last
// ticket's sort key, so a page never repeats or skips a ticket that did not change meanwhile.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ticket.h"

namespace closeloop::http {

// Past this many matches the server refuses (422) rather than sort a partial set.
constexpr size_t kMaxSortedTickets = 10000;
// Tickets a sorted or flagged listing may read (decode) to find its matches.
constexpr size_t kMaxSortedRead = 50000;

enum class SortBy { kDeadline, kOpened, kSeverity };

struct QueueOrder {
  SortBy by = SortBy::kDeadline;
  bool descending = false;
};

// "deadline", "time_left" (the same order: the time left grows with the deadline), "opened",
// "severity"; a leading '-' reverses. nullopt for anything else.
std::optional<QueueOrder> ParseQueueOrder(std::string_view text);

// The key `t` sorts by (ascending byte order), ending in "/<id>": tickets without a deadline
// after every dated one; severity "major" first, then "general", other grades, "unknown",
// each by deadline.
std::string QueueSortKey(const engine::Ticket& t, const QueueOrder& order);
// Whether `cursor` has the shape QueueSortKey gives for `order` (a key, '/', an id).
bool CursorFits(std::string_view cursor, const QueueOrder& order);

// Orders `tickets` by QueueSortKey and keeps those after `cursor` ("" = from the start), at
// most `limit`; `*next_cursor` is the last one's key when more follow, else "".
std::vector<engine::Ticket> OrderAndPage(std::vector<engine::Ticket> tickets,
                                         const QueueOrder& order, const std::string& cursor,
                                         size_t limit, std::string* next_cursor);

}  // namespace closeloop::http
