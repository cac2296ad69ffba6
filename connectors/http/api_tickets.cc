// Tickets for the people who work them: a department's queue and search (cursor pages),
// one ticket with its history and the actions open to the caller, staff actions with
// optimistic concurrency, and chains.
#include <spdlog/spdlog.h>

#include <charconv>
#include <thread>

#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/http/queue_order.h"
#include "dsl/verb_fields.h"
#include "engine/permission.h"
#include "engine/queries.h"
#include "engine/routing.h"
#include "engine/staff_directory.h"
#include "events/ids.h"
#include "events/partition.h"
#include "events/record.h"

namespace closeloop::http {
namespace {

// What a verb takes, as its workflow declares it (dsl/program.h: VerbDecl): the console draws
// its forms from this and nothing else. `param` is where the value goes in the action's body.
json FieldsOf(const dsl::VerbDecl* decl) {
  json out = json::array();
  if (decl == nullptr) return out;
  for (const auto& f : decl->fields) {
    json j = {{"name", f.name},
              {"param", dsl::IsCustomField(f.name) ? "fields." + f.name : f.name},
              {"kind", std::string(dsl::FieldKindName(f.kind))},
              {"required", f.required},
              {"title", f.title_en.empty() ? f.name : f.title_en},
              {"title_zh", f.title_zh}};
    if (f.kind == dsl::FieldKind::kChoice) {
      json choices = json::array();
      for (const auto& c : f.choices) {
        choices.push_back({{"value", c.value},
                           {"title", c.title_en.empty() ? c.value : c.title_en},
                           {"title_zh", c.title_zh}});
      }
      j["choices"] = choices;
    }
    if (f.bounded_below) j["min"] = f.min;
    if (f.bounded_above) j["max"] = f.max;
    out.push_back(std::move(j));
  }
  return out;
}

// Who may act on tickets (POST /v1/tickets/{id}/actions); nobody else is offered actions.
constexpr uint32_t kActors =
    Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kEnterprise});

// The role claim `u` would send to take a transition open to `roles` on `t`, when the engine
// would admit it (engine/permission.h): the user's own role first, then the workflow roles
// they may also act in (`acts_as`, named by an action's `as_role`), each claimed with the
// user's department. nullopt when no claim the user can make is admitted.
std::optional<std::string> AdmittedClaim(const engine::ReferenceData& ref,
                                         const std::vector<std::string>& roles, const User& u,
                                         const engine::Ticket& t) {
  std::vector<std::string> claims = {std::string(RoleName(u.role))};
  claims.insert(claims.end(), u.acts_as.begin(), u.acts_as.end());
  for (const auto& role : claims) {
    if (!engine::FireRefusal(ref, roles, {role, ClaimedUnit(u, role)}, t)) return role;
  }
  return std::nullopt;
}

}  // namespace

std::string ClaimedUnit(const User& u, std::string_view role) {
  if (role == engine::kEnterpriseRole) return u.enterprise;
  if (role == engine::kGridRole) return u.grid;
  return u.department;
}

json Api::Impl::ActionsFor(const User& u, const engine::Ticket& t) {
  json out = json::array();
  if (t.closed || !(kActors & RoleBit(u.role))) return out;
  world.With([&](const engine::World& w) {
    const dsl::Workflow* wf = w.Find(t.workflow, t.workflow_version);
    const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
    if (!st) return 0;
    std::set<std::string> seen;
    for (const auto& tr : st->transitions) {
      if (tr.trigger != dsl::TriggerKind::kVerb || seen.contains(tr.verb)) continue;
      std::optional<std::string> as_role = AdmittedClaim(w.reference(), tr.roles, u, t);
      if (!as_role) continue;
      seen.insert(tr.verb);
      const dsl::VerbDecl* decl = wf->FindVerb(tr.verb);
      out.push_back({{"verb", tr.verb},
                     {"title", decl && !decl->title_en.empty() ? decl->title_en : tr.verb},
                     {"title_zh", decl ? decl->title_zh : ""},
                     {"declared", decl != nullptr},
                     {"to", tr.target.empty() ? t.state : tr.target},
                     {"rule", tr.rule},
                     {"conditional", tr.guard.has_value()},
                     {"as_role", *as_role},
                     {"fields", FieldsOf(decl)}});
    }
    return 0;
  });
  AppendAssign(u, t, &out);
  return out;
}

