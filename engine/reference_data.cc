#include "engine/reference_data.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

#include "engine/reference_tables.h"

namespace closeloop::engine {
namespace {

constexpr std::string_view kTables[] = {"departments", "jurisdictions", "hazard_classes",
                                        "enterprises", "rescue_teams",  "material_depots",
                                        "experts",     "plans"};

const std::string& KeyOf(const Jurisdiction& j) { return j.code; }
template <typename T>
const std::string& KeyOf(const T& t) {
  return t.id;
}

// Parses every document of one table version and keys the items; duplicate keys across
// the documents (parts) are an error.
template <typename T>
Status ParseAll(Result<DocumentPart> (*parse)(std::string_view, std::vector<T>*),
                const std::vector<std::string>& docs, std::map<std::string, T, std::less<>>* out) {
  std::vector<T> items;
  for (const std::string& doc : docs) {
    auto part = parse(doc, &items);
    if (!part.ok()) return part.status();
  }
  for (T& t : items) {
    std::string key = KeyOf(t);
    if (!out->emplace(key, std::move(t)).second) {
      return InvalidArgument("content_json.items: '" + key + "' appears twice");
    }
  }
  return Status::Ok();
}

// Validates one document on its own and says which part it is.
template <typename T>
Result<DocumentPart> CheckPart(Result<DocumentPart> (*parse)(std::string_view, std::vector<T>*),
                               std::string_view doc) {
  std::vector<T> scratch;
  return parse(doc, &scratch);
}

Result<DocumentPart> ParsePart(std::string_view table, std::string_view doc) {
  if (table == "departments") return CheckPart(ParseDepartments, doc);
  if (table == "jurisdictions") return CheckPart(ParseJurisdictions, doc);
  if (table == "hazard_classes") return CheckPart(ParseHazardClasses, doc);
  if (table == "enterprises") return CheckPart(ParseEnterprises, doc);
  if (table == "rescue_teams") return CheckPart(ParseRescueTeams, doc);
  if (table == "material_depots") return CheckPart(ParseMaterialDepots, doc);
  if (table == "experts") return CheckPart(ParseExperts, doc);
  if (table == "plans") return CheckPart(ParsePlans, doc);
  return NotFound("table_name: unknown reference table '" + std::string(table) + "'");
}

// Departments: every parent exists; parent chains end at a city-level root without a
// cycle; one safety office and one discipline commission per district at most.
Status CheckDepartments(const std::map<std::string, Department, std::less<>>& depts,
                        std::map<std::string, std::string, std::less<>>* offices,
                        std::map<std::string, std::string, std::less<>>* disciplines) {
  for (const auto& [id, d] : depts) {
    std::string at = "content_json.items[id=" + id + "]";
    auto parent = d.parent.empty() ? depts.end() : depts.find(d.parent);
    if (!d.parent.empty() && parent == depts.end()) {
      return InvalidArgument(at + ".parent: unknown department '" + d.parent + "'");
    }
    // Escalation goes up or sideways, never down: a city unit does not answer to a district.
    if (parent != depts.end() && parent->second.level > d.level) {
      return InvalidArgument(at + ".parent: '" + d.parent + "' is below this unit's level");
    }
    const Department* cur = &d;
    for (size_t steps = 0; !cur->parent.empty(); ++steps) {
      if (steps > depts.size()) return InvalidArgument(at + ".parent: the parent chain loops");
      cur = &depts.find(cur->parent)->second;
    }
    if (cur->level != DepartmentLevel::kCity) {
      return InvalidArgument(at + ".parent: the parent chain ends at '" + cur->id +
                             "', which is not city level");
    }
    auto* index = d.kind == "safety_office" ? offices
                  : d.kind == "discipline"  ? disciplines
                                            : nullptr;
    if (index != nullptr && !index->emplace(d.district, id).second) {
      return InvalidArgument(at + ".kind: a second " + d.kind + " for district '" + d.district +
                             "' (first: " + (*index)[d.district] + ")");
    }
  }
  return Status::Ok();
}

Status CheckJurisdictions(const std::map<std::string, Jurisdiction, std::less<>>& all) {
  for (const auto& [code, j] : all) {
    if (j.parent.empty()) continue;
    auto it = all.find(j.parent);
    if (it == all.end()) {
      return InvalidArgument("content_json.items[code=" + code + "].parent: unknown '" + j.parent +
                             "'");
    }
    if (static_cast<int>(it->second.level) + 1 != static_cast<int>(j.level)) {
      return InvalidArgument("content_json.items[code=" + code +
                             "].level: must be one level below its parent's");
    }
  }
  return Status::Ok();
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Sorts by (metres, id): the order every "nearest" lookup promises.
template <typename T>
std::vector<Nearby<T>> Nearest(std::vector<Nearby<T>> v) {
  std::sort(v.begin(), v.end(), [](const Nearby<T>& a, const Nearby<T>& b) {
    return std::tie(a.metres, a.item->id) < std::tie(b.metres, b.item->id);
  });
  return v;
}

}  // namespace

bool JurisdictionCovers(std::string_view area, std::string_view jurisdiction) {
  return area.empty() || jurisdiction == area ||
         (jurisdiction.size() > area.size() && jurisdiction.substr(0, area.size()) == area &&
          jurisdiction[area.size()] == '.');
}

int64_t DistanceMetres(GeoPoint a, GeoPoint b) {
  constexpr double kEarthRadiusMetres = 6371008.8;
  constexpr double kRad = std::numbers::pi / 180.0;
  double dlat = (b.lat - a.lat) * kRad;
  double dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return std::llround(2 * kEarthRadiusMetres * std::asin(std::min(1.0, std::sqrt(h))));
}

fb::AlarmLevel Sensor::Classify(double value) const {
  if (value >= critical) return fb::AlarmLevel::critical;
  if (value >= alarm) return fb::AlarmLevel::alarm;
  if (low_alarm && value <= *low_alarm) return fb::AlarmLevel::alarm;
  if (value >= warning) return fb::AlarmLevel::warning;
  return fb::AlarmLevel::none;
}

std::string_view RiskColourName(RiskColour c) {
  switch (c) {
    case RiskColour::kRed:
      return "red";
    case RiskColour::kOrange:
      return "orange";
    case RiskColour::kYellow:
      return "yellow";
    case RiskColour::kBlue:
      return "blue";
  }
  return "";
}

// ---- ReferenceData: applying updates ----

const std::vector<std::string_view>& ReferenceData::TableNames() {
  static const std::vector<std::string_view> kNames(std::begin(kTables), std::end(kTables));
  return kNames;
}

Status ReferenceData::ApplyRecord(const fb::Record& record) {
  if (auto* u = record.body_as_ReferenceDataUpdated()) return Apply(*u);
  if (auto* u = record.body_as_RoutingTableUpdated()) return Apply(*u);
  return InvalidArgument("body_type: " + std::string(events::BodyName(record.body_type())) +
                         " is not reference data");
}

Status ReferenceData::Apply(const fb::RoutingTableUpdated& update) {
  CL_ASSIGN_OR_RETURN(RoutingTable table, RoutingTable::FromRecord(update));
  auto& versions = routing_[table.name()];
  if (!versions.empty() && table.version() <= versions.rbegin()->first) {
    return FailedPrecondition(table.name() + " v" + std::to_string(table.version()) +
                              ": not newer than version " +
                              std::to_string(versions.rbegin()->first) + " in effect");
  }
  uint32_t v = table.version();
  versions.emplace(v, std::move(table));
  return Status::Ok();
}

Status ReferenceData::Apply(const fb::ReferenceDataUpdated& update) {
  std::string table = update.table_name() ? update.table_name()->str() : "";
  uint32_t version = update.version();
  std::string where = table + " v" + std::to_string(version);
  if (std::find(std::begin(kTables), std::end(kTables), table) == std::end(kTables)) {
    return NotFound("table_name: unknown reference table '" + table + "'");
  }
  if (version <= Version(table)) {
    return FailedPrecondition(where + ": not newer than version " + std::to_string(Version(table)) +
                              " in effect");
  }
  std::string doc = update.content_json() ? update.content_json()->str() : "";
  // A part is validated alone before it joins the others, so a bad one is named at once.
  Result<DocumentPart> part = ParsePart(table, doc);
  if (!part.ok()) return part.status().Annotate(where);
  if (part->parts == 1) {
    CL_RETURN_IF_ERROR(Load(table, {doc}).Annotate(where));
    versions_[table] = version;
    // Incomplete parts of this or an older version can never take effect now; parts of a
    // newer version still can.
    if (auto p = pending_.find(table); p != pending_.end() && p->second.version <= version) {
      pending_.erase(p);
    }
    return Status::Ok();
  }
  std::string at =
      where + " part " + std::to_string(part->part) + "/" + std::to_string(part->parts);
  auto it = pending_.find(table);
  if (it != pending_.end() && it->second.version > version) {
    return FailedPrecondition(at + ": older than version " + std::to_string(it->second.version) +
                              " whose parts are arriving");
  }
  if (it == pending_.end() || it->second.version < version) {
    // A newer version supersedes an incomplete older one.
    it = pending_.insert_or_assign(table, Pending{version, part->parts, {}}).first;
  }
  Pending& pending = it->second;
  if (pending.parts != part->parts) {
    return InvalidArgument(at + ": content_json.parts: earlier parts of this version said " +
                           std::to_string(pending.parts));
  }
  if (!pending.content.emplace(part->part, std::move(doc)).second) {
    return AlreadyExists(at + ": this part was already received");
  }
  if (static_cast<int>(pending.content.size()) < pending.parts) return Status::Ok();
  std::vector<std::string> docs;
  for (const auto& [n, text] : pending.content) docs.push_back(text);
  Status s = Load(table, docs);
  if (!s.ok()) {
    pending.content.erase(part->part);
    return s.Annotate(at);
  }
  versions_[table] = version;
  pending_.erase(it);
  return Status::Ok();
}

Status ReferenceData::Load(std::string_view table, const std::vector<std::string>& docs) {
  if (table == "departments") {
    std::map<std::string, Department, std::less<>> m;
    std::map<std::string, std::string, std::less<>> offices, disciplines;
    CL_RETURN_IF_ERROR(ParseAll(ParseDepartments, docs, &m));
    CL_RETURN_IF_ERROR(CheckDepartments(m, &offices, &disciplines));
    departments_ = std::move(m);
    safety_offices_ = std::move(offices);
    disciplines_ = std::move(disciplines);
  } else if (table == "jurisdictions") {
    std::map<std::string, Jurisdiction, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseJurisdictions, docs, &m));
    CL_RETURN_IF_ERROR(CheckJurisdictions(m));
    jurisdictions_ = std::move(m);
  } else if (table == "hazard_classes") {
    std::map<std::string, HazardClass, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseHazardClasses, docs, &m));
    hazard_classes_ = std::move(m);
  } else if (table == "enterprises") {
    std::map<std::string, Enterprise, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseEnterprises, docs, &m));
    // Ids are unique across the table: alarms and plans name a sensor or risk source alone.
    std::set<std::string, std::less<>> sources, sensors;
    for (const auto& [id, e] : m) {
      for (const RiskSource& rs : e.risk_sources) {
        if (!sources.insert(rs.id).second) {
          return InvalidArgument("content_json.items[id=" + id + "]: risk source '" + rs.id +
                                 "' appears twice");
        }
        for (const Sensor& sensor : rs.sensors) {
          if (!sensors.insert(sensor.id).second) {
            return InvalidArgument("content_json.items[id=" + id + "]: sensor '" + sensor.id +
                                   "' appears twice");
          }
        }
      }
    }
    enterprises_ = std::move(m);
  } else if (table == "rescue_teams") {
    std::map<std::string, RescueTeam, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseRescueTeams, docs, &m));
    teams_ = std::move(m);
  } else if (table == "material_depots") {
    std::map<std::string, MaterialDepot, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseMaterialDepots, docs, &m));
    depots_ = std::move(m);
  } else if (table == "experts") {
    std::map<std::string, Expert, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParseExperts, docs, &m));
    experts_ = std::move(m);
  } else if (table == "plans") {
    std::map<std::string, Plan, std::less<>> m;
    CL_RETURN_IF_ERROR(ParseAll(ParsePlans, docs, &m));
    plans_ = std::move(m);
  } else {
    return NotFound("table_name: unknown reference table '" + std::string(table) + "'");
  }
  return Status::Ok();
}

