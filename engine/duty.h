// Duty paging: a record that matches a subscription with `ack_within` (notify_rules.h) pages
// the person on duty of the subscription's roster (duty_roster.h) at the record's engine
// time; a page not acknowledged within `ack_within` pages the next person of the shift's
// order, and so on to its end. All of it is decided by the engine and recorded:
//
//   DutyPaged         a page to one person (the chain's first, or the next after a timeout)
//   PageAcknowledged  the answer to a PageAcknowledgement (POST /v1/notify/deliveries/{id}/ack)
//   PagingExhausted   the last page's time ran out: nobody acknowledged
//
// The deadlines are timed by the engine's clock (ClockTick), never the wall clock, so replay
// and reprocess decide the same pages byte for byte; the outbox (outbox.h) sends a page only
// when it is decided live, so a replay pages nobody again.
//
// State (derived: rebuilt from the records above, part of StateDigest):
//   P nc.<chain id>              the chain (JSON): who was paged, who is next, its status
//   P np.<page record id>        -> chain id: which chain an acknowledged delivery belongs to
//   P nt.<ack_by BE64><chain id> the chain waits for an acknowledgement until ack_by
//
// Thread-safety: as the processor (one thread per partition).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/step.h"

namespace closeloop::engine::duty {

std::string ChainKey(uint32_t p, std::string_view chain_id);
std::string PageKey(uint32_t p, std::string_view page_record_id);

// The chain a page (by its record id) belongs to, as stored; nullopt when none.
Result<std::optional<nlohmann::json>> ChainOfPage(const StateReader& state, uint32_t p,
                                                  std::string_view page_record_id);

// After an input's decisions: pages for the records it emitted that a paging subscription
// matches (pages, acknowledgements and exhausted chains start no chain).
Status DecidePages(Step& step);
// At a clock tick: the next page (or PagingExhausted) of every chain whose ack_by passed.
Status DecidePageTimeouts(Step& step);
// A PageAcknowledgement: PageAcknowledged, or CommandRejected when there is no such page or
// the chain was acknowledged already.
Status DecideAcknowledgement(Step& step);

// Applies a DutyPaged, PageAcknowledged or PagingExhausted to the chain state (every mode:
// rebuild gets the same state from the log).
Status ApplyDutyRecord(const fb::Record& rec, TicketTable& tickets);

}  // namespace closeloop::engine::duty
