#include "engine/queries.h"

#include <algorithm>

#include "engine/applier.h"
#include "engine/counters.h"
#include "engine/keys.h"
#include "engine/outbox.h"
#include "engine/reference_data.h"
#include "engine/world.h"
#include "events/hash.h"
#include "events/partition.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsText(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && Lower(hay[i + k]) == Lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool Matches(const Ticket& t, const TicketFilter& f) {
  if (!f.department.empty() && t.lead != f.department) {
    bool involved = f.include_involved &&
                    (t.escalated_to == f.department ||
                     std::find(t.assist.begin(), t.assist.end(), f.department) != t.assist.end());
    if (!involved) return false;
  }
  if (!f.state.empty() && t.state != f.state) return false;
  if (!f.workflow.empty() && t.workflow != f.workflow) return false;
  if (!f.loop.empty() && t.loop != f.loop) return false;
  if (!f.subject.empty() && t.subject != f.subject) return false;
  if (!JurisdictionCovers(f.jurisdiction, t.jurisdiction)) return false;
  if (!f.escalated_to.empty() && t.escalated_to != f.escalated_to) return false;
  if (!f.assignee.empty() && t.assignee != f.assignee) return false;
  if (!f.outcome.empty() && !(t.closed && t.outcome == f.outcome)) return false;
  if (f.open_only && t.closed) return false;
  using O = TicketFilter::Overdue;
  if (f.overdue == O::kOpen && !(t.overdue && !t.closed)) return false;
  if (f.overdue == O::kEver && t.overdue_count == 0) return false;
  if (f.overdue == O::kClosedLate && !(t.overdue_count > 0 && t.closed)) return false;
  if (f.escalated_only && (t.escalated_to.empty() || t.closed)) return false;
  if (!f.text.empty()) {
    bool hit = ContainsText(t.id, f.text) || ContainsText(t.title, f.text) ||
               ContainsText(t.subject, f.text) || ContainsText(t.category, f.text) ||
               ContainsText(t.what, f.text) || ContainsText(t.where, f.text) ||
               std::find(f.text_subjects.begin(), f.text_subjects.end(), t.subject) !=
                   f.text_subjects.end();
    for (auto it = t.facts.begin(); !hit && it != t.facts.end(); ++it) {
      hit = ContainsText(ValueToLiteral(it->second), f.text);
    }
    if (!hit) return false;
  }
  return true;
}

// A person's assigned tickets, open only, by deadline: closed ones come from elsewhere.
bool ByAssignee(const TicketFilter& f) {
  using O = TicketFilter::Overdue;
  return !f.assignee.empty() && f.overdue != O::kEver && f.overdue != O::kClosedLate;
}

// A department's queue holds its open tickets only: closed ones come from the late index.
// Listings by assignee are in the same (deadline, id) order.
bool ByQueue(const TicketFilter& f) {
  using O = TicketFilter::Overdue;
  return ByAssignee(f) || (!f.department.empty() && !f.include_involved && f.overdue != O::kEver &&
                           f.overdue != O::kClosedLate);
}

// Sort key of a ticket in the order of `f`: zero-padded so strings compare as the order.
std::string OrderKey(const Ticket& t, const TicketFilter& f, uint32_t partition) {
  char buf[32];
  if (ByQueue(f)) {
    int64_t d = t.deadline_at > 0 ? t.deadline_at : INT64_MAX;
    snprintf(buf, sizeof buf, "%019lld/", static_cast<long long>(d));
  } else {
    snprintf(buf, sizeof buf, "%010u/", partition);
  }
  return buf + t.id;
}

// The last component of an index key: the ticket id after the final separator.
std::string_view LastPart(std::string_view key) { return key.substr(key.rfind('\0') + 1); }

// Each ticket an index under `prefix` names (its keys end in a ticket id), as `load` finds it,
// to `fn` until it answers false; an index entry whose ticket is gone is passed over.
Status ForEachIndexed(const StateReader& state, std::string_view prefix,
                      const std::function<Result<std::optional<Ticket>>(std::string_view)>& load,
                      const std::function<bool(const Ticket&)>& fn) {
  Status inner = Status::Ok();
  CL_RETURN_IF_ERROR(state.Scan(prefix, keys::PrefixEnd(std::string(prefix)),
                                [&](std::string_view k, std::string_view) {
                                  auto t = load(LastPart(k));
                                  if (!t.ok()) {
                                    inner = t.status();
                                    return false;
                                  }
                                  return !*t || fn(**t);
                                }));
  return inner;
}

}  // namespace