uint32_t ReferenceData::Version(std::string_view table) const {
  if (auto it = versions_.find(table); it != versions_.end()) return it->second;
  if (auto it = routing_.find(table); it != routing_.end() && !it->second.empty()) {
    return it->second.rbegin()->first;
  }
  return 0;
}

// ---- ReferenceData: lookups ----

namespace {
template <typename M>
const typename M::mapped_type* Find(const M& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}
}  // namespace

const Department* ReferenceData::FindDepartment(std::string_view id) const {
  return Find(departments_, id);
}
const Department* ReferenceData::ParentOf(std::string_view id) const {
  const Department* d = FindDepartment(id);
  return d == nullptr ? nullptr : FindDepartment(d->parent);
}
std::string ReferenceData::HeadOf(std::string_view id) const {
  const Department* d = FindDepartment(id);
  return d == nullptr ? "" : d->head;
}
const Department* ReferenceData::SafetyOffice(std::string_view district) const {
  const std::string* id = Find(safety_offices_, district);
  return id == nullptr ? nullptr : FindDepartment(*id);
}
const Department* ReferenceData::DisciplineCommission(std::string_view district) const {
  const std::string* id = Find(disciplines_, district);
  return id == nullptr ? nullptr : FindDepartment(*id);
}
const std::map<std::string, Department, std::less<>>& ReferenceData::departments() const {
  return departments_;
}
const Jurisdiction* ReferenceData::FindJurisdiction(std::string_view code) const {
  return Find(jurisdictions_, code);
}
const std::map<std::string, Jurisdiction, std::less<>>& ReferenceData::jurisdictions() const {
  return jurisdictions_;
}
const std::map<std::string, HazardClass, std::less<>>& ReferenceData::hazard_classes() const {
  return hazard_classes_;
}
const Enterprise* ReferenceData::FindEnterprise(std::string_view id) const {
  return Find(enterprises_, id);
}
const RescueTeam* ReferenceData::FindTeam(std::string_view id) const { return Find(teams_, id); }
const MaterialDepot* ReferenceData::FindDepot(std::string_view id) const {
  return Find(depots_, id);
}
const Expert* ReferenceData::FindExpert(std::string_view id) const { return Find(experts_, id); }

