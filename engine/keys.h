// The engine's state keys. Every key starts with its partition (4 bytes, big-endian) so a
// partition's state can be rebuilt or moved alone, then a short tag; every part after the
// tag is preceded by one 0x00 byte (drawn `.` below), which sorts before any text byte, so
// the prefix of department "a" never matches department "ab". Numbers inside keys are 8
// bytes big-endian so byte order is numeric order.
//
//   P t.<ticket>                          ticket state (Ticket::Encode)
//   P h.<ticket>.<seq>                    the ticket's engine records, in order (record bytes,
//                                         prev_hash unset: the log holds the chain)
//   P q.<lead>.<deadline>.<ticket>        open tickets by lead department, by deadline
//                                         (no deadline sorts last)
//   P a.<department>.<ticket>             open tickets a department assists on
//   P u.<assignee>.<deadline>.<ticket>    open tickets assigned to a person, by deadline
//                                         (-> "o" when overdue, else ""): "my tickets", a
//                                         person's load
//   P o.<ticket>                          open overdue tickets -> lead department
//   P O.<ticket>                          every ticket ever overdue ("closed" once closed)
//   P e.<department>.<ticket>             open tickets escalated to a department
//   P s.<subject>.<opened_at>.<ticket>    tickets of a subject, by opening time
//   P v.<subject>.<ticket>                open tickets of a subject -> workflow \0 version \0
//                                         state (events reach them without decoding each)
//   P c.<chain>.<opened_at>.<ticket>      tickets of a chain, by opening time
//   P d.<workflow>.<dedup key>            the open ticket that absorbs duplicates -> ticket
//   P m.<due>.<ticket>                    timers: tickets with something due at <due>
//   P g, G, y, Y                          counters by lead, jurisdiction, escalation,
//                                         loop, workflow, state; by assisting department;
//                                         open-overdue changes per quarter-hour (counters.h)
//   P r.<day>.<lead>.<street>.<workflow>.<origin>.<kind>.<label>
//                                         the bureau's figures per local day: opened,
//                                         confirmed, late, closed by outcome (figures.h)
//   P i.<record id>                       where an ingress record is in the partition's log
//                                         (offset, 8 bytes): the case file reads it there
//   P k.<ticket>.<seq>                    the ticket's case file: the ingress records that
//                                         concern it, in order (offset + relation, ticket.h)
//   P f.<sha256 hex>.<ticket>             tickets whose accepted evidence references that
//                                         uploaded file (an attachments field's sha256:)
//   P cfg.<seq>                           control records (deployments, reference data,
//                                         calendars), in log order
//   P pos, P now                          input position (next offset), logical clock (no
//                                         separator: the tag ends the key)
//   P fmt                                 the layout of this state ("2": Engine v2's ticket
//                                         form and counters), written with every commit
//
// Tags kept elsewhere in the engine, in the same layout (Tagged): nb, nd (the outbox,
// outbox.h) and nc, np, nt (duty pages, duty.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace closeloop::engine::keys {

std::string Partition(uint32_t p);  // the 4-byte prefix
// The partition a key belongs to (its first 4 bytes); nullopt for a key shorter than that.
std::optional<uint32_t> PartitionOf(std::string_view key);
std::string BE64(uint64_t v);
uint64_t ReadBE64(std::string_view s);

std::string Ticket(uint32_t p, std::string_view id);
std::string History(uint32_t p, std::string_view id, uint64_t seq);
std::string HistoryPrefix(uint32_t p, std::string_view id);
std::string Queue(uint32_t p, std::string_view lead, int64_t deadline, std::string_view id);
std::string QueuePrefix(uint32_t p, std::string_view lead);
std::string Assist(uint32_t p, std::string_view dept, std::string_view id);
std::string Assigned(uint32_t p, std::string_view user, int64_t deadline, std::string_view id);
std::string AssignedPrefix(uint32_t p, std::string_view user);
// The deadline an Assigned or Queue key was written with (0: none), from its 8 bytes.
int64_t DeadlineOf(std::string_view be64);
std::string Overdue(uint32_t p, std::string_view id);
// Every ticket ever marked overdue, open or closed (value "closed" once closed: closed late).
std::string EverOverdue(uint32_t p, std::string_view id);
std::string Escalated(uint32_t p, std::string_view dept, std::string_view id);
std::string Subject(uint32_t p, std::string_view subject, int64_t opened_at, std::string_view id);
std::string SubjectPrefix(uint32_t p, std::string_view subject);
std::string OpenBySubject(uint32_t p, std::string_view subject, std::string_view id);
std::string OpenBySubjectPrefix(uint32_t p, std::string_view subject);
std::string Chain(uint32_t p, std::string_view chain, int64_t opened_at, std::string_view id);
std::string ChainPrefix(uint32_t p, std::string_view chain);
std::string Dedup(uint32_t p, std::string_view workflow, std::string_view key);
std::string Timer(uint32_t p, int64_t due, std::string_view id);
std::string TimerPrefix(uint32_t p);
std::string IngressAt(uint32_t p, std::string_view record_id);
std::string Case(uint32_t p, std::string_view id, uint64_t seq);
std::string CasePrefix(uint32_t p, std::string_view id);
std::string File(uint32_t p, std::string_view sha256_hex, std::string_view id);
std::string FilePrefix(uint32_t p, std::string_view sha256_hex);
std::string Config(uint32_t p, uint64_t seq);
std::string ConfigPrefix(uint32_t p);
std::string Position(uint32_t p);
std::string Now(uint32_t p);
std::string StateFormat(uint32_t p);
// A clock record's work in progress across commits (Processor): where it stands, and the
// tickets it found due.
std::string TickWork(uint32_t p);
std::string TickDue(uint32_t p);

// A key under a tag another part of the engine keeps (the outbox's nb/nd in outbox.h, the
// duty pager's nc/np/nt in duty.h), laid out like those above: P <tag>.<rest>.
std::string Tagged(uint32_t p, std::string_view tag, std::string_view rest);

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string prefix);

}  // namespace closeloop::engine::keys