Result<std::optional<Ticket>> FindTicket(const StateReader& state, uint32_t partitions,
                                         std::string_view id) {
  for (uint32_t p = 0; p < partitions; ++p) {
    CL_ASSIGN_OR_RETURN(auto t, ReadTicket(state, p, id));
    if (t) return t;
  }
  return std::optional<Ticket>();
}

Result<std::optional<Ticket>> ReadTicket(const StateReader& state, uint32_t p,
                                         std::string_view id) {
  CL_ASSIGN_OR_RETURN(auto bytes, state.Get(keys::Ticket(p, id)));
  if (!bytes) return std::optional<Ticket>();
  CL_ASSIGN_OR_RETURN(Ticket t, Ticket::Decode(*bytes));
  return std::optional<Ticket>(std::move(t));
}

Status ForEachOpenTicket(const StateReader& state, uint32_t p,
                         const std::function<bool(const Ticket&)>& fn) {
  // The open-by-subject index, "P v \0 subject \0 id": every open ticket once.
  std::string prefix = keys::OpenBySubjectPrefix(p, "");
  prefix.pop_back();
  return ForEachIndexed(
      state, prefix, [&](std::string_view id) { return ReadTicket(state, p, id); }, fn);
}

Result<uint64_t> CountStoredTickets(const StateReader& state, uint32_t p) {
  const std::string prefix = keys::Ticket(p, "");
  uint64_t n = 0;
  CL_RETURN_IF_ERROR(state.Scan(prefix, keys::PrefixEnd(prefix), [&](auto, auto) {
    ++n;
    return true;
  }));
  return n;
}

Result<int64_t> PartitionNow(const StateReader& state, uint32_t p) {
  CL_ASSIGN_OR_RETURN(auto v, state.Get(keys::Now(p)));
  return v ? static_cast<int64_t>(keys::ReadBE64(*v)) : int64_t{0};
}

Result<int64_t> EngineNow(const StateReader& state, uint32_t partitions) {
  int64_t now = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    CL_ASSIGN_OR_RETURN(int64_t n, PartitionNow(state, p));
    now = std::max(now, n);
  }
  return now;
}

Result<uint64_t> InputPosition(const StateReader& state, uint32_t p) {
  CL_ASSIGN_OR_RETURN(auto v, state.Get(keys::Position(p)));
  return v ? keys::ReadBE64(*v) : uint64_t{0};
}

std::string TicketCursor(const Ticket& t, const TicketFilter& f, uint32_t partitions) {
  return OrderKey(t, f, events::PartitionForKey(t.subject, partitions));
}