// The assign action (承办人) for the head of the lead department: every workflow has it, in
// every open state; its person field offers the lead's enabled people from the staff
// directory in effect (kept up to date at start and at each change of a user; a read never
// writes it), the current assignee left out.
void Api::Impl::AppendAssign(const User& u, const engine::Ticket& t, json* out) {
  std::optional<std::string> as_role = world.With(
      [&](const engine::World& w) { return AdmittedClaim(w.reference(), {"head"}, u, t); });
  if (!as_role) return;
  json choices = json::array();
  world.With([&](const engine::World& w) {
    if (w.staff() == nullptr) return 0;
    for (const auto* p : w.staff()->OfDepartment(t.lead)) {
      if (!p->enabled || p->user == t.assignee) continue;
      std::string shown = p->name.empty() ? p->user : p->name + " (" + p->user + ")";
      choices.push_back({{"value", p->user}, {"title", shown}, {"title_zh", shown}});
    }
    return 0;
  });
  json person = {{"name", "assignee"}, {"param", "assignee"},
                 {"kind", "person"},   {"required", t.assignee.empty()},
                 {"title", "Person"},  {"title_zh", "承办人"},
                 {"choices", choices}};
  json reason = {{"name", "reason"},  {"param", "reason"}, {"kind", "text"},
                 {"required", false}, {"title", "Reason"}, {"title_zh", "理由"}};
  out->push_back({{"verb", dsl::kAssignVerb},
                  {"title", t.assignee.empty() ? "Assign" : "Reassign"},
                  {"title_zh", t.assignee.empty() ? "指定承办人" : "改派承办人"},
                  {"declared", true},
                  {"to", t.state},
                  {"rule", ""},
                  {"conditional", false},
                  {"as_role", *as_role},
                  {"fields", json::array({person, reason})}});
}

Result<std::optional<engine::Ticket>> Api::Impl::VisibleTicket(const User& u, std::string_view id,
                                                               Access* access) {
  CL_ASSIGN_OR_RETURN(auto t, engine::FindTicket(*b.state, partitions, id));
  if (!t) return t;
  *access = TicketAccess(u, *t);
  if (*access == Access::kNone && u.role == Role::kInspector) {
    // Inspectors read the whole chain of a ticket that reached them: it is the evidence.
    CL_ASSIGN_OR_RETURN(auto chain, engine::ChainOf(*b.state, partitions, id));
    for (const auto& m : chain) {
      if (m.lead == u.department || m.escalated_to == u.department) *access = Access::kRead;
    }
  }
  if (*access == Access::kNone) return std::optional<engine::Ticket>();
  return t;
}

bool Api::Impl::TicketAndAsOf(Call& c, const std::string& id, std::optional<engine::Ticket>* t,
                              Access* access, int64_t* as_of) {
  auto found = VisibleTicket(c.who(), id, access);
  if (!found.ok()) {
    c.Fail(found.status());
    return false;
  }
  if (!*found) {
    c.Error(404, "not_found", "no ticket " + id);
    return false;
  }
  *t = std::move(*found);
  if (!c.Param("as_of").empty()) {
    auto parsed = ParseTimeParam(c.Param("as_of"), CityZone());
    if (!parsed) {
      c.Error(400, "invalid", "as_of: ms since the epoch or ISO 8601", "as_of");
      return false;
    }
    *as_of = *parsed;
  }
  return true;
}

