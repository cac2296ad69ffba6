#include "engine/applier.h"

#include <algorithm>

#include "engine/duty.h"
#include "engine/resource_ledger.h"
#include "events/engine_record.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

using events::Str;

void ApplyFacts(Ticket& t, const flatbuffers::Vector<flatbuffers::Offset<fb::Attr>>* attrs) {
  if (attrs == nullptr) return;
  for (const fb::Attr* a : *attrs) {
    std::string key = a->key()->str();
    dsl::Value v = ValueFromLiteral(a->value() ? a->value()->string_view() : "null");
    // Built-in facts live in their own fields.
    if (key == "category") {
      t.category = v.type() == dsl::ValueType::kString ? v.as_string() : "";
    } else if (key == "severity") {
      t.severity = v.type() == dsl::ValueType::kString ? v.as_string() : "unknown";
    } else if (key == "title") {
      t.title = v.type() == dsl::ValueType::kString ? v.as_string() : "";
    } else {
      t.facts[key] = std::move(v);
    }
  }
}

// Time steps fire once per state visit; condition steps once per ticket.
void MarkFired(Ticket& t, const std::string& rule, const World& world) {
  const dsl::Workflow* wf = world.Find(t.workflow, t.workflow_version);
  if (wf != nullptr) {
    for (const auto& step : wf->escalation) {
      if (step.name == rule && step.trigger == dsl::StepTriggerKind::kCondition) {
        t.fired_once.insert(rule);
        return;
      }
    }
  }
  t.fired.insert(rule);
}

// Whether a transition's trigger names an ingress event type (not a verb or "timer").
bool IsEventType(std::string_view trigger) {
  fb::Body body = events::BodyFromName(trigger);
  return body != fb::Body::NONE && events::KindOf(body) == events::BodyKind::kIngress &&
         body != fb::Body::StaffCommand;
}

void ReArmAfterExtension(Ticket& t, const World& world) {
  const dsl::Workflow* wf = world.Find(t.workflow, t.workflow_version);
  std::set<std::string> kept;
  if (wf != nullptr) {
    for (const auto& step : wf->escalation) {
      if (t.fired.count(step.name) && StepEscalates(step)) kept.insert(step.name);
    }
  }
  t.fired = std::move(kept);
}

Status ApplyOpened(const fb::Record& r, std::string_view bytes, TicketTable& tickets) {
  const auto* b = r.body_as_TicketOpened();
  CL_ASSIGN_OR_RETURN(auto existing, tickets.Load(b->ticket_id()->string_view()));
  if (existing) return Status::Ok();  // already open (a replayed copy)
  Ticket t;
  t.id = b->ticket_id()->str();
  t.workflow = b->workflow()->str();
  t.workflow_version = b->workflow_version();
  t.loop = fb::EnumNameLoop(b->loop());
  t.state = b->state()->str();
  t.category = Str(b->category());
  t.severity = fb::EnumNameSeverity(b->severity());
  t.title = Str(b->title());
  t.what = Str(b->what());
  t.where = Str(b->where());
  t.parent_id = Str(b->parent_ticket_id());
  t.trigger = Str(b->trigger());
  t.deadline_at = b->deadline_at();
  t.dedup_key = Str(b->dedup_key());
  t.subject = Str(r.subject());
  t.jurisdiction = Str(r.jurisdiction());
  t.chain_id = r.correlation_id() ? r.correlation_id()->str() : t.id;
  t.opened_at = t.state_entered_at = t.limit_from = r.occurred_at();
  t.version = 1;
  ApplyFacts(t, b->attrs());
  if (t.trigger == "event" && r.causation_id()) {
    CL_RETURN_IF_ERROR(tickets.AppendCase(t, r.causation_id()->string_view(), "opened"));
  }
  CL_RETURN_IF_ERROR(tickets.AppendHistory(t, bytes));
  return tickets.Save(std::nullopt, t, r.occurred_at());
}

}  // namespace