std::vector<const Expert*> ReferenceData::ResidentExperts(std::string_view enterprise) const {
  std::vector<const Expert*> out;
  for (const auto& [id, e] : experts_) {
    if (Contains(e.resident_at, enterprise)) out.push_back(&e);
  }
  return out;
}

const MaterialItem* MaterialDepot::Find(std::string_view item) const {
  for (const auto& m : items) {
    if (m.item == item) return &m;
  }
  return nullptr;
}

const ExpertAbsence* Expert::AbsentAt(int64_t at) const {
  for (const auto& a : unavailable) {
    if (a.from_ms <= at && at < a.to_ms) return &a;
  }
  return nullptr;
}

int64_t Plan::QuantityOf(std::string_view item) const {
  auto it = material_quantities.find(item);
  return it == material_quantities.end() ? 1 : it->second;
}

std::vector<const Enterprise*> ReferenceData::FindEnterprises(const EnterpriseFilter& f) const {
  std::vector<const Enterprise*> out;
  for (const auto& [id, e] : enterprises_) {
    if (!f.district.empty() && e.district != f.district) continue;
    if (!JurisdictionCovers(f.jurisdiction, e.jurisdiction)) continue;
    if (!f.industry.empty() && e.industry != f.industry) continue;
    if (!f.hazard_class.empty() && !Contains(e.hazard_classes, f.hazard_class)) continue;
    if (!f.colours.empty() && f.colours.count(e.risk_colour) == 0) continue;
    if (f.key_only && !e.key_enterprise) continue;
    out.push_back(&e);
  }
  return out;
}

