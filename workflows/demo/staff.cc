#include "workflows/demo/staff.h"

#include <date/date.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/permission.h"
#include "engine/routing.h"
#include "workflows/demo/demo_photo.h"
#include "workflows/demo/rng.h"

namespace closeloop::demo {
namespace {

using Json = nlohmann::ordered_json;
constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute;

std::string District(const engine::Ticket& t) {
  return t.jurisdiction.substr(0, t.jurisdiction.find('.'));
}

std::string Text(const dsl::Value& v) {
  return v.type() == dsl::ValueType::kString ? v.as_string() : v.ToString();
}

// Field values that make a guard hold, read off its equalities: event.fields["k"] == "v",
// event.NAME == literal or == a ticket fact, `in [...]` (its first item). Conjunctions
// contribute every part, disjunctions their first.
void GuardFields(const dsl::Expr& e, const engine::Ticket& t, Rng& rng,
                 std::map<std::string, std::string>* out) {
  using dsl::ExprOp;
  auto value_of = [&](const dsl::Expr& x, std::string* v) {
    if (x.op == ExprOp::kLiteral && !x.literal.is_null()) return *v = Text(x.literal), true;
    if (x.op == ExprOp::kTicketFact) {
      dsl::Value f = t.Fact(x.name);
      if (!f.is_null()) return *v = Text(f), true;
    }
    return false;
  };
  auto field_of = [](const dsl::Expr& x) -> std::string {
    if (x.op == ExprOp::kEventAttr) return x.key;
    if (x.op == ExprOp::kEventField) return x.name;
    return "";
  };
  switch (e.op) {
    case ExprOp::kAnd:
      for (const auto& a : e.args) GuardFields(a, t, rng, out);
      break;
    case ExprOp::kOr:
      if (!e.args.empty()) GuardFields(e.args[0], t, rng, out);
      break;
    case ExprOp::kEq:
    case ExprOp::kIn: {
      if (e.args.size() < 2) break;
      // `in`: any item of the list will do; staff pick one.
      const size_t item = e.op == ExprOp::kIn ? 1 + rng.Below(e.args.size() - 1) : 1;
      std::string field = field_of(e.args[0]), v;
      if (!field.empty() && value_of(e.args[item], &v)) (*out)[field] = v;
      field = field_of(e.args[1]);
      if (e.op == ExprOp::kEq && !field.empty() && value_of(e.args[0], &v)) (*out)[field] = v;
      break;
    }
    default:
      break;
  }
}

// Whether `e` reads the event (a command's fields, a record's body): such guards are met by
// the fields GuardFields fills; the rest read only the ticket and can be checked here.
bool ReadsEvent(const dsl::Expr& e) {
  if (e.op == dsl::ExprOp::kEventField || e.op == dsl::ExprOp::kEventAttr) return true;
  return std::any_of(e.args.begin(), e.args.end(), [](const auto& a) { return ReadsEvent(a); });
}

// The ticket's facts, for a guard that reads nothing else (`when not returned`).
class TicketOnlyEnv : public dsl::Env {
 public:
  explicit TicketOnlyEnv(const engine::Ticket& t) : t_(t) {}
  dsl::Value EventField(std::string_view) const override { return dsl::Value::Null(); }
  dsl::Value EventAttr(std::string_view, std::string_view) const override {
    return dsl::Value::Null();
  }
  dsl::Value TicketFact(std::string_view name) const override { return t_.Fact(name); }
  dsl::Value MemberField(std::string_view) const override { return dsl::Value::Null(); }
  dsl::Value Subject() const override { return dsl::Value::String(t_.subject); }
  int64_t Now() const override { return t_.state_entered_at; }
  dsl::Value Recurrences(const dsl::Duration&) const override { return dsl::Value::Null(); }