Result<std::vector<Ticket>> ListTickets(const StateReader& state, uint32_t partitions,
                                        const TicketFilter& f) {
  if (!f.after.empty()) {
    // A cursor is TicketCursor's: 19 (queue: deadline) or 10 (partition) digits, '/', an id.
    size_t digits = ByQueue(f) ? 19 : 10;
    bool ok = f.after.size() > digits + 1 && f.after[digits] == '/';
    for (size_t i = 0; ok && i < digits; ++i) ok = f.after[i] >= '0' && f.after[i] <= '9';
    if (!ok) return InvalidArgument("cursor: not one this listing gave out");
  }
  std::vector<std::pair<std::string, Ticket>> out;  // (order key, ticket)
  Status inner = Status::Ok();
  size_t read = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    size_t found = 0;
    auto collect = [&](std::string_view id) -> bool {
      if (f.max_read > 0 && ++read > f.max_read) {
        inner = ResourceExhausted("more than " + std::to_string(f.max_read) + " tickets to read");
        return false;
      }
      auto bytes = state.Get(keys::Ticket(p, id));
      if (!bytes.ok() || !*bytes) {
        inner = bytes.ok() ? Corruption("index names missing ticket " + std::string(id))
                           : bytes.status();
        return false;
      }
      auto t = Ticket::Decode(**bytes);
      if (!t.ok()) {
        inner = t.status();
        return false;
      }
      if (!Matches(*t, f)) return true;
      std::string key = OrderKey(*t, f, p);
      if (!f.after.empty() && key <= f.after) return true;
      out.emplace_back(std::move(key), std::move(*t));
      // An index in the result's order (queue, tickets, overdue; not a subject's, which is
      // by opening time): past `limit` matches in this partition, the rest cannot make it.
      return ++found < f.limit || !(ByQueue(f) || f.subject.empty());
    };
    std::string prefix = ByAssignee(f)        ? keys::AssignedPrefix(p, f.assignee)
                         : ByQueue(f)         ? keys::QueuePrefix(p, f.department)
                         : !f.subject.empty() ? keys::SubjectPrefix(p, f.subject)
                         : f.overdue == TicketFilter::Overdue::kOpen ? keys::Overdue(p, "")
                         : f.overdue != TicketFilter::Overdue::kAny  ? keys::EverOverdue(p, "")
                                                                     : keys::Ticket(p, "");
    if (ByQueue(f) && !f.after.empty()) {
      // Seek to the cursor's (deadline, id) in this partition's queue instead of reading
      // (and decoding) every earlier ticket: deep pages cost what the first one does.
      int64_t d = std::stoll(f.after.substr(0, 19));
      std::string from =
          ByAssignee(f) ? keys::Assigned(p, f.assignee, d == INT64_MAX ? 0 : d, f.after.substr(20))
                        : keys::Queue(p, f.department, d == INT64_MAX ? 0 : d, f.after.substr(20));
      CL_RETURN_IF_ERROR(
          state.Scan(from, keys::PrefixEnd(prefix),
                     [&](std::string_view k, std::string_view) { return collect(LastPart(k)); }));
      CL_RETURN_IF_ERROR(inner);
      continue;
    }
    bool by_id = !ByQueue(f);  // ticket and overdue keys end in the id, in id order
    if (by_id && !f.after.empty()) {
      // Partitions before the cursor's are done; in its partition, start after its id.
      uint32_t cp = static_cast<uint32_t>(std::stoul(f.after.substr(0, 10)));
      if (p < cp) continue;
      if (p == cp && f.subject.empty()) {
        std::string from = prefix + f.after.substr(11) + '\0';
        CL_RETURN_IF_ERROR(
            state.Scan(from, keys::PrefixEnd(prefix),
                       [&](std::string_view k, std::string_view) { return collect(LastPart(k)); }));
        CL_RETURN_IF_ERROR(inner);
        continue;
      }
    }
    CL_RETURN_IF_ERROR(
        state.Scan(prefix, keys::PrefixEnd(prefix),
                   [&](std::string_view k, std::string_view) { return collect(LastPart(k)); }));
    CL_RETURN_IF_ERROR(inner);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Ticket> tickets;
  for (auto& [k, t] : out) {
    if (tickets.size() >= f.limit) break;
    tickets.push_back(std::move(t));
  }
  return tickets;
}

Result<AssigneeLoad> LoadOf(const StateReader& state, uint32_t partitions, std::string_view user,
                            int64_t now, int64_t day_end) {
  AssigneeLoad load;
  for (uint32_t p = 0; p < partitions; ++p) {
    const std::string prefix = keys::AssignedPrefix(p, user);
    CL_RETURN_IF_ERROR(
        state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view v) {
          ++load.open;
          if (v == "o") ++load.overdue;
          // "<deadline 8 bytes>\0<ticket>" after the prefix.
          const int64_t due = keys::DeadlineOf(k.substr(prefix.size(), 8));
          if (due > 0 && due >= now && due < day_end) ++load.due_today;
          return true;
        }));
  }
  return load;
}

Result<std::vector<std::string>> TicketHistory(const StateReader& state, const events::Log& log,
                                               std::string_view id, int64_t as_of_ms) {
  std::vector<std::string> entries;
  uint32_t partition = 0;
  for (uint32_t p = 0; p < log.partition_count() && entries.empty(); ++p) {
    std::string prefix = keys::HistoryPrefix(p, id);
    CL_RETURN_IF_ERROR(
        state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view, std::string_view v) {
          entries.emplace_back(v);
          return true;
        }));
    partition = p;
  }
  std::vector<std::string> out;
  for (std::string& entry : entries) {
    if (entry.size() == 8) {  // an offset: every record is longer
      const uint64_t offset = keys::ReadBE64(entry);
      CL_ASSIGN_OR_RETURN(auto read, log.Read(partition, offset, 1));
      if (read.empty() || read.front().offset != offset) {
        return Corruption("ticket " + std::string(id) + "'s history names offset " +
                          std::to_string(offset) + " of partition " + std::to_string(partition) +
                          ", which the log does not hold");
      }
      entry = std::move(read.front().bytes);
      CL_RETURN_IF_ERROR(events::SetPrevHash(entry, events::Hash{}));
    }
    auto rec = events::VerifyRecord(entry);
    if (rec.ok() && (*rec)->recorded_at() <= as_of_ms) out.push_back(std::move(entry));
  }
  return out;
}

