// The city's reference data as the engine sees it: departments (安委会 member units), the
// jurisdiction tree (district.street.grid), hazard classes, enterprises with their major
// hazard sources and sensors, rescue teams, material depots, experts, contingency plans,
// and routing tables (hazard class x district -> lead + assisting departments).
//
// Reference data enters the system only as records on the log: `ReferenceDataUpdated`
// (a JSON document per table, shapes in docs/reference-data.md) and `RoutingTableUpdated`.
// ReferenceData applies them in log order. Every document is validated in full before
// anything changes: a bad one is rejected with the path of the first bad field
// ("departments v2: content_json.items[3].level: ...") and the previous version stays.
//
// Versions. Each table carries a version; an update must be newer than the version in
// effect. Routing tables keep every version they had, because a ticket keeps the routing
// version it was routed with (TicketRouted.version) while later tickets use the latest.
// Other tables keep the latest version only.
//
// Parts. A big table (enterprises) comes as several records of the same version whose
// content carries "part" (1-based) and "parts" (the count). Parts are validated one by one
// as they arrive and held aside; the version takes effect, as a whole, when the last part
// arrives. Until then lookups answer from the previous version.
//
// Determinism: everything is kept in ordered containers; every list a lookup returns is in
// a documented order (by id, or by distance in whole metres then id).
//
// Thread-safety: not thread-safe. Const lookups may run concurrently only while nothing is
// applied. Pointers a lookup returns stay valid until the next successful Apply of the
// table they point into.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/record.h"

namespace closeloop::engine {

namespace fb = ::closeloop::fb;

// WGS-84 degrees.
struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// Great-circle distance rounded to whole metres. Rounding keeps orderings stable across
// machines whose libm differs in the last bit.
int64_t DistanceMetres(GeoPoint a, GeoPoint b);

enum class DepartmentLevel { kCity, kDistrict, kStreet };

// A safety-committee member unit, the committee office (安委办) or the discipline
// commission (纪委监委), at city, district or street level.
struct Department {
  std::string id;  // "nj.xuanwu.fire"
  std::string name_zh;
  std::string name_en;
  DepartmentLevel level = DepartmentLevel::kCity;
  std::string district;      // district code; "" at city level
  std::string jurisdiction;  // "" (city), "xuanwu" (district), "xuanwu.meiyuan" (street)
  std::string parent;        // where escalation goes next; "" only for a city-level root
  std::string head;          // role id of the unit's principal, for "notify the head"
  std::string kind;          // "safety_office", "discipline", "fire_rescue", ...
};

// Whether `area` covers `jurisdiction` in the tree of codes: "" is the whole city; "xuanwu"
// covers "xuanwu" and "xuanwu.meiyuan" but not "xuanwux". The one test of a supervisor's
// scope, a queue's jurisdiction filter and a duty's enterprise filter.
bool JurisdictionCovers(std::string_view area, std::string_view jurisdiction);

enum class JurisdictionLevel { kDistrict, kStreet, kGrid };

struct Jurisdiction {
  std::string code;  // "xuanwu", "xuanwu.meiyuan", "xuanwu.meiyuan.g03"
  std::string name_zh;
  std::string name_en;
  JurisdictionLevel level = JurisdictionLevel::kDistrict;
  std::string parent;  // "" for a district
  std::string
      kind;  // district | street (街道) | town (镇) | emergency (应急格) | enterprise (安监格)
  GeoPoint location;
};

struct HazardClass {
  std::string id;  // "gas"
  std::string name_zh;
  std::string name_en;
  std::string description;
  std::string lead_kind;  // the department kind that usually leads
};

// An online sensor at a major hazard source. Thresholds rise: warning < alarm < critical;
// `low_alarm` (liquid level) alarms when the value falls to or below it.
struct Sensor {
  std::string id;  // "RS-0001-TE01", the SensorAlarm's sensor_id
  fb::Measure measure = fb::Measure::other;
  std::string unit;
  std::string position_zh;
  std::optional<double> low_alarm;
  double warning = 0;
  double alarm = 0;
  double critical = 0;

