#include "engine/routing.h"

#include <algorithm>

#include "engine/world.h"

namespace closeloop::engine {

const Department* DepartmentOfKind(const ReferenceData& ref, std::string_view kind,
                                   std::string_view district) {
  const Department* city = nullptr;
  for (const auto& [id, d] : ref.departments()) {
    if (d.kind != kind) continue;
    if (!district.empty() && d.level == DepartmentLevel::kDistrict && d.district == district) {
      return &d;
    }
    if (city == nullptr && d.level == DepartmentLevel::kCity) city = &d;
  }
  return city;
}

std::string FallbackLead(const ReferenceData& ref, const dsl::Routing* routing) {
  if (routing == nullptr) return "";
  if (!routing->fallback_is_kind) return routing->fallback;
  const Department* d = DepartmentOfKind(ref, routing->fallback, "");
  return d != nullptr && d->level == DepartmentLevel::kCity ? d->id : "";
}

std::string SafetyOfficeOrFallback(const ReferenceData& ref, const dsl::Workflow& wf,
                                   std::string_view jurisdiction) {
  const Department* office = ref.SafetyOffice(jurisdiction.substr(0, jurisdiction.find('.')));
  return office ? office->id : FallbackLead(ref, wf.routing ? &*wf.routing : nullptr);
}

Status CheckFallbackKind(const dsl::Workflow& wf, const ReferenceData& ref) {
  if (!wf.routing || !wf.routing->fallback_is_kind) return Status::Ok();
  if (!FallbackLead(ref, &*wf.routing).empty()) return Status::Ok();
  return FailedPrecondition("workflow " + wf.name + " v" + std::to_string(wf.version) +
                            " falls back to the city-level department of kind '" +
                            wf.routing->fallback + "', and the departments have none");
}

RouteResult RouteTicket(const World& world, const dsl::Workflow& wf, const dsl::Env& env,
                        std::string_view jurisdiction) {
  const dsl::Routing& routing = *wf.routing;
  if (!routing.kind.empty()) {
    const ReferenceData& ref = world.reference();
    const std::string_view district = jurisdiction.substr(0, jurisdiction.find('.'));
    // The street's own department of the kind first (街道: "xuanwu.meiyuan" of
    // "xuanwu.meiyuan.g03"), then the district's, then the city's.
    const size_t dot = jurisdiction.find('.');
    const size_t dot2 = dot == std::string_view::npos ? dot : jurisdiction.find('.', dot + 1);
    const std::string_view street =
        dot == std::string_view::npos ? std::string_view() : jurisdiction.substr(0, dot2);
    if (!street.empty()) {
      for (const auto& [id, d] : ref.departments()) {
        if (d.kind == routing.kind && d.level == DepartmentLevel::kStreet &&
            d.jurisdiction == street) {
          return {d.id, {}, "kind " + routing.kind + " of " + std::string(street)};
        }
      }
    }
    const Department* d = DepartmentOfKind(ref, routing.kind, district);
    if (d == nullptr && routing.fallback_is_kind) {
      // `fallback kind "K2"`: the district's department of K2, else the city's.
      const Department* f = DepartmentOfKind(ref, routing.fallback, district);
      if (f != nullptr) {
        return {f->id,
                {},
                "fallback: no department of kind " + routing.kind + "; kind " + routing.fallback +
                    (f->district.empty() ? " (city)" : " of " + f->district)};
      }
    }
    if (d == nullptr)
      return {FallbackLead(ref, &routing), {}, "fallback: no department of kind " + routing.kind};
    return {d->id,
            {},
            "kind " + routing.kind + (d->district.empty() ? " (city)" : " of " + d->district)};
  }
  RouteKeys values;
  for (const auto& key : routing.keys) {
    dsl::Value v = dsl::Evaluate(key.value, env);
    std::string s = v.type() == dsl::ValueType::kString ? v.as_string()
                    : v.is_null()                       ? std::string()
                                                        : v.ToString();
    if (key.column == "district") s = s.substr(0, s.find('.'));  // "xuanwu.meiyuan.g03"
    values[key.column] = std::move(s);
  }
  const RoutingTable* table = world.reference().Routing(routing.table);
  if (table == nullptr)
    return {FallbackLead(world.reference(), &routing),
            {},
            "fallback: no routing table " + routing.table};
  RouteResult r = table->Route(values);
  // No row matched: the workflow's own fallback is more specific than the table's.
  if (r.rule == "fallback") return {FallbackLead(world.reference(), &routing), {}, "fallback"};
  r.rule += " (version " + std::to_string(table->version()) + ")";
  return r;
}

Status CheckRoutingColumns(const dsl::Workflow& wf, const RoutingTable& table) {
  if (!wf.routing || wf.routing->table != table.name()) return Status::Ok();
  std::string given;
  for (const auto& key : wf.routing->keys) given += (given.empty() ? "" : ", ") + key.column;
  for (const std::string& column : table.columns()) {
    bool found = std::any_of(wf.routing->keys.begin(), wf.routing->keys.end(),
                             [&](const dsl::RouteKey& k) { return k.column == column; });
    if (!found) {
      return FailedPrecondition("routing table " + table.name() + " v" +
                                std::to_string(table.version()) + " matches on '" + column +
                                "', which workflow " + wf.name + " v" + std::to_string(wf.version) +
                                " does not give (it routes by " + given +
                                "): its tickets would never match those rows");
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
