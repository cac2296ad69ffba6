// Who may fire a verb on a ticket: the one predicate the engine decides staff commands with
// (engine/decide_command.cc), the HTTP API lists a ticket's actions with
// (connectors/http/api_tickets.cc) and the demo's foresight predicts with
// (workflows/demo/foresight.cc). A caller that asks it before publishing gets the answer the
// engine will give, with the same reason and message.
//
// A command carries claims (the role it acts in and the department it acts for), written by
// the authenticated boundary from the caller's token (StaffCommand.role, .department). A
// transition names the workflow roles that may take it (`on VERB by ROLE, ...`; none: anyone).
// Built-in roles (dsl/program.h kBuiltinRoles, docs/dsl.md):
//   assignee   staff of the lead department (claim role "staff", department = the lead)
//   assist     staff of an assisting department (claim role "staff", department assists)
//   head       the head of the lead department (claim role "head", department = the lead)
//   any other  (supervisor, inspector, admin, requester, a workflow's own role such as
//              "commander") by the role claim alone.
// The claims are also checked against the engine's own directory of departments
// (ClaimsRefusal): a directory role (staff, head, supervisor, inspector) names a department
// that exists; a supervisor acts for a safety-committee office and an inspector for a
// discipline commission, each only within its jurisdiction.
//
// Pure functions of their arguments: no clock, no I/O, deterministic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/reference_data.h"
#include "engine/ticket.h"
#include "events/record.h"

namespace closeloop::engine {

// What a command claims: the role it acts in and the department it acts for.
struct Claims {
  std::string role;
  std::string department;
};

Claims ClaimsOf(const fb::StaffCommand& cmd);

// Why something is not permitted: the CommandRejected reason and message.
struct Refusal {
  fb::RejectReason reason = fb::RejectReason::wrong_role;
  std::string message;
};

// Why the claims do not fit the reference data for `t`; nullopt when they do.
std::optional<Refusal> ClaimsRefusal(const ReferenceData& ref, const Claims& claims,
                                     const Ticket& t);

// Why `claims` may not act in workflow role `role` on `t`; nullopt when they may.
std::optional<Refusal> RoleRefusal(std::string_view role, const Claims& claims, const Ticket& t);

// Why `claims` may not take a transition open to `roles` (empty: anyone) on `t`: the refusal
// of the first role when none admits; nullopt when one does.
std::optional<Refusal> RolesRefusal(const std::vector<std::string>& roles, const Claims& claims,
                                    const Ticket& t);

// The whole predicate: ClaimsRefusal, then RolesRefusal. nullopt when `claims` may fire a
// transition open to `roles` on `t` (its guard and the verb's own preconditions aside).
std::optional<Refusal> FireRefusal(const ReferenceData& ref, const std::vector<std::string>& roles,
                                   const Claims& claims, const Ticket& t);

}  // namespace closeloop::engine