  // The level a reading reaches: none below warning, then warning, alarm, critical
  // (each threshold inclusive); a reading at or below low_alarm is an alarm.
  fb::AlarmLevel Classify(double value) const;
};

// 重大危险源: a tank farm, process unit or warehouse holding hazardous chemicals.
struct RiskSource {
  std::string id;  // "RS-0001"
  std::string name_zh;
  std::string name_en;
  std::string kind;  // tank_farm | process_unit | warehouse
  int grade = 4;     // 1 (一级, most dangerous) .. 4 (四级)
  std::vector<std::string> chemicals;
  std::vector<Sensor> sensors;
};

enum class RiskColour { kRed, kOrange, kYellow, kBlue };  // 红橙黄蓝, most risky first
std::string_view RiskColourName(RiskColour c);            // "red", ...

struct Enterprise {
  std::string id;  // "ENT-00001"
  std::string name_zh;
  std::string name_en;
  std::string district;
  std::string jurisdiction;  // a grid: "liuhe.changlu.g08"
  std::string industry;      // "chemical", "machinery", ...
  std::string scale;         // large | medium | small | micro
  RiskColour risk_colour = RiskColour::kBlue;
  bool key_enterprise = false;  // on the key supervision list (quarterly supervisor visits)
  int safety_officers = 0;
  GeoPoint location;
  std::vector<std::string> hazard_classes;  // classes its hazards fall into
  std::string park;                         // "jiangbei_new_materials" or ""
  std::vector<RiskSource> risk_sources;
};

struct RescueTeam {
  std::string id;  // "TEAM-001"
  std::string name_zh;
  std::string name_en;
  std::string type;                       // fire_rescue, hazmat, flood, medical, ...
  std::vector<std::string> capabilities;  // incident types it answers
  std::string district;
  GeoPoint location;
  int members = 0;
  std::string department;  // supervising department id; "" for a social team
  std::vector<std::string> equipment;
  // Road distances from the team's base, where the city's GIS gives them: place (an
  // enterprise id or a jurisdiction code) -> metres. Dispatch prefers them to straight lines.
  std::map<std::string, int64_t, std::less<>> road_metres;
};

struct MaterialItem {
  std::string item;  // "sandbag"
  std::string name_zh;
  std::string unit;
  int64_t quantity = 0;
};

struct MaterialDepot {
  std::string id;  // "DEPOT-001"
  std::string name_zh;
  std::string name_en;
  std::string level;  // city | district
  std::string district;
  GeoPoint location;
  std::string department;
  std::vector<MaterialItem> items;
  std::map<std::string, int64_t, std::less<>> road_metres;  // as RescueTeam::road_metres

  // The item's stock as the table states it; nullptr when the depot holds none.
  const MaterialItem* Find(std::string_view item) const;
};

// A period an expert cannot be dispatched: [from_ms, to_ms), engine milliseconds.
struct ExpertAbsence {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::string kind;  // "leave" (休假) | "off_duty" (不在岗: abroad, ill, on another duty)
  std::string note;
};

struct Expert {
  std::string id;  // "EXP-0001"
  std::string name_zh;
  std::string name_en;
  std::vector<std::string> specialities;  // sorted
  std::string qualification_zh;
  std::string qualification_en;
  std::string employer;
  std::string employer_en;
  std::string district;
  GeoPoint location;
  // Added later, all optional in the table (docs/reference-data.md, "experts"):
  std::string employer_enterprise;     // the enterprise (id) that employs them, if one does
  std::vector<std::string> conflicts;  // enterprises they declared a conflict with, sorted
  std::vector<ExpertAbsence> unavailable;  // by from_ms; periods do not overlap
  std::vector<std::string> resident_at;    // 安代表: enterprises they are resident expert of

