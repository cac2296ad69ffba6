// Transitions, the escalation ladder and timers.
#include <algorithm>

#include "engine/decide.h"
#include "engine/env.h"
#include "engine/keys.h"
#include "engine/routing.h"

namespace closeloop::engine {
namespace {

template <typename T>
Status EmitBody(Step& step, T&& value, const Ticket& t) {
  fb::BodyUnion body;
  body.Set(std::forward<T>(value));
  return step.Emit(std::move(body), t);
}

bool InStates(const dsl::EscalationStep& s, const std::string& state) {
  return s.states.empty() || std::find(s.states.begin(), s.states.end(), state) != s.states.end();
}

// Runs one ladder step's actions on ticket `id`, reloading it between records.
Status FireStep(Step& step, const std::string& id, const dsl::Workflow& wf,
                const dsl::EscalationStep& es, uint32_t level) {
  const ReferenceData& ref = step.world().reference();
  for (const auto& action : es.actions) {
    CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(id));
    if (!t) return Status::Ok();
    const uint32_t v = t->version + 1;
    switch (action.kind) {
      case dsl::ActionKind::kRemind: {
        fb::TicketRemindedT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.deadline_at = t->deadline_at;
        r.to = action.roles;
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kMarkOverdue: {
        fb::TicketOverdueT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.deadline_at = t->deadline_at;
        r.overdue_count = t->overdue_count + 1;
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kNotifyHead: {
        fb::TicketEscalatedT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.action = fb::EscalationAction::notify_head;
        r.level = level;
        std::string head = ref.HeadOf(t->lead);
        r.reason = "notify the head of " + t->lead + (head.empty() ? "" : " (" + head + ")");
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kEscalateParent: {
        // Up one level from wherever the ladder has taken it so far.
        const std::string& from = t->escalated_to.empty() ? t->lead : t->escalated_to;
        const Department* parent = ref.ParentOf(from);
        const Department* office =
            ref.SafetyOffice(t->jurisdiction.substr(0, t->jurisdiction.find('.')));
        fb::TicketEscalatedT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.action = fb::EscalationAction::escalate_parent;
        r.level = level;
        r.to_department = parent ? parent->id : (office ? office->id : from);
        r.reason = "overdue at " + from + ": escalated to its parent department";
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kArbitration: {
        fb::TicketEscalatedT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.action = fb::EscalationAction::arbitration;
        r.level = level;
        r.to_department = SafetyOfficeOrFallback(ref, wf, t->jurisdiction);
        r.reason = "returned " + std::to_string(t->returns) + " time(s): sent to arbitration";
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kLeadCity: {
        // The city-level department of the lead's kind (an incident graded up moves from
        // the district's bureau to the city's); the lead stays when there is none.
        const Department* lead = ref.FindDepartment(t->lead);
        const Department* city = lead ? DepartmentOfKind(ref, lead->kind, "") : nullptr;
        fb::TicketEscalatedT r;
        r.ticket_id = id;
        r.rule = es.name;
        r.action = fb::EscalationAction::lead_city;
        r.level = level;
        r.to_department = city ? city->id : t->lead;
        r.reason =
            city && city->id != t->lead
                ? "the city leads: " + t->lead + " hands the lead to " + city->id
                : "already led at city level (or no city department of its kind): " + t->lead +
                      " keeps the lead";
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
      case dsl::ActionKind::kChain: {
        // One chained ticket per step and ticket, ever: a lateness that comes back after
        // an extension or a reopen does not open a second oversight ticket.
        if (t->chained_by.count(es.name)) break;
        EvalEnv env(&step.input(), &*t, step.now());
        fb::TicketChainedT r;
        r.ticket_id = id;
        r.child_ticket_id = step.NewTicketId();
        r.child_workflow = action.workflow;
        r.rule = es.name;
        r.reason = "escalation step " + es.name;
        r.child_subject = t->subject;
        for (const auto& m : action.mapping) {
          dsl::Value v2 = dsl::Evaluate(m.value, env);
          if (m.fact == "subject" && v2.type() == dsl::ValueType::kString) {
            r.child_subject = v2.as_string();
            continue;
          }
          auto a = std::make_unique<fb::AttrT>();
          a->key = m.fact;
          a->value = ValueToLiteral(v2);
          r.attrs.push_back(std::move(a));
        }
        std::sort(r.attrs.begin(), r.attrs.end(),
                  [](const auto& a, const auto& b) { return a->key < b->key; });
        r.version = v;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *t));
        break;
      }
    }
  }
  return Status::Ok();
}

// The ticket as a transition's `set` effects leave it, before they are written (with the
// TicketTransitioned): what `dispatch resources` and the new state's time limit must see.
Ticket WithPending(const Ticket& cur, const std::vector<std::unique_ptr<fb::AttrT>>& pending) {
  Ticket seen = cur;
  for (const auto& a : pending) {
    dsl::Value v = ValueFromLiteral(a->value);
    if (a->key == "category") {
      seen.category = v.type() == dsl::ValueType::kString ? v.as_string() : "";
    } else if (a->key == "severity") {
      seen.severity = v.type() == dsl::ValueType::kString ? v.as_string() : "unknown";
    } else {
      seen.facts[a->key] = v;
    }
  }
  return seen;
}

uint32_t LevelOf(const dsl::Workflow& wf, const dsl::EscalationStep& es) {
  return static_cast<uint32_t>(&es - wf.escalation.data()) + 1;
}

}  // namespace

Status TakeTransition(Step& step, Ticket& t, const dsl::Workflow& wf, const dsl::Transition& tr,
                      std::string_view trigger, uint32_t version) {
  EvalEnv env(&step.input(), &t, step.now());
  std::vector<std::unique_ptr<fb::AttrT>> facts;
  const std::string id = t.id;
  for (const auto& e : tr.effects) {
    switch (e.kind) {
      case dsl::EffectKind::kSet:
      case dsl::EffectKind::kIncrement: {
        dsl::Value v =
            e.kind == dsl::EffectKind::kSet ? dsl::Evaluate(e.value, env) : t.Fact(e.fact);
        if (e.kind == dsl::EffectKind::kIncrement) {
          v = dsl::Value::Int((v.type() == dsl::ValueType::kInt ? v.as_int() : 0) + 1);
        }
        // A null value (e.g. an absent event.fields["k"]) leaves the fact unchanged, as
        // program.h promises; an enum keeps its value when given one it lacks.
        if (v.is_null() || !AcceptsFact(wf, e.fact, v)) break;
        auto a = std::make_unique<fb::AttrT>();
        a->key = e.fact;
        a->value = ValueToLiteral(v);
        facts.push_back(std::move(a));
        break;
      }
      case dsl::EffectKind::kReopen: {
        CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
        fb::TicketReopenedT r;
        r.ticket_id = id;
        const auto* cmd = step.input().body_as_StaffCommand();
        r.reason = cmd && cmd->reason() ? cmd->reason()->str() : std::string(trigger);
        r.reopens = cur->reopens + 1;
        r.state = cur->state;
        r.version = cur->version + 1;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *cur));
        break;
      }
      case dsl::EffectKind::kDispatch: {
        CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
        CL_RETURN_IF_ERROR(EmitDispatch(step, *cur, WithPending(*cur, facts)));
        break;
      }
      case dsl::EffectKind::kRelease: {
        CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
        CL_RETURN_IF_ERROR(EmitRelease(step, *cur, trigger));
        break;
      }
      case dsl::EffectKind::kAnswerExpert: {
        CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
        CL_RETURN_IF_ERROR(EmitExpertAnswer(step, *cur));
        break;
      }
      case dsl::EffectKind::kResolution: {
        CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
        fb::TicketResolvedT r;
        r.ticket_id = id;
        r.resolution = e.code;
        const auto* cmd = step.input().body_as_StaffCommand();
        if (cmd && cmd->note()) r.note = cmd->note()->str();
        r.state = cur->state;
        r.version = cur->version + 1;
        CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *cur));
        break;
      }
    }
  }
  CL_ASSIGN_OR_RETURN(auto cur, step.tickets().Load(id));
  const std::string from = cur->state;
  const std::string to = tr.target.empty() ? from : tr.target;
  const bool timer = tr.trigger == dsl::TriggerKind::kTimer;
  if (to != from || !facts.empty() || timer) {
    fb::TicketTransitionedT r;
    r.ticket_id = id;
    r.from_state = from;
    r.to_state = to;
    r.trigger = std::string(trigger);
    r.rule = tr.rule;
    // The new state's limit is chosen on the facts this transition sets (a hazard re-graded
    // major on the way into rectification gets the major-hazard limit).
    r.deadline_at = to != from ? DeadlineFor(step, wf, to, WithPending(*cur, facts), step.now())
                               : cur->deadline_at;
    // Within one workflow clock the deadline carries over; a pause keeps the time left.
    const dsl::Clock* clock = wf.ClockOf(from);
    if (to != from && clock != nullptr && clock == wf.ClockOf(to)) {
      const int64_t left = clock->Pauses(from) ? cur->clock_left : cur->deadline_at - step.now();
      r.deadline_at = clock->Pauses(to) ? 0 : step.now() + left;
      r.clock_left = clock->Pauses(to) ? left : 0;
    } else if (to != from && wf.ClockOf(to) != nullptr && wf.ClockOf(to)->Pauses(to)) {
      r.clock_left = wf.ClockOf(to)->duration.CalendarMillis();  // calendar units (checked)
    }
    r.version = std::max(version, cur->version + 1);
    r.facts = std::move(facts);
    CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *cur));
  }
  const dsl::State* target = wf.FindState(to);
  if (to != from && target != nullptr && target->terminal) {
    CL_ASSIGN_OR_RETURN(auto now_t, step.tickets().Load(id));
    fb::TicketClosedT r;
    r.ticket_id = id;
    r.outcome = now_t->resolution.empty() ? to : now_t->resolution;
    r.state = to;
    r.version = now_t->version + 1;
    CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *now_t));
  }
  return Status::Ok();
}