std::vector<Nearby<Expert>> ReferenceData::ExpertsBySpeciality(std::string_view speciality,
                                                               GeoPoint from) const {
  std::vector<Nearby<Expert>> out;
  for (const auto& [id, e] : experts_) {
    if (Contains(e.specialities, speciality)) out.push_back({&e, DistanceMetres(from, e.location)});
  }
  return Nearest(std::move(out));
}

std::vector<Nearby<RescueTeam>> ReferenceData::TeamsFor(std::string_view incident_type,
                                                        GeoPoint from) const {
  std::vector<Nearby<RescueTeam>> out;
  for (const auto& [id, t] : teams_) {
    if (Contains(t.capabilities, incident_type)) {
      out.push_back({&t, DistanceMetres(from, t.location)});
    }
  }
  return Nearest(std::move(out));
}

std::vector<Nearby<MaterialDepot>> ReferenceData::DepotsWith(std::string_view item,
                                                             GeoPoint from) const {
  std::vector<Nearby<MaterialDepot>> out;
  for (const auto& [id, d] : depots_) {
    bool has = std::any_of(d.items.begin(), d.items.end(),
                           [&](const MaterialItem& m) { return m.item == item && m.quantity > 0; });
    if (has) out.push_back({&d, DistanceMetres(from, d.location)});
  }
  return Nearest(std::move(out));
}

const Plan* ReferenceData::PlanFor(std::string_view incident_type, fb::IncidentLevel level,
                                   std::string_view district) const {
  const Plan* best = nullptr;
  std::tuple<int, size_t> best_rank;
  for (const auto& [id, p] : plans_) {
    if (!Contains(p.incident_types, incident_type)) continue;
    if (std::find(p.levels.begin(), p.levels.end(), level) == p.levels.end()) continue;
    int tier = p.tier == "district_special" ? 0 : p.tier == "city_special" ? 1 : 2;
    if (tier == 0 && p.district != district) continue;
    std::tuple<int, size_t> rank{tier, p.incident_types.size()};
    if (best == nullptr || rank < best_rank) best = &p, best_rank = rank;  // ties: lower id
  }
  return best;
}

const RoutingTable* ReferenceData::Routing(std::string_view name) const {
  auto it = routing_.find(name);
  return it == routing_.end() || it->second.empty() ? nullptr : &it->second.rbegin()->second;
}

const RoutingTable* ReferenceData::Routing(std::string_view name, uint32_t version) const {
  auto it = routing_.find(name);
  if (it == routing_.end()) return nullptr;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : &v->second;
}

}  // namespace closeloop::engine