 private:
  const engine::Ticket& t_;
};

// Whether staff can take `tr` now as far as its guard says about the ticket alone.
// In a conjunction, the terms that read only the ticket must hold (`event.note != "" and
// cause_cleared`: the note is filled, the fact is not).
bool GuardAllows(const dsl::Transition& tr, const engine::Ticket& t) {
  if (!tr.guard) return true;
  if (tr.guard->op == dsl::ExprOp::kAnd) {
    return std::all_of(tr.guard->args.begin(), tr.guard->args.end(), [&](const dsl::Expr& a) {
      return ReadsEvent(a) || dsl::Evaluate(a, TicketOnlyEnv(t)).truthy();
    });
  }
  if (ReadsEvent(*tr.guard)) return true;
  return dsl::Evaluate(*tr.guard, TicketOnlyEnv(t)).truthy();
}

// The department someone acting in `role` on `t` belongs to; "" when nobody can.
std::string DepartmentFor(const std::string& role, const engine::Ticket& t,
                          const engine::ReferenceData& ref) {
  if (role == "assignee" || role == "head") return t.lead;
  if (role == "assist") {
    // The first assisting department that has not answered yet (a workflow that asks each
    // to answer once lists those that did in `assist_answered`, as ";id;").
    const dsl::Value answered = t.Fact("assist_answered");
    if (answered.type() != dsl::ValueType::kString) return t.assist.empty() ? "" : t.assist.front();
    for (const auto& d : t.assist) {
      if (answered.as_string().find(";" + d + ";") == std::string::npos) return d;
    }
    return "";  // every one has answered: nothing more for an assisting department to do
  }
  if (role == "supervisor") {
    const engine::Department* d = ref.SafetyOffice(District(t));
    if (d == nullptr) d = engine::DepartmentOfKind(ref, "safety_office", "");
    return d ? d->id : "";
  }
  if (role == "inspector") {
    const engine::Department* lead = ref.FindDepartment(t.lead);
    if (lead && lead->kind == "discipline") return t.lead;
    const engine::Department* d = ref.DisciplineCommission(District(t));
    if (d == nullptr) d = engine::DepartmentOfKind(ref, "discipline", "");
    return d ? d->id : "";
  }
  if (role == "requester") return "public";
  // The scoped roles (engine/permission.h): the enterprise the ticket is about, the grid it
  // lies in; nobody when there is none.
  if (role == engine::kEnterpriseRole) return ref.FindEnterprise(t.subject) ? t.subject : "";
  if (role == engine::kGridRole) {
    const engine::Jurisdiction* j = ref.FindJurisdiction(t.jurisdiction);
    return j != nullptr && j->level == engine::JurisdictionLevel::kGrid ? t.jurisdiction : "";
  }
  if (role == "admin") {
    const engine::Department* d = engine::DepartmentOfKind(ref, "safety_office", "");
    return d ? d->id : "";
  }
  return t.lead;
}

// The first role of `roles` someone can act in (assignee when any role may).
std::string PickRole(const std::vector<std::string>& roles, const engine::Ticket& t) {
  if (roles.empty()) return "assignee";
  for (const auto& r : roles) {
    if (r == "assist" && t.assist.empty()) continue;
    if ((r == "assignee" || r == "head") && t.lead.empty()) continue;
    return r;
  }
  return "";
}

size_t StateIndex(const dsl::Workflow& wf, std::string_view name) {
  for (size_t i = 0; i < wf.states.size(); ++i) {
    if (wf.states[i].name == name) return i;
  }
  return wf.states.size();
}

// Where a neglected ticket stalls: one state (drawn per ticket) among those whose ladder
// ends in a chain to another workflow (the discipline inspectors), or the first state with
// a time limit when no ladder chains.
bool StallsHere(uint64_t seed, const dsl::Workflow& wf, const engine::Ticket& t) {
  std::vector<const dsl::State*> candidates;
  for (const auto& s : wf.states) {
    if (s.terminal || s.limits.empty()) continue;
    for (const auto& step : wf.escalation) {
      const bool chains = std::any_of(step.actions.begin(), step.actions.end(), [](const auto& a) {
        return a.kind == dsl::ActionKind::kChain;
      });
      if (!chains || step.trigger == dsl::StepTriggerKind::kCondition) continue;
      if (step.states.empty() ||
          std::find(step.states.begin(), step.states.end(), s.name) != step.states.end()) {
        candidates.push_back(&s);
        break;
      }
    }
  }
  if (candidates.empty()) {
    for (const auto& s : wf.states) {
      if (!s.terminal && !s.limits.empty()) return s.name == t.state;
    }
    return false;
  }
  return candidates[Rng(SeedFor(seed, t.id + "/stall")).Below(candidates.size())]->name == t.state;
}

struct Option {
  StaffAction action;
  int weight = 0;
  bool stay = false;
};

}  // namespace

std::string RoleClaim(const std::string& role) {
  return role == "assignee" || role == "assist" ? "staff" : role;
}

bool WorksTickets(const Persona& person) {
  return person.role == "staff" || person.role == "head" || person.role == "supervisor" ||
         person.role == "inspector" || person.role == engine::kEnterpriseRole;
}

bool OffersStep(const dsl::Workflow& wf, const engine::Ticket& t, const engine::ReferenceData& ref,
                const Persona& person) {
  const dsl::State* st = wf.FindState(t.state);
  if (st == nullptr || st->terminal || t.closed || !WorksTickets(person)) return false;
  std::vector<engine::Claims> claims = {{person.role, person.department}};
  for (const auto& r : person.acts_as) claims.push_back({r, person.department});
  for (const auto& tr : st->transitions) {
    if (tr.trigger != dsl::TriggerKind::kVerb || tr.roles.empty()) continue;
    const bool pending = t.pending_extension_days > 0;
    if ((tr.verb == "approve_extension" || tr.verb == "deny_extension") && !pending) continue;
    if (tr.verb == "request_extension" && (pending || wf.extensions.max_count <= t.extensions)) {
      continue;
    }
    if (!GuardAllows(tr, t)) continue;
    std::vector<std::string> roles;
    for (const auto& r : tr.roles) {
      if (r != "assist") roles.push_back(r);
    }
    if (roles.empty()) continue;
    for (const auto& c : claims) {
      if (!engine::FireRefusal(ref, roles, c, t)) return true;
    }
  }
  return false;
}

Temperament TemperamentOf(uint64_t seed, const std::string& ticket_id) {
  const uint64_t roll = Rng(SeedFor(seed, ticket_id + "/temperament")).Below(100);
  if (roll < 70) return Temperament::kDiligent;
  if (roll < 85) return Temperament::kSlow;
  if (roll < 96) return Temperament::kNeglected;
  return Temperament::kPingPong;
}

std::optional<StaffAction> DecideNext(uint64_t seed, const dsl::Workflow& wf,
                                      const engine::Ticket& t, const engine::ReferenceData& ref) {
  const dsl::State* st = wf.FindState(t.state);
  if (st == nullptr || st->terminal || t.closed) return std::nullopt;
  Rng rng(SeedFor(seed, t.id + "/" + t.state + "/" + std::to_string(t.version)));
  const Temperament temper = TemperamentOf(seed, t.id);
  const int64_t span =
      t.deadline_at > t.state_entered_at ? t.deadline_at - t.state_entered_at : 8 * kHour;
  auto when = [&](double lo, double hi) {
    double f = lo + (hi - lo) * rng.Unit();
    return t.state_entered_at + std::max<int64_t>(5 * kMinute, static_cast<int64_t>(span * f));
  };
  auto verb_option = [&](const dsl::Transition& tr, const std::string& role) {
    StaffAction a;
    a.event_type = "StaffCommand";
    a.verb = tr.verb;
    a.role = role;
    a.department = DepartmentFor(role, t, ref);
    if (tr.guard) GuardFields(*tr.guard, t, rng, &a.fields);
    // Fields an effect reads (`set level = event.fields["level"]`): the ticket's own value
    // when it has one, else one of the fact's allowed values.
    for (const auto& e : tr.effects) {
      if (e.kind != dsl::EffectKind::kSet || e.value.op != dsl::ExprOp::kEventAttr) continue;
      if (a.fields.count(e.value.key)) continue;
      dsl::Value now = t.Fact(e.fact);
      if (!now.is_null() && Text(now) != "unknown" && Text(now) != "pending") {
        a.fields[e.value.key] = Text(now);
      } else if (const dsl::FactDecl* f = wf.FindFact(e.fact); f && !f->enum_values.empty()) {
        a.fields[e.value.key] = f->enum_values[rng.Below(f->enum_values.size())];
      }
    }
    // A declared verb's form: the required choices the guard left open are picked.
    if (const dsl::VerbDecl* decl = wf.FindVerb(tr.verb)) {
      a.declared = true;
      for (const auto& f : decl->fields) {
        a.takes.push_back(f.name);
        auto given = a.fields.find(f.name);
        const bool listed =
            given != a.fields.end() &&
            std::any_of(f.choices.begin(), f.choices.end(),
                        [&](const dsl::FieldChoice& c) { return c.value == given->second; });
        if (f.kind == dsl::FieldKind::kChoice && given != a.fields.end() && !listed) {
          a.fields.erase(given);  // a fact's value the form does not offer ("unknown")
        }
        if (!f.required || a.fields.count(f.name)) continue;
        if (f.kind == dsl::FieldKind::kAttachments) {
          a.evidence = true;  // photos the verb requires (handle_on_site, submit_evidence)
        } else if (f.kind == dsl::FieldKind::kChoice && !f.choices.empty()) {
          a.fields[f.name] = f.choices[rng.Below(f.choices.size())].value;
        } else if (f.kind == dsl::FieldKind::kYesNo) {
          a.fields[f.name] = "yes";
        } else if (f.kind == dsl::FieldKind::kNumber) {
          a.fields[f.name] = std::to_string(static_cast<int64_t>(f.min));
        } else if (f.kind == dsl::FieldKind::kText && f.name != "reason" && f.name != "note") {
          // A text the form asks for (whom a report went to, who approved): staff fill it in.
          // (reason and note are the command's own fields, written by ActionRecord.)
          a.fields[f.name] = "按规定填写：" + (f.title_zh.empty() ? f.name : f.title_zh);
        }
      }
    }
    for (const char* body_field : {"reason", "note", "to_department", "days"}) {
      auto it = a.fields.find(body_field);
      if (it == a.fields.end()) continue;
      if (std::string(body_field) == "reason") a.reason = it->second;
      if (std::string(body_field) == "note") a.note = it->second;
      if (std::string(body_field) == "to_department") a.to_department = it->second;
      if (std::string(body_field) == "days")
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), a.days);
      a.fields.erase(it);
    }
    return a;
  };

  // An extension waits for the safety-committee office: it answers first.
  if (t.pending_extension_days > 0) {
    const bool approve = rng.Chance(70);
    for (const auto& tr : st->transitions) {
      if (tr.trigger != dsl::TriggerKind::kVerb) continue;
      if (tr.verb != (approve ? "approve_extension" : "deny_extension")) continue;
      std::string role = PickRole(tr.roles, t);
      if (role.empty()) continue;
      StaffAction a = verb_option(tr, role);
      a.at = when(0.05, 0.3);
      if (!approve) a.reason = "理由不充分，请按期完成整改";
      return a;
    }
  }
  if (temper == Temperament::kNeglected && StallsHere(seed, wf, t)) return std::nullopt;
  if (temper == Temperament::kPingPong) {
    if (t.returns >= 3) return std::nullopt;  // the ladder's arbitration takes it from here
    for (const auto& tr : st->transitions) {
      if (tr.trigger != dsl::TriggerKind::kVerb || tr.verb != "return") continue;
      std::string role = PickRole(tr.roles, t);
      if (role.empty()) continue;
      StaffAction a = verb_option(tr, role);
      if (t.returns % 2 == 1 && !t.last_returned_by.empty()) {
        a.to_department = t.last_returned_by;
        a.reason = "应由原主办部门负责";
      } else {
        a.to_department =
            !t.assist.empty() ? t.assist.front() : DepartmentFor("supervisor", t, ref);
        a.reason = "不属于本部门职责范围";
      }
      if (a.to_department == t.lead) break;
      a.at = when(0.05, 0.3);
      return a;
    }
  }

  std::vector<Option> options;
  const size_t here = StateIndex(wf, t.state);
  // A state that can move on to a non-terminal state treats a verb that ends the ticket as
  // the exception (a false alarm dismissed, a case not filed), not the rule.
  auto terminal = [&](const std::string& name) {
    const dsl::State* s = wf.FindState(name);
    return s != nullptr && s->terminal;
  };
  const bool goes_on =
      std::any_of(st->transitions.begin(), st->transitions.end(), [&](const auto& tr) {
        return tr.trigger == dsl::TriggerKind::kVerb && !tr.target.empty() &&
               tr.target != t.state && !terminal(tr.target) && StateIndex(wf, tr.target) > here;
      });
  for (const auto& tr : st->transitions) {
    if (tr.trigger == dsl::TriggerKind::kEvent) {
      // The events an agency sends because a ticket asks for them (the rest arrive on
      // their own: sensors return to normal in the agencies' model).
      // (The enforcement system sends its case steps on its own schedule.)
      if (tr.event_type != "SelfInspection") continue;
      if (tr.target.empty() || tr.target == t.state) continue;
      StaffAction a;
      a.event_type = tr.event_type;
      if (tr.guard) GuardFields(*tr.guard, t, rng, &a.fields);
      options.push_back({std::move(a), 60, false});
      continue;
    }
    if (tr.trigger != dsl::TriggerKind::kVerb) continue;
    if (tr.verb == "return" || tr.verb == "transfer" || tr.verb == "approve_extension" ||
        tr.verb == "deny_extension") {
      continue;
    }
    // An expert's answer names one of the experts dispatched, and a release frees what the
    // ledger says the incident holds: neither is read off the ticket, so the simulated
    // centre leaves them to the stand-down (which releases everything).
    if (tr.verb == "expert_answer" || tr.verb == "release") continue;
    if (!GuardAllows(tr, t)) continue;  // `on resolve ... when not returned`
    std::string role = PickRole(tr.roles, t);
    if (role.empty()) continue;
    StaffAction a = verb_option(tr, role);
    if (a.department.empty()) continue;
    const bool stay = tr.target.empty() || tr.target == t.state;
    const bool reopen = std::any_of(tr.effects.begin(), tr.effects.end(), [](const auto& e) {
      return e.kind == dsl::EffectKind::kReopen;
    });
    const bool shortcut = !stay && goes_on && terminal(tr.target);
    int weight = 70;
    if (tr.verb == "request_extension") {
      if (wf.extensions.max_count <= t.extensions) continue;
      a.days = static_cast<int>(std::clamp<int64_t>(wf.extensions.max_each.count, 1, 5));
      a.reason = "整改工程量大，需延期";
      weight = temper == Temperament::kSlow ? 20 : 4;
    } else if (stay) {
      // Progress notes are common; other verbs that keep the state (a dereliction report,
      // a hearing request, a reinforcement) are rare.
      weight = tr.verb == "progress" ? 12 : 1;
    } else if (reopen || StateIndex(wf, tr.target) < here) {
      weight = 10;  // review failed, requester unsatisfied
    } else if (shortcut) {
      weight = 12;
    }
    options.push_back({std::move(a), weight, stay});
  }
  if (options.empty()) return std::nullopt;
  int total = 0;
  for (const auto& o : options) total += o.weight;
  int pick = static_cast<int>(rng.Below(total));
  for (auto& o : options) {
    if ((pick -= o.weight) >= 0) continue;
    StaffAction a = std::move(o.action);
    if (o.stay) {
      a.at = when(0.05, 0.4);
    } else if (temper == Temperament::kSlow) {
      a.at = when(1.1, 1.8);
    } else {
      a.at = when(0.1, 0.6);
    }
    if (a.verb == "submit_evidence") a.evidence = true;
    return a;
  }
  return std::nullopt;
}