// GET /v1/tickets: a queue or a search, in cursor pages, within the caller's scope.
void Api::Impl::GetTickets(Call& c) {
  engine::TicketFilter f;
  f.department = c.Param("department");
  f.state = c.Param("state");
  f.loop = c.Param("loop");
  f.workflow = c.Param("workflow");
  f.subject = c.Param("subject");
  f.text = c.Param("q");
  f.text_subjects = SubjectsNamed(f.text);  // a company's name finds its tickets
  f.jurisdiction = c.Param("jurisdiction");
  f.outcome = c.Param("outcome");
  f.after = c.Param("cursor");
  f.assignee = c.Param("assignee");
  if (f.assignee == "me") f.assignee = c.who().name;
  if (!f.assignee.empty() && f.assignee != c.who().name && c.who().role == Role::kStaff) {
    // A head lists the people of their department; other staff only their own tickets.
    const User& u = c.who();
    const bool head = std::find(u.acts_as.begin(), u.acts_as.end(), "head") != u.acts_as.end();
    const bool of_dept = world.With([&](const engine::World& w) {
      const engine::StaffPerson* p = w.staff() ? w.staff()->Find(f.assignee) : nullptr;
      return p != nullptr && p->department == u.department;
    });
    if (!head || !of_dept) {
      return c.Error(403, "forbidden",
                     "staff list their own tickets (assignee=me); a head, their department's "
                     "people's",
                     "assignee");
    }
  }
  if (std::string v = c.Param("overdue"); !v.empty()) {
    auto mode = engine::ParseOverdue(v);
    if (!mode) {
      return c.Error(400, "invalid", "overdue: open (or true), ever, closed_late, or false",
                     "overdue");
    }
    f.overdue = *mode;
  }
  for (auto [name, flag] : {std::pair{"open", &f.open_only}, {"escalated", &f.escalated_only}}) {
    std::string v = c.Param(name);
    if (v.empty()) continue;
    if (v != "true" && v != "false") {
      return c.Error(400, "invalid", std::string(name) + ": true or false", name);
    }
    *flag = v == "true";
  }
  // The flags and orders the engine's indexes do not give (queue_order.h): read whole, then
  // filtered, ordered and paged here.
  bool extension = false, returned = false, arbitration = false, assisting = false;
  for (auto [name, flag] : {std::pair{"extension", &extension},
                            {"returned", &returned},
                            {"arbitration", &arbitration},
                            {"assisting", &assisting}}) {
    std::string v = c.Param(name);
    if (v.empty()) continue;
    if (v != "true" && v != "false") {
      return c.Error(400, "invalid", std::string(name) + ": true or false", name);
    }
    *flag = v == "true";
  }
  std::optional<QueueOrder> order;
  if (std::string v = c.Param("sort"); !v.empty()) {
    order = ParseQueueOrder(v);
    if (!order) {
      return c.Error(400, "invalid",
                     "sort: deadline, time_left, opened or severity (a leading - reverses)",
                     "sort");
    }
  }
  const bool in_memory = order || extension || returned || arbitration || assisting;
  if (c.who().role == Role::kEnterprise) {
    // An enterprise lists its own tickets: the subject is its own, whatever it asked for.
    if (!f.subject.empty() && f.subject != c.who().enterprise) {
      return c.Error(403, "forbidden", "an enterprise lists its own tickets", "subject");
    }
    if (!f.department.empty() || in_memory) {
      return c.Error(403, "forbidden",
                     "an enterprise lists its own tickets by state, loop, workflow or text",
                     f.department.empty() ? "sort" : "department");
    }
    f.subject = c.who().enterprise;
  }
  auto limit = ParseInt(c.Param("limit"), 50, 1, 500);
  if (!limit) return c.Error(400, "invalid", "limit: an integer from 1 to 500", "limit");
  f.limit = static_cast<size_t>(*limit);
  const User& u = c.who();
  // Object-level scope: narrow the filter to what the caller may see.
  switch (u.role) {
    case Role::kStaff:
      if (!f.department.empty() && f.department != u.department) {
        return c.Error(403, "forbidden", "staff see their own department's tickets", "department");
      }
      f.department = u.department;
      f.include_involved = c.Param("involved") == "true";  // assisting tickets, read-only
      break;
    case Role::kInspector:
      if (f.department.empty() || f.department == u.department) {
        f.department = u.department;
        f.include_involved = true;  // led by or escalated to the commission
      } else {
        return c.Error(403, "forbidden", "inspectors list their commission's tickets",
                       "department");
      }
      break;
    case Role::kSupervisor: {
      std::string scope = world.With([&](const engine::World& w) {
        const auto* d = w.reference().FindDepartment(u.department);
        return d ? d->jurisdiction : std::string("\x01");
      });
      if (!scope.empty()) {
        if (!f.jurisdiction.empty() && f.jurisdiction.rfind(scope, 0) != 0) {
          return c.Error(403, "forbidden", "outside this office's jurisdiction " + scope,
                         "jurisdiction");
        }
        if (f.jurisdiction.empty()) f.jurisdiction = scope;
      }
      break;
    }
    default:
      break;
  }
  if (assisting) {
    if (f.department.empty()) {
      return c.Error(400, "invalid", "assisting: give the department that assists", "department");
    }
    f.include_involved = true;
  }
  if (in_memory)
    return ListOrdered(c, f, order.value_or(QueueOrder{}), extension, returned, arbitration,
                       assisting);
  auto tickets = engine::ListTickets(*b.state, partitions, f);
  if (!tickets.ok()) return c.Fail(tickets.status());
  json items = json::array();
  for (const auto& t : *tickets) {
    // The listing's scope is the filter, narrowed above; an enterprise's is narrower still
    // (only the workflows that give it a part), so a page of theirs may hold fewer.
    if (u.role == Role::kEnterprise && TicketAccess(u, t) == Access::kNone) continue;
    items.push_back(NamedTicketJson(t));
  }
  json out = {{"tickets", items}, {"now", b.engine_now()}};
  if (tickets->size() == f.limit) {
    out["next_cursor"] = engine::TicketCursor(tickets->back(), f, partitions);
  }
  c.Json(200, out);
}

