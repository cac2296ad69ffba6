// Opening tickets: start rules (with deduplication), chained tickets, routing.
#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "engine/decide.h"
#include "engine/env.h"
#include "engine/keys.h"
#include "engine/routing.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

using dsl::Value;

fb::Severity SeverityOf(const Value& v) {
  if (v.type() == dsl::ValueType::kString) {
    for (auto s : fb::EnumValuesSeverity()) {
      if (v.as_string() == fb::EnumNameSeverity(s)) return s;
    }
  }
  return fb::Severity::unknown;
}

std::string StringOf(const Value& v) {
  return v.type() == dsl::ValueType::kString ? v.as_string() : (v.is_null() ? "" : v.ToString());
}

std::string Number(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest: the same everywhere
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

using events::Str;

// What the opening event says and where, in its own words, for lists and search: the
// description where it has one, else the reading (a sensor) or the detection (a camera).
void WhatAndWhere(const fb::Record& rec, std::string* what, std::string* where) {
  switch (rec.body_type()) {
    case fb::Body::HazardReport:
      *what = Str(rec.body_as_HazardReport()->description());
      *where = Str(rec.body_as_HazardReport()->address());
      break;
    case fb::Body::SensorAlarm: {
      const auto* b = rec.body_as_SensorAlarm();
      *what = std::string(fb::EnumNameMeasure(b->measure())) + " " + Number(b->value()) +
              Str(b->unit()) + " / " + Number(b->threshold()) + Str(b->unit()) + " (" +
              Str(b->sensor_id()) + ")";
      break;
    }
    case fb::Body::VideoAlarm: {
      const auto* b = rec.body_as_VideoAlarm();
      *what =
          Str(b->algorithm()) + " " + Number(b->confidence()) + " (" + Str(b->camera_id()) + ")";
      break;
    }
    case fb::Body::EnterpriseSelfReport:
      *what = Str(rec.body_as_EnterpriseSelfReport()->description());
      break;
    case fb::Body::InspectionFinding:
      *what = Str(rec.body_as_InspectionFinding()->description());
      break;
    case fb::Body::EnforcementStep:
      *what = Str(rec.body_as_EnforcementStep()->description());
      break;
    case fb::Body::IncidentReport:
      *what = Str(rec.body_as_IncidentReport()->description());
      *where = Str(rec.body_as_IncidentReport()->address());
      break;
    case fb::Body::ServiceRequest:
      *what = Str(rec.body_as_ServiceRequest()->description());
      *where = Str(rec.body_as_ServiceRequest()->address());
      break;
    default:
      break;
  }
}

// Declared facts at their defaults (built-ins are the ticket's own fields).
std::map<std::string, Value> DefaultFacts(const dsl::Workflow& wf) {
  std::map<std::string, Value> facts;
  for (const auto& f : wf.facts) {
    if (!f.builtin) facts[f.name] = f.initial;
  }
  return facts;
}

Status Route(Step& step, const dsl::Workflow& wf, const std::string& ticket_id) {
  if (!wf.routing) return Status::Ok();
  CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(ticket_id));
  EvalEnv env(&step.input(), &*t, step.now());
  RouteResult r = RouteTicket(step.world(), wf, env, t->jurisdiction);
  fb::TicketRoutedT routed;
  routed.ticket_id = ticket_id;
  if (wf.routing->kind.empty()) routed.routing_table = wf.routing->table;
  routed.version = t->version + 1;
  routed.lead_department = std::move(r.lead);
  routed.assist_departments = std::move(r.assist);
  routed.rule = std::move(r.rule);
  fb::BodyUnion body;
  body.Set(std::move(routed));
  return step.Emit(std::move(body), *t);
}

// The open ticket of `wf` that absorbs this record, if the dedup rule finds one in time.
Result<std::optional<Ticket>> FindDuplicate(Step& step, const dsl::Workflow& wf,
                                            const std::string& key, const dsl::Duration& window) {
  CL_ASSIGN_OR_RETURN(auto id,
                      step.tickets().state().Get(keys::Dedup(step.partition(), wf.name, key)));
  if (!id) return std::optional<Ticket>();
  CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(*id));
  if (!t || t->closed) return std::optional<Ticket>();
  int64_t span = window.CalendarMillis();
  if (span >= 0 && step.now() - t->opened_at > span) return std::optional<Ticket>();
  return t;
}

}  // namespace

