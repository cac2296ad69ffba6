// A ticket: every item of every loop. Its state is derived from engine records only (see
// applier.h), so it can always be rebuilt from the log.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "dsl/value.h"

namespace closeloop::engine {

struct Ticket {
  std::string id;
  std::string workflow;
  uint32_t workflow_version = 0;
  std::string loop;  // "prevention" | "violation" | "incident" | "request"
  std::string state;
  std::string title;
  std::string what;   // the opening event's own words (TicketOpened.what)
  std::string where;  // the opening event's address (TicketOpened.where)
  std::string subject;
  std::string jurisdiction;
  std::string category;
  std::string severity = "unknown";
  std::string lead;                 // lead department (主办)
  std::vector<std::string> assist;  // assisting departments (协办)
  std::string assignee;             // the person of the lead who handles it (承办人); "" = none
  std::string routing_table;
  uint32_t routing_version = 0;
  std::string parent_id;
  std::string chain_id;  // the root ticket's id
  std::vector<std::string> children;
  std::string trigger;    // "event" | "chain" | "schedule"
  std::string dedup_key;  // "" when the start rule has none
  uint32_t version = 0;

  int64_t opened_at = 0;
  int64_t state_entered_at = 0;  // the state clock starts here
  int64_t deadline_at = 0;       // the current state's limit (or its clock's); 0 = none
  // Where `at P% of limit` counts from: the state's entry, or for a workflow clock its start,
  // moved later by the time spent paused (dsl::Clock).
  int64_t limit_from = 0;
  int64_t clock_left = 0;  // in a paused clock state: the time the clock has left (ms)
  int64_t next_due = 0;    // when a timer is due (transition timer or ladder step); 0 = none
  bool closed = false;
  int64_t closed_at = 0;
  std::string outcome;
  std::string resolution;

  uint32_t returns = 0;
  uint32_t reopens = 0;
  uint32_t extensions = 0;
  uint32_t overdue_count = 0;
  bool overdue = false;
  std::string escalated_to;  // last department the ladder sent it to; "" = none
  int32_t pending_extension_days = 0;
  std::string last_returned_by;  // ping-pong: who returned it last

  std::map<std::string, dsl::Value> facts;  // declared facts
  std::set<std::string> fired;              // time steps fired in this state visit
  std::set<std::string> fired_once;         // condition steps fired (once per ticket)
  std::set<std::string> chained_by;         // ladder steps that opened a chained ticket:
                                            // each opens at most one per ticket, ever
  uint64_t history_length = 0;
  uint64_t case_length = 0;  // entries of the case file (keys::Case; case_file.h)

  // Deterministic compact binary form (ticket.cc: varints and length-prefixed text in a
  // fixed field order, facts typed; no JSON library). Decode also reads the MessagePack
  // form of earlier versions (ticket_legacy.h) and rejects anything else.
  std::string Encode() const;
  static Result<Ticket> Decode(std::string_view bytes);

  // About how much memory this ticket takes, decoded (for caches sized in bytes).
  size_t ApproxBytes() const;

  // The ticket for people and APIs: JSON with readable field names (times in ms).
  std::string ToJson() const;

  // A built-in or declared fact by name (dsl::Env::TicketFact semantics); Null if unknown.
  dsl::Value Fact(std::string_view name) const;
};

// Facts travel in records as literal text: null, true, 42, 2.5, "text".
std::string ValueToLiteral(const dsl::Value& v);
dsl::Value ValueFromLiteral(std::string_view text);

}  // namespace closeloop::engine
