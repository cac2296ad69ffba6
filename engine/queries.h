// Read-only questions about derived state, answered from the indexes (keys.h) across all
// partitions: a department's queue, overdue and escalated tickets, a subject's tickets, a
// chain, counts, a ticket's history as of a time, and the state digest replay must match.
// With engine::LoadStoredControl (world.h) this is the typed read API of engine state:
// nothing outside engine/ reads its keys or decodes its values itself.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/store.h"
#include "engine/ticket.h"

namespace closeloop::engine {

struct TicketFilter {
  std::string department;  // lead department ("" = any); with it, tickets come by deadline
  std::string state;
  std::string workflow;
  std::string loop;
  std::string subject;
  std::string jurisdiction;  // within this district/street/grid code ("" = anywhere)
  std::string escalated_to;  // the ladder sent it to this department
  // Assigned to this person (承办人); open tickets come by deadline from their index
  // (keys::Assigned), whatever else the filter says.
  std::string assignee;
  std::string outcome;  // closed with this outcome (resolution code), e.g. "closure"
  std::string text;     // case-insensitive (ASCII) substring of id, title, subject,
                        // facts, the report's words (what) and address (where)
  std::vector<std::string> text_subjects;  // with `text`: these subjects match it too (the
                                           // caller found the text in their names)
  bool open_only = false;
  // Overdue as history: kOpen, overdue now and still open; kEver, ever marked overdue (open
  // or closed); kClosedLate, ever overdue and since closed.
  enum class Overdue { kAny, kOpen, kEver, kClosedLate };
  Overdue overdue = Overdue::kAny;
  bool escalated_only = false;
  // Also admit tickets this department assists on or was escalated to (with `department`,
  // which then only orders nothing: results come by partition and id).
  bool include_involved = false;
  // Resume after this cursor (from TicketCursor of the last ticket of the previous page).
  std::string after;
  size_t limit = 1000;
  // Stop with ResourceExhausted after decoding this many tickets, matching or not (0: no cap).
  size_t max_read = 0;
};

// Matching tickets: by (deadline, id) when `assignee` is set (their open tickets) or
// `department` is (its queue of open tickets), otherwise by partition and id. Each page is found
// without reading past `limit` matches in any partition.
Result<std::vector<Ticket>> ListTickets(const StateReader& state, uint32_t partitions,
                                        const TicketFilter& filter);

// An opaque cursor after `t` in the order ListTickets uses for `filter`.
std::string TicketCursor(const Ticket& t, const TicketFilter& filter, uint32_t partitions);

Result<std::optional<Ticket>> FindTicket(const StateReader& state, uint32_t partitions,
                                         std::string_view id);
// The ticket `id` of partition `p`; nullopt when that partition holds none.
Result<std::optional<Ticket>> ReadTicket(const StateReader& state, uint32_t p, std::string_view id);
// Every open ticket of partition `p`, by subject then id, until `fn` answers false.
Status ForEachOpenTicket(const StateReader& state, uint32_t p,
                         const std::function<bool(const Ticket&)>& fn);

// Partition `p`'s clock: the time of the last clock record its processor took; 0 before one.
Result<int64_t> PartitionNow(const StateReader& state, uint32_t p);
// The latest clock of partitions 0..partitions-1: the engine's present.
Result<int64_t> EngineNow(const StateReader& state, uint32_t partitions);
// How many tickets (open or closed) partition `p` holds.
Result<uint64_t> CountStoredTickets(const StateReader& state, uint32_t p);

// Partition `p`'s input position: the offset its processor reads next.
Result<uint64_t> InputPosition(const StateReader& state, uint32_t p);

// The ticket's engine records in order (their bytes with prev_hash unset); with `as_of_ms`,
// only those recorded at or before it. The history holds the records' offsets (read from
// `log`, the log the state was built from) or, where the state was built without them,
// copies (TicketTable::RecordPlace).
Result<std::vector<std::string>> TicketHistory(const StateReader& state, const events::Log& log,
                                               std::string_view id, int64_t as_of_ms = INT64_MAX);

// The ticket as it stood at `as_of_ms`: its history up to then folded by the applier.
Result<std::optional<Ticket>> TicketAsOf(const StateReader& state, const events::Log& log,
                                         std::string_view id, int64_t as_of_ms);

// Every ticket of the chain `id` belongs to (its root's chain), by opening time.
Result<std::vector<Ticket>> ChainOf(const StateReader& state, uint32_t partitions,
                                    std::string_view id);

// The tickets whose accepted evidence references the uploaded file `sha256_hex` (64
// lowercase hex digits), every partition, by id.
Result<std::vector<std::string>> TicketsWithFile(const StateReader& state, uint32_t partitions,
                                                 std::string_view sha256_hex);

// "open", "ever", "closed_late" (and "true" for "open"); nothing for anything else.
std::optional<TicketFilter::Overdue> ParseOverdue(std::string_view text);

// A person's open assigned tickets (keys::Assigned, no ticket decoded): how many, how many
// the engine marked overdue, how many fall due in [now, day_end) (the rest of the city's
// day, the caller's to compute).
struct AssigneeLoad {
  int64_t open = 0, overdue = 0, due_today = 0;
};
Result<AssigneeLoad> LoadOf(const StateReader& state, uint32_t partitions, std::string_view user,
                            int64_t now, int64_t day_end);

struct CountRow {
  std::string loop, state, department;
  int64_t count = 0;
};
Result<std::vector<CountRow>> CountTickets(const StateReader& state, uint32_t partitions);

// Tickets ever overdue and those closed late, by loop and lead department: the engine's
// counters (kept as tickets change, not counted by a scan).
struct LateRow {
  std::string loop, department;
  int64_t ever = 0, closed_late = 0;
};
Result<std::vector<LateRow>> CountLate(const StateReader& state, uint32_t partitions);

// SHA-256 (hex) over every state key and value in key order, each length-prefixed. Two
// stores with the same derived state have the same digest.
Result<std::string> StateDigest(const StateReader& state);

}  // namespace closeloop::engine