void ProvideRecurrences(Step& step, const Ticket& t, EvalEnv& env) {
  env.SetRecurrences([&step, t](const dsl::Duration& window) -> Value {
    int64_t span = window.CalendarMillis();
    if (span < 0) return Value::Null();  // working-time windows are not supported here
    int64_t count = 0;
    // The subject index is ordered by opening time: scan just the window.
    std::string prefix = keys::SubjectPrefix(step.partition(), t.subject);
    std::string from =
        keys::Subject(step.partition(), t.subject, std::max<int64_t>(0, step.now() - span), "");
    Status s = step.tickets().state().Scan(
        from, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view) {
          std::string id(k.substr(k.rfind('\0') + 1));
          if (id == t.id) return true;
          auto other = step.tickets().Load(id);
          if (other.ok() && *other && (*other)->workflow == t.workflow &&
              (*other)->category == t.category && (*other)->opened_at >= step.now() - span &&
              (*other)->opened_at <= step.now()) {
            ++count;
          }
          return true;
        });
    return s.ok() ? Value::Int(count) : Value::Null();
  });
}

bool AcceptsFact(const dsl::Workflow& wf, const std::string& name, const dsl::Value& value) {
  const dsl::FactDecl* f = wf.FindFact(name);
  if (f == nullptr) return name == "title";
  if (f->type != dsl::FactType::kEnum || value.is_null()) return true;
  return value.type() == dsl::ValueType::kString &&
         std::find(f->enum_values.begin(), f->enum_values.end(), value.as_string()) !=
             f->enum_values.end();
}

int64_t DeadlineFor(const Step& step, const dsl::Workflow& wf, std::string_view state,
                    const Ticket& t, int64_t at) {
  const dsl::State* st = wf.FindState(state);
  if (st == nullptr) return 0;
  // A workflow clock starting here (TakeTransition keeps one already running).
  if (const dsl::Clock* clock = wf.ClockOf(state)) {
    return clock->Pauses(state) ? 0 : at + clock->duration.CalendarMillis();  // calendar units
  }
  EvalEnv env(&step.input(), &t, at);
  for (const auto& limit : st->limits) {
    if (limit.condition && !dsl::Evaluate(*limit.condition, env).truthy()) continue;
    if (limit.until) {
      dsl::Value due = dsl::Evaluate(*limit.until, env);
      return due.type() == dsl::ValueType::kInt && due.as_int() > 0 ? due.as_int() : 0;
    }
    return AddDuration(
        at, limit.duration,
        step.world().CalendarFor(limit.duration.calendar.empty() ? wf.calendar
                                                                 : limit.duration.calendar));
  }
  return 0;
}

Result<std::string> OpenTicket(Step& step, const OpenRequest& req) {
  const dsl::Workflow& wf = *req.wf;
  Ticket stub;
  stub.id = req.ticket_id.empty() ? step.NewTicketId() : req.ticket_id;
  stub.subject = req.subject;
  stub.jurisdiction = req.jurisdiction;
  stub.chain_id = req.chain_id.empty() ? stub.id : req.chain_id;
  stub.workflow = wf.name;
  stub.workflow_version = wf.version;
  stub.state = req.initial_state;
  stub.opened_at = stub.state_entered_at = step.now();
  fb::TicketOpenedT opened;
  for (const auto& [k, v] : req.facts) {
    if (k == "category") {
      stub.category = StringOf(v);
    } else if (k == "severity") {
      stub.severity = fb::EnumNameSeverity(SeverityOf(v));
    } else if (k == "title") {
      stub.title = StringOf(v);
    } else {
      stub.facts[k] = v;
    }
  }
  opened.ticket_id = stub.id;
  opened.workflow = wf.name;
  opened.workflow_version = wf.version;
  opened.loop = static_cast<fb::Loop>(wf.loop);
  opened.state = req.initial_state;
  opened.category = stub.category;
  opened.severity = SeverityOf(Value::String(stub.severity));
  opened.title =
      stub.title.empty() ? (wf.title_zh.empty() ? wf.title_en : wf.title_zh) : stub.title;
  opened.parent_ticket_id = req.parent_id;
  opened.trigger = req.trigger;
  opened.deadline_at = DeadlineFor(step, wf, req.initial_state, stub, step.now());
  opened.dedup_key = req.dedup_key;
  if (req.trigger == "event") WhatAndWhere(step.input(), &opened.what, &opened.where);
  for (const auto& [k, v] : stub.facts) {
    auto a = std::make_unique<fb::AttrT>();
    a->key = k;
    a->value = ValueToLiteral(v);
    opened.attrs.push_back(std::move(a));
  }
  fb::BodyUnion body;
  body.Set(std::move(opened));
  CL_RETURN_IF_ERROR(step.Emit(std::move(body), stub));
  CL_RETURN_IF_ERROR(Route(step, wf, stub.id));
  CL_RETURN_IF_ERROR(FireConditionSteps(step, stub.id));
  return stub.id;
}