std::string ActionRecord(const engine::Ticket& t, const StaffAction& a, uint32_t expected_version) {
  static const char* const kIntFields[] = {"hazards_found", "items_checked", "hazards_rectified",
                                           "casualties", "trapped"};
  Json rec = {{"source", a.event_type == "StaffCommand" ? "console" : "demo-agency"},
              {"subject", t.subject},
              {"jurisdiction", t.jurisdiction},
              {"occurred_at", a.at}};
  Json body;
  if (a.event_type == "StaffCommand") {
    rec["actor"] = a.department + "/" + a.role;
    body = {{"ticket_id", t.id}, {"verb", a.verb}};
    if (expected_version > 0) body["expected_version"] = expected_version;
    body["role"] = RoleClaim(a.role);
    body["department"] = a.department;
    // Every command says why: workflows may require a reason (a dismissal, a decision).
    std::string reason = a.reason;
    if (reason.empty() && a.verb == "review_fail") reason = "复查发现隐患仍未消除";
    if (reason.empty() && a.verb == "return") reason = "不属于本部门职责范围";
    if (reason.empty()) reason = "经核实，依规办理（" + a.verb + "）";
    auto takes = [&](const char* f) {
      return !a.declared || std::find(a.takes.begin(), a.takes.end(), f) != a.takes.end();
    };
    if (takes("reason")) body["reason"] = reason;
    if (!a.to_department.empty()) body["to_department"] = a.to_department;
    if (a.days > 0) body["days"] = a.days;
    if (a.evidence && takes("evidence")) body["evidence"] = {DemoPhotoRef()};
    std::string note = a.note;
    if (note.empty() && a.verb == "progress") note = "整改进行中";
    if (note.empty() && a.verb == "submit_evidence") note = "整改完成，附整改前后照片";
    if (note.empty() && a.verb == "file_case") note = "立案号 " + t.id.substr(0, 12);
    if (note.empty()) note = "办理记录：" + a.verb;
    if (takes("note")) body["note"] = note;
    if (!a.fields.empty()) {
      Json fields = Json::array();
      for (const auto& [k, v] : a.fields) {
        if (takes(k.c_str())) fields.push_back({{"key", k}, {"value", v}});
      }
      if (!fields.empty()) body["fields"] = fields;
    }
  } else {
    const auto day = date::floor<date::days>(
        date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(a.at + 8 * kHour)));
    const date::year_month_day ymd{day};
    char period[16];
    std::snprintf(period, sizeof period, "%04d-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()));
    rec["source"] =
        a.event_type == "SelfInspection" ? "enterprise-self-inspection" : "enforcement-system";
    if (a.event_type == "SelfInspection") {
      body = {{"period", period},   {"duty_ticket_id", t.id}, {"items_checked", 24},
              {"hazards_found", 1}, {"hazards_rectified", 1}, {"summary", "按清单完成自查"}};
    } else {
      body = {{"case_id", t.Fact("case_id").is_null() ? t.id : Text(t.Fact("case_id"))},
              {"description", "执法系统同步"}};
    }
    for (const auto& [k, v] : a.fields) {
      if (std::find(std::begin(kIntFields), std::end(kIntFields), k) != std::end(kIntFields)) {
        int n = 0;
        std::from_chars(v.data(), v.data() + v.size(), n);
        body[k] = n;
      } else {
        body[k] = v;
      }
    }
  }
  rec["body_type"] = a.event_type;
  rec["body"] = body;
  return rec.dump();
}

}  // namespace closeloop::demo