Status FireConditionSteps(Step& step, const std::string& id) {
  for (int round = 0; round < 16; ++round) {  // each round fires at most one step
    CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(id));
    if (!t || t->closed) return Status::Ok();
    const dsl::Workflow* wf = step.world().Find(t->workflow, t->workflow_version);
    if (wf == nullptr) return Status::Ok();
    EvalEnv env(&step.input(), &*t, step.now());
    ProvideRecurrences(step, *t, env);
    const dsl::EscalationStep* due = nullptr;
    for (const auto& es : wf->escalation) {
      if (es.trigger != dsl::StepTriggerKind::kCondition || t->fired_once.count(es.name)) continue;
      if (!InStates(es, t->state) || !es.condition) continue;
      if (dsl::Evaluate(*es.condition, env).truthy()) {
        due = &es;
        break;
      }
    }
    if (due == nullptr) return Status::Ok();
    CL_RETURN_IF_ERROR(FireStep(step, id, *wf, *due, LevelOf(*wf, *due)));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> DueTickets(Step& step, int64_t scan_from) {
  std::vector<std::string> ids;
  const std::string prefix = keys::TimerPrefix(step.partition());
  const std::string from = scan_from > 0 ? keys::Timer(step.partition(), scan_from, "") : prefix;
  const std::string to = keys::Timer(step.partition(), step.now() + 1, "");
  CL_RETURN_IF_ERROR(
      step.tickets().state().Scan(from, to, [&](std::string_view k, std::string_view) {
        ids.emplace_back(k.substr(prefix.size() + 9));  // past "<due BE64>\0"
        return true;
      }));
  return ids;
}

Status DecideClock(Step& step, int64_t scan_from) {
  CL_ASSIGN_OR_RETURN(auto ids, DueTickets(step, scan_from));
  return DecideDue(step, ids, 0, ids.size());
}

Status DecideDue(Step& step, const std::vector<std::string>& ids, size_t from, size_t to) {
  for (size_t i = from; i < to && i < ids.size(); ++i) {
    const std::string& id = ids[i];
    // A ticket may have several things due (the 80% reminder and the limit after a long
    // pause): take them one at a time, earliest first, each seeing the previous one's effect.
    for (int round = 0; round < 32; ++round) {
      CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(id));
      if (!t || t->closed || t->next_due == 0 || t->next_due > step.now()) break;
      const dsl::Workflow* wf = step.world().Find(t->workflow, t->workflow_version);
      const dsl::State* st = wf ? wf->FindState(t->state) : nullptr;
      if (st == nullptr) break;
      const Calendar& cal = step.world().CalendarFor(wf->calendar);
      int64_t best = 0;
      const dsl::Transition* timer = nullptr;
      const dsl::EscalationStep* ladder = nullptr;
      for (const auto& tr : st->transitions) {
        if (tr.trigger != dsl::TriggerKind::kTimer || t->fired.count(tr.rule)) continue;
        int64_t due = AddDuration(t->state_entered_at, tr.after, cal);
        if (due <= step.now() && (best == 0 || due < best)) {
          best = due;
          timer = &tr;
        }
      }
      for (const auto& es : wf->escalation) {
        if (es.trigger == dsl::StepTriggerKind::kCondition || StepSpent(*t, es)) continue;
        if (!InStates(es, t->state)) continue;
        int64_t due = StepDue(*t, es, cal);
        if (due > 0 && due <= step.now() && (best == 0 || due < best)) {
          best = due;
          timer = nullptr;
          ladder = &es;
        }
      }
      if (timer != nullptr) {
        EvalEnv env(&step.input(), &*t, step.now());
        if (timer->guard && !dsl::Evaluate(*timer->guard, env).truthy()) {
          // Recorded as a stay, so the timer is spent for this visit.
          dsl::Transition stay = *timer;
          stay.target.clear();
          stay.effects.clear();
          CL_RETURN_IF_ERROR(TakeTransition(step, *t, *wf, stay, "timer", t->version + 1));
        } else {
          CL_RETURN_IF_ERROR(TakeTransition(step, *t, *wf, *timer, "timer", t->version + 1));
        }
      } else if (ladder != nullptr) {
        CL_RETURN_IF_ERROR(FireStep(step, id, *wf, *ladder, LevelOf(*wf, *ladder)));
      } else {
        break;
      }
      CL_RETURN_IF_ERROR(FireConditionSteps(step, id));
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