bool StartApplies(const World& world, const dsl::Workflow& wf, const dsl::StartRule& rule,
                  const fb::Record& rec, std::string_view type) {
  if (rule.event_type != type) return false;
  if (rec.body_type() != fb::Body::ServiceRequest) return true;
  const auto* code = rec.body_as_ServiceRequest()->service_code();
  const std::string_view c = code ? code->string_view() : std::string_view();
  if (!wf.services.empty()) return wf.FindService(c) != nullptr;
  for (const dsl::Workflow* other : world.LatestAll()) {
    if (other->name != wf.name && other->FindService(c) != nullptr) return false;
  }
  return true;
}

Status DecideEvent(Step& step) {
  const fb::Record& rec = step.input();
  const std::string type(events::BodyName(rec.body_type()));
  const std::string subject = rec.subject() ? rec.subject()->str() : "";
  const std::string jurisdiction = rec.jurisdiction() ? rec.jurisdiction()->str() : "";

  // 1. Event transitions of the subject's open tickets, in ticket-id order. The index value
  // names each ticket's workflow and state, so only tickets listening for this type load.
  std::vector<std::string> ids;
  std::string prefix = keys::OpenBySubjectPrefix(step.partition(), subject);
  CL_RETURN_IF_ERROR(step.tickets().state().Scan(
      prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view v) {
        size_t a = v.find('\0'), b = v.find('\0', a + 1);
        if (a == std::string_view::npos || b == std::string_view::npos) return true;
        uint32_t version = static_cast<uint32_t>(
            std::strtoul(std::string(v.substr(a + 1, b - a - 1)).c_str(), nullptr, 10));
        const dsl::Workflow* wf = step.world().Find(v.substr(0, a), version);
        const dsl::State* st = wf ? wf->FindState(v.substr(b + 1)) : nullptr;
        if (st == nullptr) return true;
        for (const auto& tr : st->transitions) {
          if (tr.trigger == dsl::TriggerKind::kEvent && tr.event_type == type) {
            ids.emplace_back(k.substr(prefix.size()));
            break;
          }
        }
        return true;
      }));
  for (const auto& id : ids) {
    CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(id));
    if (!t || t->closed) continue;
    const dsl::Workflow* wf = step.world().Find(t->workflow, t->workflow_version);
    const dsl::State* st = wf ? wf->FindState(t->state) : nullptr;
    if (st == nullptr) continue;
    EvalEnv env(&rec, &*t, step.now());
    for (const auto& tr : st->transitions) {
      if (tr.trigger != dsl::TriggerKind::kEvent || tr.event_type != type) continue;
      if (tr.guard && !dsl::Evaluate(*tr.guard, env).truthy()) continue;
      CL_RETURN_IF_ERROR(TakeTransition(step, *t, *wf, tr, type, t->version + 1));
      CL_RETURN_IF_ERROR(FireConditionSteps(step, id));
      break;
    }
  }

  // 2. Start rules: per workflow (by name), the first matching rule opens or deduplicates.
  for (const dsl::Workflow* wf : step.world().LatestAll()) {
    for (const auto& rule : wf->starts) {
      if (!StartApplies(step.world(), *wf, rule, rec, type)) continue;
      std::map<std::string, Value> facts = DefaultFacts(*wf);
      EvalEnv env(&rec, nullptr, step.now());
      env.SetProvisional(&facts);
      if (rule.condition && !dsl::Evaluate(*rule.condition, env).truthy()) continue;
      for (const auto& a : rule.assignments) {
        dsl::Value v = dsl::Evaluate(a.value, env);
        if (AcceptsFact(*wf, a.fact, v)) facts[a.fact] = std::move(v);
      }
      std::string dedup_key;
      if (rule.dedup) {
        for (const auto& k : rule.dedup->keys) {
          if (!dedup_key.empty()) dedup_key += '\x1f';
          dedup_key += ValueToLiteral(dsl::Evaluate(k, env));
        }
        CL_ASSIGN_OR_RETURN(auto dup, FindDuplicate(step, *wf, dedup_key, rule.dedup->window));
        if (dup) {
          fb::EventAttachedT attached;
          attached.ticket_id = dup->id;
          attached.event_id = step.input_id();
          attached.reason = "dedup within " + dsl::FormatDuration(rule.dedup->window);
          attached.version = dup->version + 1;
          fb::BodyUnion body;
          body.Set(std::move(attached));
          CL_RETURN_IF_ERROR(step.Emit(std::move(body), *dup));
          break;
        }
      }
      OpenRequest req;
      req.wf = wf;
      req.initial_state = rule.initial_state;
      req.facts = std::move(facts);
      req.subject = subject;
      req.jurisdiction = jurisdiction;
      req.trigger = "event";
      req.dedup_key = dedup_key;
      CL_ASSIGN_OR_RETURN(std::string id, OpenTicket(step, req));
      (void)id;
      break;
    }
  }
  return Status::Ok();
}

