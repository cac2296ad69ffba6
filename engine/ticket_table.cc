#include "engine/ticket_table.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "dsl/verb_fields.h"
#include "engine/counters.h"
#include "engine/figures.h"
#include "engine/keys.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

// The index entries a ticket has (besides its own key and history): key -> value.
std::map<std::string, std::string> IndexEntries(uint32_t p, const Ticket& t) {
  std::map<std::string, std::string> k;
  k[keys::Subject(p, t.subject, t.opened_at, t.id)];
  k[keys::Chain(p, t.chain_id, t.opened_at, t.id)];
  if (t.overdue_count > 0) k[keys::EverOverdue(p, t.id)] = t.closed ? "closed" : "";
  if (!t.closed) {
    std::string where = t.workflow;
    where += '\0';
    where += std::to_string(t.workflow_version);
    where += '\0';
    where += t.state;
    k[keys::OpenBySubject(p, t.subject, t.id)] = where;
    k[keys::Queue(p, t.lead, t.deadline_at, t.id)];
    for (const auto& d : t.assist) k[keys::Assist(p, d, t.id)];
    if (!t.assignee.empty()) {
      k[keys::Assigned(p, t.assignee, t.deadline_at, t.id)] = t.overdue ? "o" : "";
    }
    if (t.overdue) k[keys::Overdue(p, t.id)];
    if (!t.escalated_to.empty()) k[keys::Escalated(p, t.escalated_to, t.id)];
    if (!t.dedup_key.empty()) k[keys::Dedup(p, t.workflow, t.dedup_key)] = t.id;
    if (t.next_due > 0) k[keys::Timer(p, t.next_due, t.id)];
  }
  return k;
}

}  // namespace

const Ticket* TicketCache::Find(std::string_view id) {
  auto it = map_.find(std::string(id));
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second.ticket;
}

void TicketCache::Insert(const Ticket& t, bool dirty) {
  auto [it, fresh] = map_.try_emplace(t.id);
  Entry& e = it->second;
  if (fresh) {
    lru_.push_front(t.id);
    e.lru = lru_.begin();
  } else {
    bytes_ -= e.bytes;
    lru_.splice(lru_.begin(), lru_, e.lru);
  }
  e.ticket = t;
  e.bytes = t.ApproxBytes() + 2 * t.id.size() + 64;  // the ticket, its keys, the nodes
  bytes_ += e.bytes;
  if (dirty) {
    if (!e.dirty) dirty_.push_back(t.id);
    e.dirty = true;
  } else if (!e.dirty) {
    Evict();
  }
}

void TicketCache::Evict() {
  // Least recently used first; changed tickets wait for Flush.
  for (auto it = lru_.end(); bytes_ > budget_ && it != lru_.begin();) {
    --it;
    auto found = map_.find(*it);
    if (found->second.dirty) continue;
    bytes_ -= found->second.bytes;
    map_.erase(found);
    it = lru_.erase(it);
  }
}

size_t TicketCache::Flush(uint32_t partition, Overlay& state) {
  size_t written = 0;
  for (const std::string& id : dirty_) {
    auto it = map_.find(id);
    if (it == map_.end() || !it->second.dirty) continue;
    state.Put(keys::Ticket(partition, id), it->second.ticket.Encode());
    it->second.dirty = false;
    ++written;
  }
  dirty_.clear();
  Evict();
  return written;
}

void TicketCache::Clear() {
  map_.clear();
  lru_.clear();
  dirty_.clear();
  bytes_ = 0;
}

Result<std::optional<Ticket>> TicketTable::Load(std::string_view id) const {
  if (cache_ != nullptr) {
    if (const Ticket* t = cache_->Find(id)) return std::optional<Ticket>(*t);
  }
  CL_ASSIGN_OR_RETURN(auto bytes, state_.Get(keys::Ticket(partition_, id)));
  if (!bytes) return std::optional<Ticket>();
  CL_ASSIGN_OR_RETURN(Ticket t, Ticket::Decode(*bytes));
  if (cache_ != nullptr) cache_->Put(t);
  return std::optional<Ticket>(std::move(t));
}

Status TicketTable::Save(const std::optional<Ticket>& before, Ticket& after, int64_t at) {
  const dsl::Workflow* wf = world_.Find(after.workflow, after.workflow_version);
  after.next_due = after.closed ? 0 : NextDue(after, wf, world_);
  std::map<std::string, std::string> old_entries;
  if (before) old_entries = IndexEntries(partition_, *before);
  std::map<std::string, std::string> new_entries = IndexEntries(partition_, after);
  for (const auto& [k, v] : old_entries) {
    if (!new_entries.count(k)) state_.Delete(k);
  }
  for (const auto& [k, v] : new_entries) {
    auto old = old_entries.find(k);
    if (old == old_entries.end() || old->second != v) state_.Put(k, v);
  }
  CL_RETURN_IF_ERROR(UpdateCounters(state_, partition_, before, after, at));
  if (const FigureChange moved = FigureChangeOf(before, after); moved.any()) {
    CL_RETURN_IF_ERROR(UpdateFigures(state_, partition_, after, moved, at,
                                     world_.CalendarFor(wf != nullptr ? wf->calendar : "")));
  }
  if (cache_ != nullptr) {
    cache_->Write(after);  // encoded once per batch, at Flush
  } else {
    state_.Put(keys::Ticket(partition_, after.id), after.Encode());
  }
  if (earliest_timer_ != nullptr && !after.closed && after.next_due > 0) {
    *earliest_timer_ = std::min(*earliest_timer_, after.next_due);
  }
  return Status::Ok();
}