// GET /v1/tickets with sort= or a flag the indexes do not have: every match read (at most
// kMaxSortedTickets), filtered, ordered, paged by sort key, with the total.
void Api::Impl::ListOrdered(Call& c, engine::TicketFilter f, const QueueOrder& order,
                            bool extension, bool returned, bool arbitration, bool assisting) {
  const size_t page = f.limit;
  const std::string cursor = c.Param("cursor");
  if (!cursor.empty() && !CursorFits(cursor, order)) {
    return c.Error(400, "invalid", "cursor: not one this listing gave out", "cursor");
  }
  f.after.clear();
  f.limit = kMaxSortedTickets + 1;
  f.max_read = kMaxSortedRead;  // tickets decoded, matching or not
  auto all = engine::ListTickets(*b.state, partitions, f);
  if (!all.ok() && all.status().code() == Code::kResourceExhausted) {
    return c.Error(422, "too_many",
                   "sorting or flagging this listing would read more than " +
                       std::to_string(kMaxSortedRead) +
                       " tickets: narrow it (a department's queue, open tickets, a state)",
                   "sort");
  }
  if (!all.ok()) return c.Fail(all.status());
  if (all->size() > kMaxSortedTickets) {
    return c.Error(422, "too_many",
                   "more than " + std::to_string(kMaxSortedTickets) +
                       " tickets match: narrow the filter (department, state, loop) to sort them",
                   "sort");
  }
  std::vector<engine::Ticket> kept;
  world.With([&](const engine::World& w) {
    const engine::ReferenceData& ref = w.reference();
    for (auto& t : *all) {
      if (extension && t.pending_extension_days <= 0) continue;
      if (returned && t.returns == 0) continue;
      if (assisting && std::find(t.assist.begin(), t.assist.end(), f.department) == t.assist.end())
        continue;
      if (arbitration) {
        // Returned, then sent where the ladder's `arbitration` action sends it: the
        // safety-committee office of its district, else its workflow's fallback lead.
        const dsl::Workflow* wf = w.Find(t.workflow, t.workflow_version);
        if (t.returns == 0 || t.escalated_to.empty() || wf == nullptr ||
            engine::SafetyOfficeOrFallback(ref, *wf, t.jurisdiction) != t.escalated_to)
          continue;
      }
      kept.push_back(std::move(t));
    }
    return 0;
  });
  const size_t total = kept.size();
  std::string next;
  auto shown = OrderAndPage(std::move(kept), order, cursor, page, &next);
  json items = json::array();
  for (const auto& t : shown) items.push_back(NamedTicketJson(t));
  json out = {{"tickets", items}, {"now", b.engine_now()}, {"total", total}};
  if (!next.empty()) out["next_cursor"] = next;
  c.Json(200, out);
}