  // The absence covering `at`, or nullptr when the expert is on duty then.
  const ExpertAbsence* AbsentAt(int64_t at) const;
};

// 应急预案: what to do for an incident type at a level, and what to dispatch.
struct Plan {
  std::string id;  // "PLAN-NJ-01"
  std::string name_zh;
  std::string name_en;
  std::string tier;      // city_overall | city_special | district_special
  std::string district;  // "" for city plans
  std::vector<std::string> incident_types;
  std::vector<fb::IncidentLevel> levels;
  std::string lead_department;
  std::vector<std::string> member_departments;
  std::vector<std::string> team_types;
  std::vector<std::string> materials;  // material item ids
  std::vector<std::string> expert_specialities;
  int expert_count = 0;
  // How much of each item one dispatch asks for (optional in the table); an item the map
  // does not name is asked for once (one unit: a set, a pump, a boat).
  std::map<std::string, int64_t, std::less<>> material_quantities;
  int64_t QuantityOf(std::string_view item) const;
};

// One routing row: it matches when every (column, value) of `match` equals the value the
// workflow gives that column; a column the row does not name matches any value.
struct RoutingRow {
  std::vector<std::pair<std::string, std::string>> match;  // (column, value), by column
  std::string lead;
  std::vector<std::string> assist;
  std::string rule;  // "rows[12]: category=gas district=xuanwu"

  // The value the row requires of `column`; "" when it names no such column.
  std::string_view Value(std::string_view column) const;
};

// The answer of a routing lookup. `rule` names what matched (a row's rule, or "fallback"),
// and goes into TicketRouted.rule.
struct RouteResult {
  std::string lead;
  std::vector<std::string> assist;
  std::string rule;
};

// The values a workflow gives a table's columns, by column.
using RouteKeys = std::map<std::string, std::string, std::less<>>;

// A versioned routing table (RoutingTableUpdated). Its code is in routing_table.cc; the
// routing rule that uses it is engine/routing.h.
class RoutingTable {
 public:
  // Validates and builds from a record body. A row's match keys are any column names, each
  // at most once per row; no two rows may have the same match; lead and fallback are required.
  static Result<RoutingTable> FromRecord(const fb::RoutingTableUpdated& update);

  // The most specific matching row (most keys matched); among rows equally specific, the
  // first in table order; when no row matches, the fallback with rule "fallback". A column
  // missing from `values` matches no row that names it.
  RouteResult Route(const RouteKeys& values) const;

  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }
  const std::vector<RoutingRow>& rows() const { return rows_; }
  const std::string& fallback() const { return fallback_; }
  // Every column some row matches on, sorted.
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::string name_;
  uint32_t version_ = 0;
  std::vector<RoutingRow> rows_;
  std::string fallback_;
  std::vector<std::string> columns_;
};

// Which enterprises a periodic duty covers. Empty fields match everything.
struct EnterpriseFilter {
  std::string district;
  std::string jurisdiction;  // a code: matches itself and everything under it
  std::string industry;
  std::string hazard_class;
  std::set<RiskColour> colours;
  bool key_only = false;
};

template <typename T>
struct Nearby {
  const T* item = nullptr;
  int64_t metres = 0;
};

class ReferenceData {
 public:
  // The tables a ReferenceDataUpdated may name.
  static const std::vector<std::string_view>& TableNames();

  // Applies a verified record's body if it is ReferenceDataUpdated or RoutingTableUpdated;
  // InvalidArgument for any other body type.
  Status ApplyRecord(const fb::Record& record);
  // NotFound for an unknown table_name; FailedPrecondition when the version is not newer
  // than the one in effect; InvalidArgument (with the field path) for a bad document.
  // OK for an accepted part that is not the last one (the version is then pending).
  Status Apply(const fb::ReferenceDataUpdated& update);
  Status Apply(const fb::RoutingTableUpdated& update);

  // The version in effect; 0 when the table never had one.
  uint32_t Version(std::string_view table) const;