Status TicketTable::AppendHistory(Ticket& t, std::string_view record_bytes) {
  std::string key = keys::History(partition_, t.id, t.history_length);
  const RecordPlace place = std::exchange(place_, RecordPlace{});
  ++t.history_length;
  if (place.kind == RecordPlace::Kind::kOffset) {
    state_.Put(std::move(key), keys::BE64(place.value));
    return Status::Ok();
  }
  if (place.kind == RecordPlace::Kind::kPending && pending_refs_ != nullptr) {
    pending_refs_->push_back({std::move(key), partition_, place.value});
    return Status::Ok();
  }
  // A copy, stored without its chain hash: a record is applied before the log assigns the
  // hash (live) or after (rebuild), and both must leave the same state.
  std::string bytes(record_bytes);
  CL_RETURN_IF_ERROR(events::SetPrevHash(bytes, events::Hash{}));
  state_.Put(std::move(key), std::move(bytes));
  return Status::Ok();
}

Status TicketTable::AppendCase(Ticket& t, std::string_view record_id, std::string_view relation) {
  if (record_id.empty()) return Status::Ok();
  CL_ASSIGN_OR_RETURN(auto at, state_.Get(keys::IngressAt(partition_, record_id)));
  if (!at || at->size() != 8) return Status::Ok();
  state_.Put(keys::Case(partition_, t.id, t.case_length), *at + std::string(relation));
  ++t.case_length;
  return Status::Ok();
}

void TicketTable::IndexFile(const Ticket& t, std::string_view ref) {
  if (!dsl::IsAttachmentRef(ref)) return;
  state_.Put(keys::File(partition_, ref.substr(7), t.id), "");
}

int64_t StepDue(const Ticket& t, const dsl::EscalationStep& step, const Calendar& cal) {
  if (t.deadline_at <= 0) return 0;
  switch (step.trigger) {
    case dsl::StepTriggerKind::kFraction: {
      const int64_t from = t.limit_from > 0 ? t.limit_from : t.state_entered_at;
      int64_t span = cal.WorkingTimeBetween(from, t.deadline_at);
      if (span > 0) return cal.AddWorkingTime(from, span * step.percent / 100);
      // Limits in calendar time, or spans with no working time: fraction of wall time.
      return from + (t.deadline_at - from) * step.percent / 100;
    }
    case dsl::StepTriggerKind::kAtLimit:
      return t.deadline_at;
    case dsl::StepTriggerKind::kAfterLimit:
      return AddDuration(t.deadline_at, step.after, cal);
    case dsl::StepTriggerKind::kCondition:
      return 0;
  }
  return 0;
}

bool StepSpent(const Ticket& t, const dsl::EscalationStep& step) {
  if (t.fired.count(step.name)) return true;
  if (!t.chained_by.count(step.name) || step.actions.empty()) return false;
  return std::all_of(step.actions.begin(), step.actions.end(),
                     [](const dsl::Action& a) { return a.kind == dsl::ActionKind::kChain; });
}

bool StepEscalates(const dsl::EscalationStep& step) {
  return std::any_of(step.actions.begin(), step.actions.end(), [](const dsl::Action& a) {
    return a.kind == dsl::ActionKind::kEscalateParent || a.kind == dsl::ActionKind::kArbitration ||
           a.kind == dsl::ActionKind::kChain || a.kind == dsl::ActionKind::kLeadCity;
  });
}

int64_t NextDue(const Ticket& t, const dsl::Workflow* wf, const World& world) {
  if (wf == nullptr) return 0;
  const dsl::State* st = wf->FindState(t.state);
  if (st == nullptr || st->terminal) return 0;
  const Calendar& cal = world.CalendarFor(wf->calendar);
  int64_t best = 0;
  auto consider = [&](int64_t due) {
    if (due > 0 && (best == 0 || due < best)) best = due;
  };
  for (const auto& tr : st->transitions) {
    // A timer transition fires once per state visit (its rule joins `fired`).
    if (tr.trigger == dsl::TriggerKind::kTimer && !t.fired.count(tr.rule)) {
      consider(AddDuration(t.state_entered_at, tr.after, cal));
    }
  }
  for (const auto& step : wf->escalation) {
    if (step.trigger == dsl::StepTriggerKind::kCondition || StepSpent(t, step)) continue;
    if (!step.states.empty() &&
        std::find(step.states.begin(), step.states.end(), t.state) == step.states.end()) {
      continue;
    }
    consider(StepDue(t, step, cal));
  }
  return best;
}

}  // namespace closeloop::engine
