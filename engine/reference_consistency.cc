// ReferenceData::CheckConsistency: the rules that span tables (a routing row naming a
// department the directory lacks, an enterprise on a grid the jurisdictions lack). Kept apart
// from reference_data.cc because it reads every table and answers no lookup.
#include <set>

#include "engine/reference_data.h"

namespace closeloop::engine {

std::vector<std::string> ReferenceData::CheckConsistency() const {
  std::vector<std::string> out;
  auto need = [&out](bool ok, std::string what) {
    if (!ok) out.push_back(std::move(what));
  };
  auto dept = [&](const std::string& id, bool may_be_empty, const std::string& what) {
    need((may_be_empty && id.empty()) || departments_.count(id) > 0,
         what + ": unknown department '" + id + "'");
  };
  auto district = [&](const std::string& code, const std::string& what) {
    const Jurisdiction* j = FindJurisdiction(code);
    need(j != nullptr && j->level == JurisdictionLevel::kDistrict,
         what + ": unknown district '" + code + "'");
  };
  for (const auto& [id, d] : departments_) {
    if (!d.jurisdiction.empty()) {
      need(jurisdictions_.count(d.jurisdiction) > 0,
           "departments: " + id + ".jurisdiction: unknown '" + d.jurisdiction + "'");
    }
  }
  for (const auto& [name, versions] : routing_) {
    const RoutingTable& t = versions.rbegin()->second;
    std::string at = name + " v" + std::to_string(t.version()) + ": ";
    dept(t.fallback(), false, at + "fallback");
    for (const RoutingRow& r : t.rows()) {
      dept(r.lead, false, at + r.rule + " lead");
      for (const std::string& a : r.assist) dept(a, false, at + r.rule + " assist");
      // The columns the shipped tables use are checked against their tables; a city's own
      // columns (a sector, a street) have no table to check against.
      if (std::string d(r.Value("district")); !d.empty()) district(d, at + r.rule);
      if (std::string c(r.Value("category")); !c.empty()) {
        need(hazard_classes_.count(c) > 0, at + r.rule + ": unknown hazard class '" + c + "'");
      }
    }
  }
  for (const auto& [id, e] : enterprises_) {
    const Jurisdiction* j = FindJurisdiction(e.jurisdiction);
    need(j != nullptr && j->level == JurisdictionLevel::kGrid,
         "enterprises: " + id + ".jurisdiction: unknown grid '" + e.jurisdiction + "'");
    for (const std::string& h : e.hazard_classes) {
      need(hazard_classes_.count(h) > 0,
           "enterprises: " + id + ": unknown hazard class '" + h + "'");
    }
  }
  for (const auto& [id, t] : teams_) {
    dept(t.department, true, "rescue_teams: " + id + ".department");
    district(t.district, "rescue_teams: " + id + ".district");
  }
  std::set<std::string> team_types, items, specialities;
  for (const auto& [id, t] : teams_) team_types.insert(t.type);
  for (const auto& [id, d] : depots_) {
    dept(d.department, false, "material_depots: " + id + ".department");
    district(d.district, "material_depots: " + id + ".district");
    for (const MaterialItem& m : d.items) items.insert(m.item);
  }
  // A road distance names a place: an enterprise or a jurisdiction.
  auto place = [&](const std::map<std::string, int64_t, std::less<>>& road, const std::string& at) {
    for (const auto& [to, metres] : road) {
      need(enterprises_.count(to) > 0 || jurisdictions_.count(to) > 0,
           at + ".road_metres: unknown place '" + to + "'");
    }
  };
  for (const auto& [id, t] : teams_) place(t.road_metres, "rescue_teams: " + id);
  for (const auto& [id, d] : depots_) place(d.road_metres, "material_depots: " + id);
  for (const auto& [id, e] : experts_) {
    district(e.district, "experts: " + id + ".district");
    specialities.insert(e.specialities.begin(), e.specialities.end());
    std::string at = "experts: " + id;
    if (!e.employer_enterprise.empty()) {
      need(enterprises_.count(e.employer_enterprise) > 0,
           at + ".employer_enterprise: unknown enterprise '" + e.employer_enterprise + "'");
    }
    for (const std::string& c : e.conflicts) {
      need(enterprises_.count(c) > 0, at + ".conflicts: unknown enterprise '" + c + "'");
    }
    for (const std::string& c : e.resident_at) {
      need(enterprises_.count(c) > 0, at + ".resident_at: unknown enterprise '" + c + "'");
    }
  }
  for (const auto& [id, p] : plans_) {
    std::string at = "plans: " + id;
    dept(p.lead_department, false, at + ".lead_department");
    for (const std::string& m : p.member_departments) dept(m, false, at + ".member_departments");
    if (!p.district.empty()) district(p.district, at + ".district");
    for (const std::string& t : p.team_types) {
      need(team_types.count(t) > 0, at + ".team_types: no team of type '" + t + "'");
    }
    for (const std::string& m : p.materials) {
      need(items.count(m) > 0, at + ".materials: no depot holds '" + m + "'");
    }
    for (const std::string& s : p.expert_specialities) {
      need(specialities.count(s) > 0, at + ".expert_specialities: no expert in '" + s + "'");
    }
  }
  return out;
}

}  // namespace closeloop::engine
