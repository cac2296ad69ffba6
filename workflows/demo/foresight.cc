#include "workflows/demo/foresight.h"

#include <algorithm>

#include "engine/decide.h"
#include "engine/env.h"
#include "engine/permission.h"
#include "engine/routing.h"
#include "events/ids.h"
#include "events/partition.h"
#include "events/record.h"

namespace closeloop::demo {
namespace {

using dsl::Value;

using events::Str;

std::string StringOf(const Value& v) {
  return v.type() == dsl::ValueType::kString ? v.as_string() : (v.is_null() ? "" : v.ToString());
}

void SetFact(engine::Ticket& t, const std::string& name, const Value& v) {
  if (v.is_null()) return;
  if (name == "category") {
    t.category = StringOf(v);
  } else if (name == "severity") {
    t.severity = StringOf(v);
  } else if (name != "subject" && name != "jurisdiction") {
    t.facts[name] = v;
  }
}

}  // namespace

Status Foresight::ApplyControl(const fb::Record& rec) {
  if (rec.body_type() != fb::Body::ClockTick) return world_.ApplyControl(rec);
  now_ = std::max(now_, rec.body_as_ClockTick()->now());
  while (!timers_.empty() && timers_.begin()->first <= now_) {
    auto [id, entered] = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = tickets_.find(id);
    if (it == tickets_.end() || it->second.closed || it->second.state_entered_at != entered)
      continue;
    engine::Ticket& t = it->second;
    const dsl::Workflow* wf = WorkflowOf(t);
    const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
    if (st == nullptr) continue;
    const engine::Calendar& cal = world_.CalendarFor(wf->calendar);
    const dsl::Transition* best = nullptr;
    int64_t best_due = 0;
    for (const auto& tr : st->transitions) {
      if (tr.trigger != dsl::TriggerKind::kTimer || t.fired.count(tr.rule)) continue;
      int64_t due = engine::AddDuration(t.state_entered_at, tr.after, cal);
      if (due <= now_ && (best == nullptr || due < best_due)) best = &tr, best_due = due;
    }
    if (best == nullptr) continue;
    t.fired.insert(best->rule);
    engine::EvalEnv env(&rec, &t, now_);
    if (best->guard && !dsl::Evaluate(*best->guard, env).truthy()) continue;
    Enter(t, *wf, best->target.empty() ? nullptr : wf->FindState(best->target), &rec);
    timer_changes_.push_back(id);
    ArmTimers(*wf, t);
    FireConditionSteps(id, &rec, &timer_changes_);
  }
  return Status::Ok();
}

std::vector<std::string> Foresight::TakeTimerChanges() {
  std::vector<std::string> out;
  out.swap(timer_changes_);
  return out;
}

const engine::Ticket* Foresight::Find(const std::string& id) const {
  auto it = tickets_.find(id);
  return it == tickets_.end() ? nullptr : &it->second;
}

const dsl::Workflow* Foresight::WorkflowOf(const engine::Ticket& t) const {
  return world_.Find(t.workflow, t.workflow_version);
}

void Foresight::Forget(const std::string& id) {
  auto it = tickets_.find(id);
  if (it == tickets_.end() || !it->second.closed) return;
  tickets_.erase(it);
}

std::vector<std::string> Foresight::Apply(const fb::Record& rec) {
  std::vector<std::string> changed;
  seq_ = 0;
  const std::string subject = Str(rec.subject());
  if (rec.body_type() == fb::Body::StaffCommand) {
    auto it = tickets_.find(Str(rec.body_as_StaffCommand()->ticket_id()));
    if (it != tickets_.end() && !it->second.closed && TakeVerb(rec, it->second)) {
      const std::string id = it->first;
      changed.push_back(id);
      FireConditionSteps(id, &rec, &changed);
    }
    return changed;
  }
  // 1. Event transitions of the subject's open tickets, in id order (engine/decide_open.cc).
  const std::string type(events::BodyName(rec.body_type()));
  auto subj = by_subject_.find(subject);
  if (subj != by_subject_.end()) {
    const std::set<std::string> ids = subj->second;
    for (const std::string& id : ids) {
      engine::Ticket& t = tickets_.at(id);
      const dsl::Workflow* wf = WorkflowOf(t);
      const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
      if (st == nullptr || t.closed) continue;
      engine::EvalEnv env(&rec, &t, now_);
      for (const auto& tr : st->transitions) {
        if (tr.trigger != dsl::TriggerKind::kEvent || tr.event_type != type) continue;
        if (tr.guard && !dsl::Evaluate(*tr.guard, env).truthy()) continue;
        for (const auto& e : tr.effects) {
          if (e.kind == dsl::EffectKind::kSet) SetFact(t, e.fact, dsl::Evaluate(e.value, env));
          if (e.kind == dsl::EffectKind::kReopen) ++t.reopens;
          if (e.kind == dsl::EffectKind::kResolution) t.resolution = e.code;
        }
        ++t.version;
        Enter(t, *wf, tr.target.empty() ? nullptr : wf->FindState(tr.target), &rec);
        changed.push_back(id);
        FireConditionSteps(id, &rec, &changed);
        break;
      }
    }
  }
  // 2. Start rules.
  OpenFrom(rec, &changed);
  return changed;
}

void Foresight::OpenFrom(const fb::Record& rec, std::vector<std::string>* changed) {
  const std::string type(events::BodyName(rec.body_type()));
  const std::string subject = Str(rec.subject());
  const uint32_t partition = events::PartitionForKey(subject, partitions_);
  for (const dsl::Workflow* wf : world_.LatestAll()) {
    for (const auto& rule : wf->starts) {
      if (!engine::StartApplies(world_, *wf, rule, rec, type)) continue;
      std::map<std::string, Value> facts;
      for (const auto& f : wf->facts) {
        if (!f.builtin) facts[f.name] = f.initial;
      }
      engine::EvalEnv env(&rec, nullptr, now_);
      env.SetProvisional(&facts);
      if (rule.condition && !dsl::Evaluate(*rule.condition, env).truthy()) continue;
      for (const auto& a : rule.assignments) {
        Value v = dsl::Evaluate(a.value, env);
        if (engine::AcceptsFact(*wf, a.fact, v)) facts[a.fact] = std::move(v);
      }
      std::string key;
      if (rule.dedup) {
        for (const auto& k : rule.dedup->keys) {
          if (!key.empty()) key += '\x1f';
          key += engine::ValueToLiteral(dsl::Evaluate(k, env));
        }
        auto d = dedup_.find({wf->name, key});
        if (d != dedup_.end()) {
          const engine::Ticket* dup = Find(d->second);
          const int64_t span = rule.dedup->window.CalendarMillis();
          if (dup && !dup->closed && (span < 0 || now_ - dup->opened_at <= span)) {
            ++tickets_.at(d->second).version;  // EventAttached
            break;
          }
        }
      }
      engine::Ticket t;
      t.id = events::DeriveId(now_, Str(rec.id()) + "/p" + std::to_string(partition) + "/ticket",
                              seq_++)
                 .ToString();
      t.workflow = wf->name;
      t.workflow_version = wf->version;
      t.loop = std::string(dsl::LoopName(wf->loop));
      t.subject = subject;
      t.jurisdiction = Str(rec.jurisdiction());
      t.chain_id = t.id;
      t.trigger = "event";
      t.dedup_key = key;
      t.opened_at = now_;
      t.version = 1;
      for (const auto& [k, v] : facts) SetFact(t, k, v);
      if (wf->routing) {
        engine::EvalEnv renv(&rec, &t, now_);
        engine::RouteResult r = engine::RouteTicket(world_, *wf, renv, t.jurisdiction);
        t.lead = std::move(r.lead);
        t.assist = std::move(r.assist);
        ++t.version;
      }
      if (rule.dedup) dedup_[{wf->name, key}] = t.id;
      const std::string id = t.id;
      auto [it, inserted] = tickets_.emplace(id, std::move(t));
      if (!inserted) break;  // the same record twice: the engine would not open it again
      ++open_;
      by_subject_[subject].insert(id);
      it->second.state.clear();
      Enter(it->second, *wf, wf->FindState(rule.initial_state), &rec);
      changed->push_back(id);
      FireConditionSteps(id, &rec, changed);
      break;
    }
  }
}

bool Foresight::TakeVerb(const fb::Record& rec, engine::Ticket& t) {
  const fb::StaffCommand& cmd = *rec.body_as_StaffCommand();
  const dsl::Workflow* wf = WorkflowOf(t);
  const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
  if (st == nullptr) return false;
  const std::string verb = Str(cmd.verb());
  engine::EvalEnv env(&rec, &t, now_);
  for (const auto& tr : st->transitions) {
    if (tr.trigger != dsl::TriggerKind::kVerb || tr.verb != verb) continue;
    if (engine::FireRefusal(world_.reference(), tr.roles, engine::ClaimsOf(cmd), t)) continue;
    if (tr.guard && !dsl::Evaluate(*tr.guard, env).truthy()) continue;
    // The built-in verb's own record first, then the transition.
    if (verb == "return") {
      ++t.returns;
      std::string to = Str(cmd.to_department());
      if (to.empty()) to = engine::SafetyOfficeOrFallback(world_.reference(), *wf, t.jurisdiction);
      t.last_returned_by = t.lead;
      t.lead = to;
    } else if (verb == "transfer") {
      t.lead = Str(cmd.to_department());
    } else if (verb == "request_extension") {
      t.pending_extension_days = cmd.days();
    } else if (verb == "approve_extension" || verb == "deny_extension") {
      if (verb == "approve_extension") ++t.extensions;
      t.pending_extension_days = 0;
    }
    for (const auto& e : tr.effects) {
      if (e.kind == dsl::EffectKind::kSet) SetFact(t, e.fact, dsl::Evaluate(e.value, env));
      if (e.kind == dsl::EffectKind::kReopen) ++t.reopens;
      if (e.kind == dsl::EffectKind::kResolution) t.resolution = e.code;
      if (e.kind == dsl::EffectKind::kIncrement) {
        const Value& v = t.facts[e.fact];
        t.facts[e.fact] = Value::Int((v.type() == dsl::ValueType::kInt ? v.as_int() : 0) + 1);
      }
    }
    ++t.version;
    Enter(t, *wf, tr.target.empty() ? nullptr : wf->FindState(tr.target), &rec);
    return true;
  }
  return false;  // CommandRejected
}

void Foresight::FireConditionSteps(const std::string& id, const fb::Record* cause,
                                   std::vector<std::string>* changed) {
  for (int round = 0; round < 16; ++round) {  // as the engine: one step per round
    auto it = tickets_.find(id);
    if (it == tickets_.end() || it->second.closed) return;
    engine::Ticket& t = it->second;
    const dsl::Workflow* wf = WorkflowOf(t);
    if (wf == nullptr) return;
    engine::EvalEnv env(cause, &t, now_);
    const dsl::EscalationStep* due = nullptr;
    for (const auto& es : wf->escalation) {
      if (es.trigger != dsl::StepTriggerKind::kCondition || t.fired_once.count(es.name)) continue;
      if (!es.states.empty() &&
          std::find(es.states.begin(), es.states.end(), t.state) == es.states.end()) {
        continue;
      }
      if (es.condition && dsl::Evaluate(*es.condition, env).truthy()) {
        due = &es;
        break;
      }
    }
    if (due == nullptr) return;
    t.fired_once.insert(due->name);
    for (const auto& action : due->actions) {
      ++t.version;  // every action is a record about the ticket
      if (action.kind == dsl::ActionKind::kLeadCity) {
        const engine::Department* lead = world_.reference().FindDepartment(t.lead);
        const engine::Department* city =
            lead ? engine::DepartmentOfKind(world_.reference(), lead->kind, "") : nullptr;
        if (city != nullptr && city->id != t.lead) {
          t.lead = city->id;
          if (std::find(changed->begin(), changed->end(), id) == changed->end())
            changed->push_back(id);
        }
      } else if (action.kind == dsl::ActionKind::kChain) {
        // The child opens when the engine reads its TicketChained back from the log, after
        // every record already published (a whole stream, when it is published at once):
        // staff cannot know it in time, so it is not tracked.
        t.chained_by.insert(due->name);
      }
    }
  }
}

void Foresight::Enter(engine::Ticket& t, const dsl::Workflow& wf, const dsl::State* target,
                      const fb::Record* cause) {
  if (target == nullptr || target->name == t.state) return;  // the state clock keeps running
  t.state = target->name;
  t.state_entered_at = now_;
  t.fired.clear();
  t.deadline_at = DeadlineFor(wf, t, cause);
  if (target->terminal) {
    t.closed = true;
    t.closed_at = now_;
    --open_;
    auto subj = by_subject_.find(t.subject);
    if (subj != by_subject_.end()) {
      subj->second.erase(t.id);
      if (subj->second.empty()) by_subject_.erase(subj);
    }
    return;
  }
  ArmTimers(wf, t);
}

int64_t Foresight::DeadlineFor(const dsl::Workflow& wf, const engine::Ticket& t,
                               const fb::Record* cause) const {
  const dsl::State* st = wf.FindState(t.state);
  if (st == nullptr) return 0;
  engine::EvalEnv env(cause, &t, now_);
  for (const auto& limit : st->limits) {
    if (limit.condition && !dsl::Evaluate(*limit.condition, env).truthy()) continue;
    return engine::AddDuration(
        now_, limit.duration,
        world_.CalendarFor(limit.duration.calendar.empty() ? wf.calendar
                                                           : limit.duration.calendar));
  }
  return 0;
}

void Foresight::ArmTimers(const dsl::Workflow& wf, const engine::Ticket& t) {
  const dsl::State* st = wf.FindState(t.state);
  if (st == nullptr) return;
  const engine::Calendar& cal = world_.CalendarFor(wf.calendar);
  for (const auto& tr : st->transitions) {
    if (tr.trigger != dsl::TriggerKind::kTimer || t.fired.count(tr.rule)) continue;
    timers_.emplace(engine::AddDuration(t.state_entered_at, tr.after, cal),
                    std::make_pair(t.id, t.state_entered_at));
  }
}

}  // namespace closeloop::demo
