// POST /v1/tickets/{id}/actions: a staff action becomes a StaffCommand record carrying the
// caller's claims (name, role, department) from their token, never from the body. The call
// waits for the engine's decision and answers with it: the ticket after the action, or
// the refusal (stale version 409, wrong role or department 403, not allowed now 422).

#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "dsl/verb_fields.h"
#include "engine/queries.h"
#include "engine/staff_directory.h"
#include "events/ids.h"
#include "events/log.h"
#include "events/record.h"
#include "events/record_build.h"

namespace closeloop::http {
namespace {

const std::vector<std::string> kFields = {
    "verb",     "expected_version", "reason",     "note",    "to_department", "days",
    "evidence", "fields",           "command_id", "as_role", "assignee"};

int StatusForRejection(events::fb::RejectReason r) {
  using R = events::fb::RejectReason;
  switch (r) {
    case R::stale_version:
      return 409;
    case R::wrong_role:
    case R::wrong_department:
      return 403;
    case R::unknown_ticket:
      return 404;
    default:
      return 422;
  }
}

}  // namespace

void Api::Impl::Act(Call& c, const std::string& id) {
  auto body = c.BodyObject();
  if (!body) return;
  for (auto& [k, v] : body->items()) {
    if (std::find(kFields.begin(), kFields.end(), k) == kFields.end()) {
      return c.Error(400, "unknown_field", k + ": not an action field", k);
    }
  }
  auto str = [&](const char* f) -> std::optional<std::string> {
    if (!body->contains(f)) return std::string();
    if (!(*body)[f].is_string()) return std::nullopt;
    return (*body)[f].get<std::string>();
  };
  for (const char* f :
       {"verb", "reason", "note", "to_department", "command_id", "as_role", "assignee"}) {
    if (!str(f)) return c.Error(400, "invalid", std::string(f) + ": expected a string", f);
  }
  std::string verb = *str("verb");
  if (verb.empty()) return c.Error(400, "invalid", "verb: required", "verb");
  // Ranges as the record holds them (expected_version:uint, days:int): checked here, so a
  // value too big is named as itself, never wrapped (2^64-1 read as -1) or blamed on
  // another field by the codec.
  int64_t expected = 0;
  if (body->contains("expected_version")) {
    const json& v = (*body)["expected_version"];
    if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX) {
      return c.Error(400, "invalid", "expected_version: an integer from 0 to 4294967295",
                     "expected_version");
    }
    expected = static_cast<int64_t>(v.get<uint64_t>());
  }
  if (body->contains("days")) {
    const json& d = (*body)["days"];
    if (!d.is_number_integer() || (d.is_number_unsigned() && d.get<uint64_t>() > INT32_MAX) ||
        (!d.is_number_unsigned() && d.get<int64_t>() < 0)) {
      return c.Error(400, "invalid", "days: an integer from 0 to 2147483647 (working days)",
                     "days");
    }
  }
  if (body->contains("evidence")) {
    const json& e = (*body)["evidence"];
    bool ok = e.is_array() &&
              std::all_of(e.begin(), e.end(), [](const json& x) { return x.is_string(); });
    if (!ok) {
      return c.Error(400, "invalid", "evidence: an array of file references (sha256:<hex>)",
                     "evidence");
    }
  }
  json attrs = json::array();
  if (body->contains("fields")) {
    const json& fs = (*body)["fields"];
    if (!fs.is_object()) return c.Error(400, "invalid", "fields: an object of strings", "fields");
    for (auto& [k, v] : fs.items()) {
      if (!v.is_string()) {
        return c.Error(400, "invalid", "fields." + k + ": expected a string", "fields." + k);
      }
      attrs.push_back({{"key", k}, {"value", v}});
    }
  }

  Access access;
  auto t = VisibleTicket(c.who(), id, &access);
  if (!t.ok()) return c.Fail(t.status());
  if (!*t) return c.Error(404, "not_found", "no ticket " + id);
  if (access == Access::kNone) return c.Error(404, "not_found", "no ticket " + id);
  const engine::Ticket& ticket = **t;
  if (expected != 0 && expected != ticket.version) {
    c.Json(409, {{"error",
                  {{"status", 409},
                   {"code", "stale_version"},
                   {"message", "expected version " + std::to_string(expected) +
                                   ", the ticket is at " + std::to_string(ticket.version)},
                   {"field", "expected_version"},
                   {"current_version", ticket.version}}}});
    return;
  }

