// Staff commands: validated against the ticket and its workflow, then applied (records) or
// rejected (CommandRejected with the reason), never half-applied.
#include <algorithm>

#include "dsl/verb_fields.h"
#include "engine/decide.h"
#include "engine/env.h"
#include "engine/permission.h"
#include "engine/routing.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

using events::Str;

bool IsBuiltinVerb(std::string_view verb) {
  return std::find(std::begin(dsl::kBuiltinVerbs), std::end(dsl::kBuiltinVerbs), verb) !=
         std::end(dsl::kBuiltinVerbs);
}

Status Reject(Step& step, const Ticket* t, fb::RejectReason reason, std::string message,
              std::string field = "") {
  const auto* cmd = step.input().body_as_StaffCommand();
  fb::CommandRejectedT rej;
  rej.ticket_id = cmd->ticket_id()->str();
  rej.verb = cmd->verb()->str();
  rej.reason = reason;
  rej.message = std::move(message);
  rej.current_version = t ? t->version : 0;
  rej.field = std::move(field);
  fb::BodyUnion body;
  body.Set(std::move(rej));
  Ticket about;
  if (t) {
    about = *t;
  } else {
    about.subject = Str(step.input().subject());
    about.jurisdiction = Str(step.input().jurisdiction());
  }
  return step.Emit(std::move(body), about);
}

template <typename T>
Status EmitBody(Step& step, T&& value, const Ticket& t) {
  fb::BodyUnion body;
  body.Set(std::forward<T>(value));
  return step.Emit(std::move(body), t);
}

