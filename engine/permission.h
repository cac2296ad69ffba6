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
// Two roles stand for someone outside the departments, and their claim names whom (the
// command's department field carries it; whichever workflow declares the role, `role
// enterprise`, `role grid`, the engine scopes it by name, kScopedRoles):
//   enterprise  an enterprise's own user (企业安全管理人员): the claim names an enterprise of
//               the reference data, and it acts only on tickets about itself (the ticket's
//               subject is that enterprise);
//   grid        a grid inspector (网格员): the claim names a grid of the jurisdictions table,
//               and the inspector acts only within it (the ticket's jurisdiction lies in it).
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

// The roles whose claim names an enterprise or a grid rather than a department (above).
inline constexpr std::string_view kEnterpriseRole = "enterprise";
inline constexpr std::string_view kGridRole = "grid";

// Whether ticket `t` is about enterprise `enterprise` (its subject is that enterprise): the
// engine's test of an enterprise claim, and the API's read scope for enterprise users.
bool AboutEnterprise(const Ticket& t, std::string_view enterprise);

// What a command claims: the role it acts in and the department it acts for (for the
// enterprise and grid roles, the enterprise's id or the grid's code).
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