  if (!str("assignee")->empty() && verb != dsl::kAssignVerb) {
    return c.Error(400, "invalid", "assignee: only the assign action names a person", "assignee");
  }
  if (verb == dsl::kAssignVerb) {
    // The person is checked here against the staff directory (brought up to date with this
    // node's users first), and again by the engine, from the log, when it decides.
    if (Status synced = SyncStaffDirectory(); !synced.ok()) return c.Fail(synced);
    const std::string person = *str("assignee");
    std::string problem = world.With([&](const engine::World& w) {
      if (person.empty()) {
        return ticket.assignee.empty() ? engine::AssigneeProblem(w.staff(), "", ticket.lead)
                                       : std::string();
      }
      if (person == ticket.assignee) {
        return "assignee: the ticket is already assigned to " + person;
      }
      return engine::AssigneeProblem(w.staff(), person, ticket.lead);
    });
    if (!problem.empty()) return c.Error(422, "invalid_field", problem, "assignee");
  }
  // The verb's declared fields (its workflow's `verb` statement): a command that breaks
  // them is refused here, naming the field, before anything is recorded.
  dsl::CommandValues given;
  for (const char* f : {"reason", "note", "to_department"}) {
    if (!str(f)->empty()) given[f].push_back(*str(f));
  }
  if (body->contains("days") && (*body)["days"].get<int64_t>() != 0) {
    given["days"].push_back(std::to_string((*body)["days"].get<int64_t>()));
  }
  if (body->contains("evidence")) {
    for (const auto& e : (*body)["evidence"]) {
      if (!e.get<std::string>().empty()) given["evidence"].push_back(e.get<std::string>());
    }
  }
  for (const auto& a : attrs) {
    if (!a["value"].get<std::string>().empty()) {
      given[a["key"].get<std::string>()].push_back(a["value"].get<std::string>());
    }
  }
  std::optional<dsl::FieldProblem> problem = world.With([&](const engine::World& w) {
    std::optional<dsl::FieldProblem> p;
    const dsl::Workflow* wf = w.Find(ticket.workflow, ticket.workflow_version);
    const dsl::VerbDecl* decl = wf ? wf->FindVerb(verb) : nullptr;
    if (decl == nullptr) return p;
    p = dsl::CheckCommandFields(*decl, given);
    for (const auto& f : decl->fields) {
      auto it = given.find(f.name);
      if (p || f.kind != dsl::FieldKind::kDepartment || it == given.end()) continue;
      if (w.reference().FindDepartment(it->second.front()) == nullptr) {
        p = dsl::FieldProblem{f.name, f.name + ": no department " + it->second.front()};
      }
    }
    return p;
  });
  if (!problem && given.contains("evidence")) {
    // The engine checks only a reference's shape (it cannot look outside the log); that
    // the file was uploaded, and may be cited by this user, is checked here.
    if (auto unknown = UnknownFile(c.who(), given["evidence"])) {
      return c.Error(422, "invalid_field", *unknown, "evidence");
    }
  }
  if (problem) {
    std::string param =
        dsl::IsCustomField(problem->field) ? "fields." + problem->field : problem->field;
    return c.Error(422, "invalid_field", problem->message, param);
  }