Status ApplyEngineRecord(const fb::Record& r, std::string_view bytes, TicketTable& tickets) {
  using B = fb::Body;
  if (events::KindOf(r.body_type()) != events::BodyKind::kEngine) return Status::Ok();
  if (r.body_type() == B::TicketOpened) return ApplyOpened(r, bytes, tickets);
  CL_RETURN_IF_ERROR(duty::ApplyDutyRecord(r, tickets));  // pages: their chain's state
  // The city's resource ledger (resource_ledger.h), whether or not the ticket is here.
  CL_RETURN_IF_ERROR(ApplyToLedger(r, tickets.partition(), tickets.state()));

  // Every other engine record names its ticket in `ticket_id` (the contract of engine.fbs).
  const auto* id = events::EngineTicketId(r);
  if (id == nullptr) return Status::Ok();  // CommandRejected for an unknown ticket
  CL_ASSIGN_OR_RETURN(auto loaded, tickets.Load(id->string_view()));
  if (!loaded) return Status::Ok();
  const std::optional<Ticket> before = loaded;
  Ticket& t = *loaded;
  const World& world = tickets.world();
  int64_t at = r.occurred_at();
  uint32_t version = 0;

  switch (r.body_type()) {
    case B::TicketRouted: {
      const auto* b = r.body_as_TicketRouted();
      t.lead = b->lead_department()->str();
      t.assist.clear();
      if (b->assist_departments()) {
        for (const auto* d : *b->assist_departments()) t.assist.push_back(d->str());
      }
      t.routing_table = Str(b->routing_table());
      version = b->version();
      break;
    }
    case B::TicketTransitioned: {
      const auto* b = r.body_as_TicketTransitioned();
      ApplyFacts(t, b->facts());
      // An agency's event that moved the ticket (a sensor back to normal, a case step).
      if (b->trigger() && IsEventType(b->trigger()->string_view())) {
        CL_RETURN_IF_ERROR(tickets.AppendCase(t, Str(r.causation_id()), "event"));
      }
      if (b->from_state()->string_view() != b->to_state()->string_view()) {
        // Between two states of one workflow clock (dsl::Clock) the clock goes on: its
        // spent ladder steps and overdue mark stay, and time spent paused moves its start.
        const dsl::Workflow* wf = world.Find(t.workflow, t.workflow_version);
        const dsl::Clock* from_clock = wf ? wf->ClockOf(b->from_state()->string_view()) : nullptr;
        const bool same_clock =
            from_clock != nullptr && from_clock == wf->ClockOf(b->to_state()->string_view());
        if (same_clock && from_clock->Pauses(t.state)) {
          t.limit_from += at - t.state_entered_at;
        } else if (!same_clock) {
          t.limit_from = at;
          t.fired.clear();
          t.overdue = false;
        }
        t.state = b->to_state()->str();
        t.state_entered_at = at;
        t.deadline_at = b->deadline_at();
        t.clock_left = b->clock_left();
      } else if (b->trigger() && b->rule()) {
        // A timer transition that stays in its state fires once per visit.
        t.fired.insert(b->rule()->str());
      }
      version = b->version();
      break;
    }
    case B::TicketSignedFor:
      version = r.body_as_TicketSignedFor()->version();
      break;
    case B::TicketReturned: {
      const auto* b = r.body_as_TicketReturned();
      t.returns = b->returns();
      t.last_returned_by = Str(b->from_department());
      if (b->to_department() && b->to_department()->size() > 0) t.lead = b->to_department()->str();
      version = b->version();
      break;
    }
    case B::TicketAssigned: {
      const auto* b = r.body_as_TicketAssigned();
      t.assignee = Str(b->assignee());
      version = b->version();
      break;
    }
    case B::TicketTransferred: {
      const auto* b = r.body_as_TicketTransferred();
      t.lead = b->to_department()->str();
      version = b->version();
      break;
    }
    case B::ExtensionRequested: {
      const auto* b = r.body_as_ExtensionRequested();
      t.pending_extension_days = b->days();
      version = b->version();
      break;
    }
    case B::TicketExtended: {
      const auto* b = r.body_as_TicketExtended();
      t.deadline_at = b->deadline_at();
      t.extensions = b->extensions();
      t.pending_extension_days = 0;
      t.overdue = false;
      // The ladder re-arms against the new deadline, except the steps that already took
      // the ticket past its unit: a lateness already escalated is not escalated again.
      ReArmAfterExtension(t, world);
      version = b->version();
      break;
    }
    case B::ExtensionDenied:
      t.pending_extension_days = 0;
      version = r.body_as_ExtensionDenied()->version();
      break;
    case B::TicketProgressed: {
      const auto* b = r.body_as_TicketProgressed();
      if (b->note() && b->note()->string_view().substr(0, 10) == "callback: ") {
        CL_RETURN_IF_ERROR(tickets.AppendCase(t, Str(r.causation_id()), "callback"));
      }
      version = b->version();
      break;
    }
    case B::EvidenceSubmitted: {
      const auto* b = r.body_as_EvidenceSubmitted();
      CL_RETURN_IF_ERROR(tickets.AppendCase(t, Str(r.causation_id()), "evidence"));
      if (b->evidence()) {
        for (const auto* e : *b->evidence()) tickets.IndexFile(t, e->string_view());
      }
      version = b->version();
      break;
    }
    case B::EventAttached: {
      const auto* b = r.body_as_EventAttached();
      CL_RETURN_IF_ERROR(tickets.AppendCase(t, b->event_id()->string_view(), "attached"));
      version = b->version();
      break;
    }
    case B::TicketResolved: {
      const auto* b = r.body_as_TicketResolved();
      t.resolution = b->resolution()->str();
      version = b->version();
      break;
    }
    case B::TicketReviewed:
      version = r.body_as_TicketReviewed()->version();
      break;
    case B::TicketReopened: {
      const auto* b = r.body_as_TicketReopened();
      t.reopens = b->reopens();
      version = b->version();
      break;
    }
    case B::TicketReminded: {
      const auto* b = r.body_as_TicketReminded();
      MarkFired(t, b->rule()->str(), world);
      version = b->version();
      break;
    }
    case B::TicketOverdue: {
      const auto* b = r.body_as_TicketOverdue();
      t.overdue = true;
      t.overdue_count = b->overdue_count();
      MarkFired(t, b->rule()->str(), world);
      version = b->version();
      break;
    }
    case B::TicketEscalated: {
      const auto* b = r.body_as_TicketEscalated();
      if (b->action() == fb::EscalationAction::lead_city) {
        // The city-level department takes the lead; nothing is escalated to anyone.
        if (b->to_department() && b->to_department()->size() > 0)
          t.lead = b->to_department()->str();
      } else if (b->to_department() && b->to_department()->size() > 0) {
        t.escalated_to = b->to_department()->str();
      }
      MarkFired(t, b->rule()->str(), world);
      version = b->version();
      break;
    }
    case B::TicketChained: {
      const auto* b = r.body_as_TicketChained();
      std::string child = b->child_ticket_id()->str();
      if (std::find(t.children.begin(), t.children.end(), child) == t.children.end()) {
        t.children.push_back(child);
      }
      if (b->rule()) {
        MarkFired(t, b->rule()->str(), world);
        t.chained_by.insert(b->rule()->str());
      }
      version = b->version();
      break;
    }
    case B::ResourcesDispatched:
      version = r.body_as_ResourcesDispatched()->version();
      break;
    case B::ResourcesReleased:
      version = r.body_as_ResourcesReleased()->version();
      break;
    case B::ExpertAnswered:
      version = r.body_as_ExpertAnswered()->version();
      break;
    case B::TicketClosed: {
      const auto* b = r.body_as_TicketClosed();
      t.closed = true;
      t.closed_at = at;
      t.outcome = Str(b->outcome());
      if (b->state() && b->state()->size() > 0) t.state = b->state()->str();
      version = b->version();
      break;
    }
    case B::CommandRejected:
    case B::DutyPaged:
    case B::PageAcknowledged:
    case B::PagingExhausted:
      break;  // recorded in history; the ticket is unchanged
    default:
      return Status::Ok();
  }
  t.version = std::max(t.version, version);
  CL_RETURN_IF_ERROR(tickets.AppendHistory(t, bytes));
  return tickets.Save(before, t, at);
}

}  // namespace closeloop::engine