Status DecideChained(Step& step) {
  const fb::Record& rec = step.input();
  const auto* c = rec.body_as_TicketChained();
  CL_ASSIGN_OR_RETURN(auto existing, step.tickets().Load(c->child_ticket_id()->string_view()));
  if (existing) return Status::Ok();  // opened already
  const dsl::Workflow* wf = step.world().Latest(c->child_workflow()->string_view());
  OpenRequest req;
  req.subject = c->child_subject() && c->child_subject()->size() > 0
                    ? c->child_subject()->str()
                    : (rec.subject() ? rec.subject()->str() : "");
  req.jurisdiction = rec.jurisdiction() ? rec.jurisdiction()->str() : "";
  if (wf == nullptr) {
    fb::CommandRejectedT rej;
    rej.ticket_id = c->ticket_id()->str();
    rej.verb = "chain";
    rej.reason = fb::RejectReason::invalid;
    rej.message = "workflow " + c->child_workflow()->str() + " is not deployed; chained ticket " +
                  c->child_ticket_id()->str() + " was not opened";
    fb::BodyUnion body;
    body.Set(std::move(rej));
    Ticket about;
    about.subject = req.subject;
    about.jurisdiction = req.jurisdiction;
    about.chain_id = rec.correlation_id() ? rec.correlation_id()->str() : "";
    return step.Emit(std::move(body), about);
  }
  req.wf = wf;
  req.initial_state = wf->chain_entry_state;
  req.facts = DefaultFacts(*wf);
  if (c->attrs()) {
    // The parent may map facts this workflow does not have (it was checked against another
    // version): those are skipped.
    for (const fb::Attr* a : *c->attrs()) {
      dsl::Value v = ValueFromLiteral(a->value() ? a->value()->string_view() : "null");
      if (AcceptsFact(*wf, a->key()->str(), v)) req.facts[a->key()->str()] = std::move(v);
    }
  }
  req.parent_id = c->ticket_id()->str();
  req.chain_id = rec.correlation_id() ? rec.correlation_id()->str() : req.parent_id;
  req.trigger = "chain";
  req.ticket_id = c->child_ticket_id()->str();
  CL_ASSIGN_OR_RETURN(std::string id, OpenTicket(step, req));
  (void)id;
  return Status::Ok();
}

}  // namespace closeloop::engine