// The records a built-in verb writes before its transition runs.
Status VerbRecords(Step& step, const Ticket& t, const dsl::Workflow& wf,
                   const fb::StaffCommand& cmd) {
  const std::string verb = cmd.verb()->str();
  const uint32_t v = t.version + 1;
  if (verb == "sign_for") {
    fb::TicketSignedForT r;
    r.ticket_id = t.id;
    r.department = Str(cmd.department());
    r.state = t.state;
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "return") {
    fb::TicketReturnedT r;
    r.ticket_id = t.id;
    r.from_department = t.lead;
    r.reason = Str(cmd.reason());
    std::string to = Str(cmd.to_department());
    if (to.empty()) to = SafetyOfficeOrFallback(step.world().reference(), wf, t.jurisdiction);
    r.to_department = to;
    r.returns = t.returns + 1;
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "transfer") {
    fb::TicketTransferredT r;
    r.ticket_id = t.id;
    r.from_department = t.lead;
    r.to_department = Str(cmd.to_department());
    r.reason = Str(cmd.reason());
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "request_extension") {
    fb::ExtensionRequestedT r;
    r.ticket_id = t.id;
    r.days = cmd.days();
    r.reason = Str(cmd.reason());
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "approve_extension") {
    const Calendar& cal = step.world().CalendarFor(wf.calendar);
    fb::TicketExtendedT r;
    r.ticket_id = t.id;
    r.days = t.pending_extension_days;
    // Counted from the later of the old deadline and now: an extension approved on an
    // overdue ticket gives real time, never a deadline already past.
    r.deadline_at = t.deadline_at > 0 ? cal.AddWorkingDays(std::max(t.deadline_at, step.now()),
                                                           t.pending_extension_days)
                                      : 0;
    r.extensions = t.extensions + 1;
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "deny_extension") {
    fb::ExtensionDeniedT r;
    r.ticket_id = t.id;
    r.reason = Str(cmd.reason());
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "progress" || verb == "callback") {
    fb::TicketProgressedT r;
    r.ticket_id = t.id;
    r.note = verb == "callback" ? "callback: " + Str(cmd.note()) : Str(cmd.note());
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "submit_evidence") {
    fb::EvidenceSubmittedT r;
    r.ticket_id = t.id;
    if (cmd.evidence()) {
      for (const auto* e : *cmd.evidence()) r.evidence.push_back(e->str());
    }
    r.note = Str(cmd.note());
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  if (verb == "review_pass" || verb == "review_fail") {
    fb::TicketReviewedT r;
    r.ticket_id = t.id;
    r.passed = verb == "review_pass";
    r.note = Str(cmd.note());
    r.state = t.state;
    r.version = v;
    return EmitBody(step, std::move(r), t);
  }
  return Status::Ok();  // resolve (see the transition's effects), close, custom verbs
}

// Checks a built-in verb's own preconditions; "" when it may go ahead.
std::string VerbProblem(const Ticket& t, const dsl::Workflow& wf, const fb::StaffCommand& cmd,
                        fb::RejectReason* reason) {
  const std::string verb = cmd.verb()->str();
  *reason = fb::RejectReason::invalid;
  if (verb == "return" && Str(cmd.reason()).empty()) return "return needs a reason";
  if (verb == "transfer") {
    if (Str(cmd.to_department()).empty()) return "transfer needs to_department";
    if (Str(cmd.to_department()) == t.lead) return "the ticket is already led by " + t.lead;
  }
  if (verb == "request_extension") {
    if (wf.extensions.max_count == 0) {
      *reason = fb::RejectReason::limit_reached;
      return "workflow " + wf.name + " allows no extensions";
    }
    if (t.extensions >= wf.extensions.max_count) {
      *reason = fb::RejectReason::limit_reached;
      return "already extended " + std::to_string(t.extensions) + " time(s), the most allowed";
    }
    if (t.pending_extension_days > 0) {
      *reason = fb::RejectReason::wrong_state;
      return "an extension request is already pending";
    }
    if (cmd.days() <= 0) return "request_extension needs days > 0";
    if (wf.extensions.max_each.count > 0 && cmd.days() > wf.extensions.max_each.count) {
      return "at most " + dsl::FormatDuration(wf.extensions.max_each) + " per extension";
    }
  }
  if ((verb == "approve_extension" || verb == "deny_extension") && t.pending_extension_days <= 0) {
    *reason = fb::RejectReason::wrong_state;
    return "no extension request is pending";
  }
  return "";
}

// The command against its verb's declared fields (dsl/verb_fields.h), and a department
// field against the reference data.
std::optional<dsl::FieldProblem> FieldProblemOf(Step& step, const dsl::VerbDecl& decl,
                                                const fb::StaffCommand& cmd) {
  dsl::CommandValues given;
  for (auto [name, value] : {std::pair{"reason", cmd.reason()},
                             {"note", cmd.note()},
                             {"to_department", cmd.to_department()}}) {
    if (value && value->size() > 0) given[name].push_back(value->str());
  }
  if (cmd.days() != 0) given["days"].push_back(std::to_string(cmd.days()));
  if (cmd.evidence()) {
    for (const auto* e : *cmd.evidence()) {
      if (e->size() > 0) given["evidence"].push_back(e->str());
    }
  }
  if (cmd.fields()) {
    for (const auto* a : *cmd.fields()) {
      if (a->value() && a->value()->size() > 0) given[a->key()->str()].push_back(a->value()->str());
    }
  }
  if (auto p = dsl::CheckCommandFields(decl, given)) return p;
  for (const auto& f : decl.fields) {
    auto it = given.find(f.name);
    if (f.kind != dsl::FieldKind::kDepartment || it == given.end()) continue;
    if (step.world().reference().FindDepartment(it->second.front()) == nullptr) {
      return dsl::FieldProblem{f.name, f.name + ": no department " + it->second.front()};
    }
  }
  return std::nullopt;
}

// `assign` (承办人), a staff action of every workflow, in any open state: the head of the lead
// department names a person of that department (or, with no assignee, clears the one
// named). The person is checked against the staff directory on the log (World::staff),
// never against what the API checked. No transition: the ticket stays where it is.
Status DecideAssign(Step& step, const Ticket& t, const Claims& claims,
                    const fb::StaffCommand& cmd) {
  if (auto r = RoleRefusal("head", claims, t)) return Reject(step, &t, r->reason, r->message);
  const std::string assignee = Str(cmd.assignee());
  if (assignee.empty() && t.assignee.empty()) {
    return Reject(step, &t, fb::RejectReason::invalid,
                  "assignee: required (a user of " + t.lead + ")", "assignee");
  }
  if (assignee == t.assignee) {
    return Reject(step, &t, fb::RejectReason::invalid,
                  "assignee: the ticket is already assigned to " + assignee, "assignee");
  }
  if (!assignee.empty()) {
    std::string problem = AssigneeProblem(step.world().staff(), assignee, t.lead);
    if (!problem.empty()) {
      return Reject(step, &t, fb::RejectReason::invalid, std::move(problem), "assignee");
    }
  }
  fb::TicketAssignedT r;
  r.ticket_id = t.id;
  r.assignee = assignee;
  r.previous = t.assignee;
  r.department = t.lead;
  r.reason = Str(cmd.reason());
  r.version = t.version + 1;
  if (const StaffDirectory* staff = step.world().staff()) {
    if (const StaffPerson* p = staff->Find(r.assignee)) r.assignee_name = p->name;
    if (const StaffPerson* p = staff->Find(r.previous)) r.previous_name = p->name;
  }
  CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), t));
  return FireConditionSteps(step, t.id);
}

}  // namespace

