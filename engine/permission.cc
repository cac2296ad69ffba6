#include "engine/permission.h"

#include <algorithm>

#include "events/record.h"

namespace closeloop::engine {
namespace {

using events::Str;

std::string OrNone(const std::string& s, const char* none) { return s.empty() ? none : s; }

Refusal WrongRole(std::string_view needed, const Claims& c) {
  return {fb::RejectReason::wrong_role,
          "needs role " + std::string(needed) + ", acting as " + OrNone(c.role, "none")};
}

bool Assists(const Ticket& t, std::string_view dept) {
  return std::find(t.assist.begin(), t.assist.end(), dept) != t.assist.end();
}

// An enterprise's own user acts for that enterprise, on tickets about it only; a grid
// inspector for a grid of the jurisdictions table, within it only.
std::optional<Refusal> OutsiderRefusal(const ReferenceData& ref, const Claims& c,
                                       const Ticket& t) {
  if (c.role == kEnterpriseRole) {
    if (ref.FindEnterprise(c.department) == nullptr) {
      return Refusal{fb::RejectReason::wrong_department,
                     "acting as enterprise " + OrNone(c.department, "(none)") +
                         ", which is not an enterprise in the reference data"};
    }
    if (!AboutEnterprise(t, c.department)) {
      return Refusal{fb::RejectReason::wrong_department,
                     "the ticket is about " + OrNone(t.subject, "no enterprise") + ", not " +
                         c.department + ": an enterprise acts only on its own tickets"};
    }
    return std::nullopt;
  }
  const Jurisdiction* grid = ref.FindJurisdiction(c.department);
  if (grid == nullptr || grid->level != JurisdictionLevel::kGrid) {
    return Refusal{fb::RejectReason::wrong_department,
                   "acting as grid inspector of " + OrNone(c.department, "no grid") +
                       ", which is not a grid in the reference data"};
  }
  if (!JurisdictionCovers(c.department, t.jurisdiction)) {
    return Refusal{fb::RejectReason::wrong_department,
                   "grid " + c.department + " does not cover " +
                       OrNone(t.jurisdiction, "no jurisdiction") +
                       ": a grid inspector acts only within their own grid"};
  }
  return std::nullopt;
}

}  // namespace

bool AboutEnterprise(const Ticket& t, std::string_view enterprise) {
  return !enterprise.empty() && t.subject == enterprise;
}

Claims ClaimsOf(const fb::StaffCommand& cmd) { return {Str(cmd.role()), Str(cmd.department())}; }

std::optional<Refusal> ClaimsRefusal(const ReferenceData& ref, const Claims& c, const Ticket& t) {
  if (c.role == kEnterpriseRole || c.role == kGridRole) return OutsiderRefusal(ref, c, t);
  static constexpr std::string_view kDirectoryRoles[] = {"staff", "head", "supervisor",
                                                         "inspector"};
  if (std::find(std::begin(kDirectoryRoles), std::end(kDirectoryRoles), c.role) ==
      std::end(kDirectoryRoles)) {
    return std::nullopt;
  }
  const Department* d = ref.FindDepartment(c.department);
  if (d == nullptr) {
    return Refusal{fb::RejectReason::wrong_department,
                   "acting as " + c.role + " of " + OrNone(c.department, "no department") +
                       ", which is not a department in the reference data"};
  }
  const char* kind = c.role == "supervisor"  ? "safety_office"
                     : c.role == "inspector" ? "discipline"
                                             : nullptr;
  if (kind == nullptr) return std::nullopt;
  if (d->kind != kind) {
    return Refusal{
        fb::RejectReason::wrong_department,
        c.role + " acts for a " + kind + " department; " + c.department + " is " + d->kind};
  }
  if (!JurisdictionCovers(d->jurisdiction, t.jurisdiction)) {
    return Refusal{fb::RejectReason::wrong_department,
                   c.department + " oversees " + d->jurisdiction + ", not " + t.jurisdiction};
  }
  return std::nullopt;
}

std::optional<Refusal> RoleRefusal(std::string_view role, const Claims& c, const Ticket& t) {
  if (role == "assignee" || role == "head") {
    if (role == "head" && c.role != "head") return WrongRole("head", c);
    // Staff of another department hear whose ticket it is.
    if (c.department != t.lead) {
      return Refusal{
          fb::RejectReason::wrong_department,
          "the ticket is led by " + t.lead + ", not " + OrNone(c.department, "no department")};
    }
    if (role == "assignee" && c.role != "staff") {
      return WrongRole("staff (assignee: staff of the lead department)", c);
    }
    return std::nullopt;
  }
  if (role == "assist") {
    if (!Assists(t, c.department)) {
      return Refusal{fb::RejectReason::wrong_department,
                     c.department + " does not assist on this ticket"};
    }
    if (c.role != "staff") return WrongRole("staff (assist: staff of an assisting department)", c);
    return std::nullopt;
  }
  if (c.role != role) return WrongRole(role, c);
  return std::nullopt;
}

std::optional<Refusal> RolesRefusal(const std::vector<std::string>& roles, const Claims& c,
                                    const Ticket& t) {
  std::optional<Refusal> first;
  for (const auto& role : roles) {
    auto r = RoleRefusal(role, c, t);
    if (!r) return std::nullopt;
    if (!first) first = std::move(r);
  }
  return first;
}

std::optional<Refusal> FireRefusal(const ReferenceData& ref, const std::vector<std::string>& roles,
                                   const Claims& claims, const Ticket& t) {
  if (auto r = ClaimsRefusal(ref, claims, t)) return r;
  return RolesRefusal(roles, claims, t);
}

}  // namespace closeloop::engine
