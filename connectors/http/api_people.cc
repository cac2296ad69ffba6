// People, not only departments (承办人): the staff directory the engine checks assignments
// against, kept in step with this node's users, and a department's people with their load.
//
// The directory (engine/staff_directory.h) is a ReferenceDataUpdated "staff" table built
// from the users that act for a department: whenever it differs from the one in effect (at
// the server's start, after a user is created, changed or disabled, and before an assign
// action is sent, which may follow a change that could not be recorded then), the next
// version is recorded. Reads (the people listing, a ticket's actions) never write it. The engine
// then decides every assignment from the log, the same on replay, whatever this node's credential
// store says later.
//
// GET /v1/departments/{id}/people: for the head of that department (a staff user who acts as
// "head"), an admin or an auditor: each person of the department (enabled or not) with their
// open assigned tickets, how many the engine marked overdue and how many fall due before the
// city's midnight, read from the assignee index (engine::LoadOf), never by a ticket scan.
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "engine/queries.h"
#include "engine/staff_directory.h"
#include "events/record_build.h"

namespace closeloop::http {
namespace {

bool ActsForDepartment(Role r) {
  return r == Role::kStaff || r == Role::kSupervisor || r == Role::kInspector;
}

bool ActsAsHead(const User& u) {
  return u.role == Role::kStaff &&
         std::find(u.acts_as.begin(), u.acts_as.end(), "head") != u.acts_as.end();
}

// The table's people as a comparable value: the users that act for a department, by name.
json PeopleOf(const std::vector<User>& users) {
  json people = json::array();
  for (const auto& u : users) {  // ListUsers answers by name
    if (!ActsForDepartment(u.role) || u.department.empty()) continue;
    json p = {{"user", u.name}, {"department", u.department}, {"enabled", !u.disabled}};
    if (!u.display_name.empty()) p["name"] = u.display_name;
    people.push_back(std::move(p));
  }
  return people;
}

}  // namespace

Status Api::Impl::SyncStaffDirectory() {
  std::lock_guard lock(staff_sync_mu);
  CL_ASSIGN_OR_RETURN(auto users, auth.ListUsers());
  json people = PeopleOf(users);
  auto [current, in_effect] = world.With([](const engine::World& w) {
    const engine::StaffDirectory* d = w.staff();
    if (d == nullptr) return std::pair<uint32_t, json>{0, json()};
    json doc = json::parse(d->source_json(), nullptr, false);
    return std::pair<uint32_t, json>{d->version(),
                                     doc.is_object() ? doc.value("people", json()) : json()};
  });
  if (current > 0 && in_effect == people) return Status::Ok();
  if (current == 0 && people.empty()) return Status::Ok();
  events::fb::ReferenceDataUpdatedT table;
  table.table_name = std::string(engine::kStaffTableName);
  table.version = current + 1;
  table.content_json = json{{"people", people}}.dump();
  events::fb::RecordT rec;
  rec.source = "api";
  rec.actor = "api";
  rec.body.Set(std::move(table));
  const std::string record = events::PackRecord(std::move(rec));
  CL_RETURN_IF_ERROR(world.Admits({record}));
  CL_RETURN_IF_ERROR(b.append_control({record}));
  // On Kafka the engine's decisions are not visible here: the directory is recorded and the
  // engine takes it in log order, before any later assignment.
  if (!AwaitControlApplied() && b.decisions_visible) {
    return Unavailable("the staff directory was recorded; the engine has not applied it yet");
  }
  return Status::Ok();
}

void Api::Impl::RegisterPeople(httplib::Server& s) {
  const uint32_t readers = Roles({Role::kStaff, Role::kAdmin, Role::kAuditor});
  Route(s, "GET", R"(/v1/departments/([A-Za-z0-9._\-]+)/people)", readers, [this](Call& c) {
    const std::string dept = c.req.matches[1];
    const User& u = c.who();
    if (u.role == Role::kStaff && !(ActsAsHead(u) && u.department == dept)) {
      return c.Error(403, "forbidden", "only the head of " + dept + " sees its people's load");
    }
    bool known = world.With(
        [&](const engine::World& w) { return w.reference().FindDepartment(dept) != nullptr; });
    if (!known) return c.Error(404, "not_found", "no department " + dept);
    std::vector<engine::StaffPerson> people = world.With([&](const engine::World& w) {
      std::vector<engine::StaffPerson> out;
      if (w.staff() == nullptr) return out;
      for (const auto* p : w.staff()->OfDepartment(dept)) out.push_back(*p);
      return out;
    });
    const int64_t now = b.engine_now();
    const int64_t day_end = EndOfLocalDay(now, CityZone());
    json rows = json::array();
    for (const auto& p : people) {
      auto load = engine::LoadOf(*b.state, partitions, p.user, now, day_end);
      if (!load.ok()) return c.Fail(load.status());
      rows.push_back({{"user", p.user},
                      {"name", p.name},
                      {"enabled", p.enabled},
                      {"open", load->open},
                      {"overdue", load->overdue},
                      {"due_today", load->due_today}});
    }
    c.detail = dept;
    c.Json(200, {{"department", dept}, {"now", now}, {"day_end", day_end}, {"people", rows}});
  });
}

}  // namespace closeloop::http