void Api::Impl::RegisterTickets(httplib::Server& s) {
  const uint32_t readers = Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kAuditor,
                                  Role::kAdmin, Role::kEnterprise});
  Route(s, "GET", "/v1/tickets", readers, [this](Call& c) { GetTickets(c); });

  Route(s, "GET", R"(/v1/tickets/([0-9A-Za-z_.:\-]+))", readers, [this](Call& c) {
    std::string id = c.req.matches[1];
    Access access;
    std::optional<engine::Ticket> t;
    int64_t as_of = INT64_MAX;
    if (!TicketAndAsOf(c, id, &t, &access, &as_of)) return;
    engine::Ticket shown = *t;
    if (as_of != INT64_MAX) {
      auto then = engine::TicketAsOf(*b.state, *b.log, id, as_of);
      if (!then.ok()) return c.Fail(then.status());
      if (!*then) return c.Error(404, "not_found", "ticket " + id + " did not exist yet then");
      shown = **then;
    }
    auto history = engine::TicketHistory(*b.state, *b.log, id, as_of);
    if (!history.ok()) return c.Fail(history.status());
    const bool enterprise = c.who().role == Role::kEnterprise;
    if (enterprise) {
      // An enterprise reads what is asked of it and what it did, not the government's own
      // work about it: the cases chained from its ticket (key list, enforcement, oversight),
      // escalations up the ladder, duty pages and who in the department has the ticket.
      std::erase_if(*history, [](const std::string& bytes) {
        auto rec = events::VerifyRecord(bytes);
        if (!rec.ok()) return true;
        switch ((*rec)->body_type()) {
          case events::fb::Body::TicketChained:
          case events::fb::Body::TicketEscalated:
          case events::fb::Body::DutyPaged:
          case events::fb::Body::PageAcknowledged:
          case events::fb::Body::PagingExhausted:
          case events::fb::Body::TicketAssigned:
            return true;
          default:
            return false;
        }
      });
    }
    bool personal = false;
    auto case_file = CaseFileJson(c.who(), shown, as_of, &personal);
    if (!case_file.ok()) return c.Fail(case_file.status());
    json ticket_json = NamedTicketJson(shown);
    if (enterprise) {
      for (const char* k :
           {"children", "escalated_to", "assignee", "assignee_name", "history_length"}) {
        ticket_json.erase(k);
      }
    }
    json out = {{"ticket", std::move(ticket_json)},
                {"case_file", std::move(*case_file)},
                {"history", RecordsJson(*history)}};
    if (as_of != INT64_MAX) {
      out["as_of"] = as_of;
    } else {
      out["actions"] = access == Access::kNone ? json::array() : ActionsFor(c.who(), shown);
    }
    // Reading personal data is itself on the record (the access log is tamper-evident).
    c.detail = personal ? id + " personal-data" : id;
    c.audit = c.audit || personal;
    c.Json(200, out);
  });

  Route(s, "POST", R"(/v1/tickets/([0-9A-Za-z_.:\-]+)/actions)", kActors,
        [this](Call& c) { Act(c, c.req.matches[1]); });

  Route(s, "GET", R"(/v1/chains/([0-9A-Za-z_.:\-]+))", readers, [this](Call& c) {
    std::string id = c.req.matches[1];
    Access access;
    std::optional<engine::Ticket> t;
    int64_t as_of = INT64_MAX;
    if (!TicketAndAsOf(c, id, &t, &access, &as_of)) return;
    auto chain = engine::ChainOf(*b.state, partitions, id);
    if (!chain.ok()) return c.Fail(chain.status());
    json members = json::array();
    bool whole = c.who().role != Role::kStaff && c.who().role != Role::kSupervisor &&
                 c.who().role != Role::kEnterprise;
    for (const auto& m : *chain) {
      if (!whole && TicketAccess(c.who(), m) == Access::kNone) continue;
      engine::Ticket shown = m;
      if (as_of != INT64_MAX) {
        auto then = engine::TicketAsOf(*b.state, *b.log, m.id, as_of);
        if (!then.ok()) return c.Fail(then.status());
        if (!*then) continue;  // not opened yet then
        shown = **then;
      }
      json tj = NamedTicketJson(shown);
      members.push_back(tj);
    }
    c.detail = id;
    json out = {{"chain_id", t->chain_id}, {"tickets", members}};
    if (as_of != INT64_MAX) out["as_of"] = as_of;
    c.Json(200, out);
  });
}

}  // namespace closeloop::http