  const Department* FindDepartment(std::string_view id) const;
  // The department escalation goes to next; nullptr for a root or an unknown id.
  const Department* ParentOf(std::string_view id) const;
  // The head's role id; "" for an unknown department.
  std::string HeadOf(std::string_view id) const;
  // The safety-committee office (安委办) / discipline commission (纪委监委) of a district;
  // district "" asks for the city's. nullptr when there is none.
  const Department* SafetyOffice(std::string_view district) const;
  const Department* DisciplineCommission(std::string_view district) const;
  const std::map<std::string, Department, std::less<>>& departments() const;

  const Jurisdiction* FindJurisdiction(std::string_view code) const;
  const std::map<std::string, HazardClass, std::less<>>& hazard_classes() const;
  const std::map<std::string, Jurisdiction, std::less<>>& jurisdictions() const;

  const Enterprise* FindEnterprise(std::string_view id) const;
  const RescueTeam* FindTeam(std::string_view id) const;
  const MaterialDepot* FindDepot(std::string_view id) const;
  const Expert* FindExpert(std::string_view id) const;
  // Experts resident at (安代表 of) the enterprise, by id.
  std::vector<const Expert*> ResidentExperts(std::string_view enterprise) const;
  // Matching enterprises ordered by id.
  std::vector<const Enterprise*> FindEnterprises(const EnterpriseFilter& filter) const;

  // Experts with the speciality / teams able to answer the incident type / depots holding
  // the item, nearest first (whole metres, then id).
  std::vector<Nearby<Expert>> ExpertsBySpeciality(std::string_view speciality, GeoPoint from) const;
  std::vector<Nearby<RescueTeam>> TeamsFor(std::string_view incident_type, GeoPoint from) const;
  std::vector<Nearby<MaterialDepot>> DepotsWith(std::string_view item, GeoPoint from) const;

  // The plan for an incident: among plans listing the type and level, a district plan of
  // `district` first, then a city special plan, then the city overall plan; within a tier
  // the plan listing fewer incident types (the more specialised), then the lower id.
  const Plan* PlanFor(std::string_view incident_type, fb::IncidentLevel level,
                      std::string_view district) const;

  // The latest version of a routing table, or the given version; nullptr when absent.
  const RoutingTable* Routing(std::string_view name) const;
  const RoutingTable* Routing(std::string_view name, uint32_t version) const;

  // Cross-table problems ("enterprises: ENT-00001.jurisdiction: unknown grid 'x'"), e.g. a
  // routing row naming a department the directory lacks. Tables are applied one record at
  // a time, so these are reported, not enforced; empty when everything is consistent.
  std::vector<std::string> CheckConsistency() const;

 private:
  struct Pending {
    uint32_t version = 0;
    int parts = 0;
    std::map<int, std::string> content;  // part -> content_json, each already validated
  };
  // Parses and validates the documents (the parts of one version) as one table and
  // replaces the table with them. Nothing changes on error.
  Status Load(std::string_view table, const std::vector<std::string>& docs);

  std::map<std::string, uint32_t, std::less<>> versions_;
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::string, Department, std::less<>> departments_;
  std::map<std::string, std::string, std::less<>> safety_offices_;  // district -> id
  std::map<std::string, std::string, std::less<>> disciplines_;     // district -> id
  std::map<std::string, Jurisdiction, std::less<>> jurisdictions_;
  std::map<std::string, HazardClass, std::less<>> hazard_classes_;
  std::map<std::string, Enterprise, std::less<>> enterprises_;
  std::map<std::string, RescueTeam, std::less<>> teams_;
  std::map<std::string, MaterialDepot, std::less<>> depots_;
  std::map<std::string, Expert, std::less<>> experts_;
  std::map<std::string, Plan, std::less<>> plans_;
  std::map<std::string, std::map<uint32_t, RoutingTable>, std::less<>> routing_;
};

}  // namespace closeloop::engine