Status DecideCommand(Step& step) {
  const auto* cmd = step.input().body_as_StaffCommand();
  CL_ASSIGN_OR_RETURN(auto loaded, step.tickets().Load(cmd->ticket_id()->string_view()));
  if (!loaded) {
    return Reject(
        step, nullptr, fb::RejectReason::unknown_ticket,
        "no ticket " + cmd->ticket_id()->str() + " for subject " + Str(step.input().subject()));
  }
  Ticket t = *loaded;
  if (t.closed) return Reject(step, &t, fb::RejectReason::wrong_state, "the ticket is closed");
  if (cmd->expected_version() != 0 && cmd->expected_version() != t.version) {
    return Reject(step, &t, fb::RejectReason::stale_version,
                  "expected version " + std::to_string(cmd->expected_version()) +
                      ", the ticket is at " + std::to_string(t.version));
  }
  const dsl::Workflow* wf = step.world().Find(t.workflow, t.workflow_version);
  const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
  if (st == nullptr) {
    return Reject(step, &t, fb::RejectReason::invalid,
                  "workflow " + t.workflow + " version " + std::to_string(t.workflow_version) +
                      " is not deployed");
  }
  const std::string verb = cmd->verb()->str();
  if (verb != dsl::kAssignVerb && !IsBuiltinVerb(verb) &&
      std::find(wf->verbs.begin(), wf->verbs.end(), verb) == wf->verbs.end()) {
    return Reject(step, &t, fb::RejectReason::unknown_verb,
                  "workflow " + wf->name + " has no verb " + verb);
  }
  const Claims claims = ClaimsOf(*cmd);
  if (auto r = ClaimsRefusal(step.world().reference(), claims, t)) {
    return Reject(step, &t, r->reason, r->message);
  }
  if (verb == dsl::kAssignVerb) return DecideAssign(step, t, claims, *cmd);
  if (const dsl::VerbDecl* decl = wf->FindVerb(verb)) {
    if (auto p = FieldProblemOf(step, *decl, *cmd)) {
      return Reject(step, &t, fb::RejectReason::invalid, p->message, p->field);
    }
  }
  const dsl::Transition* chosen = nullptr;
  std::string problem;
  fb::RejectReason reason = fb::RejectReason::wrong_state;
  EvalEnv env(&step.input(), &t, step.now());
  for (const auto& tr : st->transitions) {
    if (tr.trigger != dsl::TriggerKind::kVerb || tr.verb != verb) continue;
    if (auto r = RolesRefusal(tr.roles, claims, t)) {
      if (problem.empty()) {
        problem = r->message;
        reason = r->reason;
      }
      continue;
    }
    if (tr.guard && !dsl::Evaluate(*tr.guard, env).truthy()) {
      if (problem.empty()) {
        problem = "condition not met: " + dsl::FormatExpr(*tr.guard);
        reason = fb::RejectReason::invalid;
      }
      continue;
    }
    chosen = &tr;
    break;
  }
  if (chosen == nullptr) {
    if (problem.empty()) problem = verb + " is not allowed in state " + t.state;
    return Reject(step, &t, reason, problem);
  }
  fb::RejectReason verb_reason;
  std::string verb_problem = VerbProblem(t, *wf, *cmd, &verb_reason);
  if (!verb_problem.empty()) return Reject(step, &t, verb_reason, verb_problem);
  std::string ledger_field;
  CL_ASSIGN_OR_RETURN(std::string ledger_problem,
                      LedgerEffectProblem(step, t, *chosen, &ledger_field));
  if (!ledger_problem.empty()) {
    return Reject(step, &t, ledger_field.empty() ? fb::RejectReason::wrong_state
                                                 : fb::RejectReason::invalid,
                  std::move(ledger_problem), std::move(ledger_field));
  }

  CL_RETURN_IF_ERROR(VerbRecords(step, t, *wf, *cmd));
  CL_ASSIGN_OR_RETURN(auto after, step.tickets().Load(t.id));
  if (verb == "resolve") {
    bool has_code =
        std::any_of(chosen->effects.begin(), chosen->effects.end(),
                    [](const dsl::Effect& e) { return e.kind == dsl::EffectKind::kResolution; });
    if (!has_code) {
      fb::TicketResolvedT r;
      r.ticket_id = t.id;
      r.resolution = Str(cmd->reason()).empty() ? "resolved" : Str(cmd->reason());
      r.note = Str(cmd->note());
      r.state = after->state;
      r.version = after->version + 1;
      CL_RETURN_IF_ERROR(EmitBody(step, std::move(r), *after));
      CL_ASSIGN_OR_RETURN(after, step.tickets().Load(t.id));
    }
  }
  CL_RETURN_IF_ERROR(TakeTransition(step, *after, *wf, *chosen, verb, after->version + 1));
  return FireConditionSteps(step, t.id);
}

}  // namespace closeloop::engine