Result<std::optional<Ticket>> TicketAsOf(const StateReader& state, const events::Log& log,
                                         std::string_view id, int64_t as_of_ms) {
  CL_ASSIGN_OR_RETURN(auto history, TicketHistory(state, log, id, as_of_ms));
  if (history.empty()) return std::optional<Ticket>();
  // Fold the records into a scratch state with the same applier the processor uses.
  class Empty final : public StateReader {
   public:
    Result<std::optional<std::string>> Get(std::string_view) const override {
      return std::optional<std::string>();
    }
    Status Scan(std::string_view, std::string_view, const ScanFn&) const override {
      return Status::Ok();
    }
  } empty;
  Overlay scratch(empty);
  World world;  // no workflows: next_due is not needed for a view
  TicketTable tickets(0, scratch, world);
  for (const auto& bytes : history) {
    CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
    CL_RETURN_IF_ERROR(ApplyEngineRecord(*rec, bytes, tickets));
  }
  return tickets.Load(id);
}

Result<std::vector<std::string>> TicketsWithFile(const StateReader& state, uint32_t partitions,
                                                 std::string_view sha256_hex) {
  std::vector<std::string> out;
  for (uint32_t p = 0; p < partitions; ++p) {
    std::string prefix = keys::FilePrefix(p, sha256_hex);
    CL_RETURN_IF_ERROR(
        state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view) {
          out.emplace_back(LastPart(k));
          return true;
        }));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<Ticket>> ChainOf(const StateReader& state, uint32_t partitions,
                                    std::string_view id) {
  CL_ASSIGN_OR_RETURN(auto t, FindTicket(state, partitions, id));
  if (!t) return std::vector<Ticket>();
  std::vector<Ticket> out;
  for (uint32_t p = 0; p < partitions; ++p) {
    CL_RETURN_IF_ERROR(ForEachIndexed(
        state, keys::ChainPrefix(p, t->chain_id),
        [&](std::string_view member) { return FindTicket(state, partitions, member); },
        [&](const Ticket& member) {
          out.push_back(member);
          return true;
        }));
  }
  std::stable_sort(out.begin(), out.end(), [](const Ticket& a, const Ticket& b) {
    return a.opened_at != b.opened_at ? a.opened_at < b.opened_at : a.id < b.id;
  });
  return out;
}

namespace {}  // namespace

Result<std::vector<CountRow>> CountTickets(const StateReader& state, uint32_t partitions) {
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> sums;
  CL_RETURN_IF_ERROR(ForEachCounterCell(state, partitions, [&](const CounterCell& c) {
    if (c.assist.empty() && c.tickets != 0) sums[{c.loop, c.state, c.lead}] += c.tickets;
  }));
  std::vector<CountRow> out;
  for (const auto& [k, n] : sums)
    out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
  return out;
}

std::optional<TicketFilter::Overdue> ParseOverdue(std::string_view text) {
  using O = TicketFilter::Overdue;
  if (text == "open" || text == "true") return O::kOpen;
  if (text == "ever") return O::kEver;
  if (text == "closed_late") return O::kClosedLate;
  if (text == "false" || text == "any") return O::kAny;
  return std::nullopt;
}

Result<std::vector<LateRow>> CountLate(const StateReader& state, uint32_t partitions) {
  std::map<std::pair<std::string, std::string>, LateRow> sums;
  CL_RETURN_IF_ERROR(ForEachCounterCell(state, partitions, [&](const CounterCell& c) {
    if (!c.assist.empty() || c.ever_overdue == 0) return;
    LateRow& row = sums[{c.loop, c.lead}];
    row.loop = c.loop;
    row.department = c.lead;
    row.ever += c.ever_overdue;
    row.closed_late += c.closed_late;
  }));
  std::vector<LateRow> out;
  for (auto& [k, row] : sums) out.push_back(std::move(row));
  return out;
}

Result<std::string> StateDigest(const StateReader& state) {
  events::Sha256 h;
  auto put_len = [&](size_t n) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(n >> (8 * (7 - i)));
    h.Update(b, 8);
  };
  CL_RETURN_IF_ERROR(state.Scan(std::string(), std::string(8, '\xff'),
                                [&](std::string_view k, std::string_view v) {
                                  // Not derived from the log: live processing's outbox and
                                  // the deliverer's progress (outbox.h).
                                  if (outbox::IsOutboxKey(k)) return true;
                                  put_len(k.size());
                                  h.Update(k);
                                  put_len(v.size());
                                  h.Update(v);
                                  return true;
                                }));
  return events::ToHex(h.Finish());
}

}  // namespace closeloop::engine