  std::string role(RoleName(c.who().role));
  if (!str("as_role")->empty()) {
    const auto& extra = c.who().acts_as;
    if (*str("as_role") != role &&
        std::find(extra.begin(), extra.end(), *str("as_role")) == extra.end()) {
      return c.Error(403, "forbidden", "as_role: this user may not act as " + *str("as_role"),
                     "as_role");
    }
    role = *str("as_role");
  }
  int64_t now = b.wall_now();
  // The record's id. A client's command_id makes a retry idempotent, but only its own: it
  // is scoped to the caller and the ticket (the record id is derived from all three), so it
  // can never name another event or another user's command.
  std::string command_id = *str("command_id");
  std::string record_id;
  if (command_id.empty()) {
    command_id = record_id = events::NewRandomId(now).ToString();
  } else {
    auto client = events::Id::Parse(command_id);
    if (!client.ok()) {
      return c.Error(400, "invalid", "command_id: " + client.status().message(), "command_id");
    }
    record_id =
        events::DeriveId(client->time_ms(),
                         "command\x1f" + c.who().name + "\x1f" + ticket.id + "\x1f" + command_id, 0)
            .ToString();
  }
  events::fb::StaffCommandT cmd;
  cmd.ticket_id = ticket.id;
  cmd.verb = verb;
  cmd.role = role;
  cmd.department = ClaimedUnit(c.who(), role);
  cmd.expected_version = static_cast<uint32_t>(expected);
  cmd.reason = *str("reason");
  cmd.note = *str("note");
  cmd.to_department = *str("to_department");
  cmd.assignee = *str("assignee");
  if (body->contains("days")) cmd.days = (*body)["days"].get<int32_t>();  // range checked above
  if (body->contains("evidence"))
    cmd.evidence = (*body)["evidence"].get<std::vector<std::string>>();
  for (const auto& a : attrs) {  // in key order, as the schema keeps a keyed vector
    auto attr = std::make_unique<events::fb::AttrT>();
    attr->key = a["key"].get<std::string>();
    attr->value = a["value"].get<std::string>();
    cmd.fields.push_back(std::move(attr));
  }
  events::fb::RecordT rec;
  rec.id = record_id;
  rec.source = "api";
  rec.subject = ticket.subject;
  rec.jurisdiction = ticket.jurisdiction;
  rec.occurred_at = now;
  rec.actor = c.who().name;
  rec.body.Set(std::move(cmd));
  file::PublishPolicy policy;  // the server's own command, built from the token's claims
  policy.staff_commands = true;
  file::IngressPreparer preparer(partitions, policy);
  file::PreparedRecord prepared;
  std::vector<file::IngressError> errs;
  if (!preparer.PrepareRecord(events::PackRecord(std::move(rec)), now, &prepared, &errs)) {
    const auto& e = errs.front();
    std::string field = e.field.rfind("body.", 0) == 0 ? e.field.substr(5) : e.field;
    if (field == "id") field = "command_id";
    if (e.forbidden) return c.Error(403, "forbidden", e.message, field);
    return c.Error(400, "invalid", e.message, field);
  }
  auto acks = b.publish({{prepared.id, std::move(prepared.bytes), prepared.partitions}});
  if (!acks.ok() && acks.status().code() == Code::kAlreadyExists) {
    return c.Error(409, "conflict",
                   "command_id " + command_id +
                       " was already used by you on this ticket for a different action; "
                       "a retry must repeat the action unchanged, a new action needs a new id",
                   "command_id");
  }
  if (!acks.ok()) return c.Fail(acks.status());
  const events::IngressAck ack = acks->front();
  c.detail = verb + " " + ticket.id + " command " + command_id;

  if (!b.decisions_visible) {
    c.Json(202, {{"command_id", command_id},
                 {"status", "pending"},
                 {"message", "recorded; read the ticket for the engine's decision"}});
    return;
  }
  // Wait for the engine to process the command, then find what it decided.
  if (!AwaitProcessed(ack)) {
    c.Json(202, {{"command_id", command_id},
                 {"status", "pending"},
                 {"message", "recorded; the engine has not decided yet"}});
    return;
  }
  json records = json::array();
  const events::fb::CommandRejected* rejected = nullptr;
  std::string rejected_bytes;
  Status scanned = ForEachCausedBy(record_id, ack.partition, ack.offset, 200000,
                                   [&](const events::fb::Record& r, const std::string& bytes) {
                                     records.push_back(events::BodyName(r.body_type()));
                                     if (r.body_type() == events::fb::Body::CommandRejected)
                                       rejected_bytes = bytes;
                                     return true;
                                   });
  if (!scanned.ok()) return c.Fail(scanned);
  if (!rejected_bytes.empty()) {
    rejected = (*events::VerifyRecord(rejected_bytes))->body_as_CommandRejected();
    int status = StatusForRejection(rejected->reason());
    json err = {{"status", status},
                {"code", events::fb::EnumNameRejectReason(rejected->reason())},
                {"message", rejected->message()->str()},
                {"command_id", command_id},
                {"current_version", rejected->current_version()}};
    if (rejected->reason() == events::fb::RejectReason::stale_version) {
      err["field"] = "expected_version";
    } else if (rejected->field() && rejected->field()->size() > 0) {
      std::string f = rejected->field()->str();
      err["field"] = dsl::IsCustomField(f) ? "fields." + f : f;
    }
    c.Json(status, {{"error", err}});
    return;
  }
  auto after = engine::FindTicket(*b.state, partitions, ticket.id);
  if (!after.ok()) return c.Fail(after.status());
  c.Json(200, {{"command_id", command_id},
               {"duplicate", ack.duplicate},
               {"records", records},
               {"ticket", *after ? NamedTicketJson(**after) : json()}});
}

}  // namespace closeloop::http
