#include "engine/reference_data.h"

#include <doctest/doctest.h>
#include <flatbuffers/flatbuffers.h>

#include <fstream>
#include <set>

#include "engine/reference_tables.h"
#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::engine {
namespace {

// The shipped files in the order an operator publishes them.
const char* const kShipped[] = {"jurisdictions",   "departments", "hazard_classes",
                                "hazard_routing",  "enterprises", "rescue_teams",
                                "material_depots", "experts",     "plans"};
const char* const kDistricts[] = {"xuanwu",   "qinhuai",   "jianye", "gulou",  "pukou",  "qixia",
                                  "yuhuatai", "jiangning", "liuhe",  "lishui", "gaochun"};

// Record bytes of a shipped JSONL file, decoded by the record codec like `closeloop publish`.
std::vector<std::string> ShippedRecords(const std::string& name) {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/reference/" + name + ".jsonl");
  REQUIRE_MESSAGE(in.good(), name);
  events::JsonCodec codec;
  std::vector<std::string> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    events::DecodeError err;
    auto bytes = codec.FromJson(line, &err);
    INFO(name << ".jsonl:" << n << ": " << err.ToString());
    REQUIRE(bytes.ok());
    out.push_back(*bytes);
  }
  return out;
}

void ApplyShipped(ReferenceData& ref) {
  for (const char* name : kShipped) {
    for (const std::string& bytes : ShippedRecords(name)) {
      auto record = events::VerifyRecord(bytes);
      REQUIRE(record.ok());
      Status s = ref.ApplyRecord(**record);
      INFO(name << ": " << s.ToString());
      REQUIRE(s.ok());
    }
  }
}

// A ReferenceDataUpdated body built directly, for documents the tests make up.
struct Update {
  flatbuffers::FlatBufferBuilder fbb;
  Update(const char* table, uint32_t version, const std::string& content) {
    fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, table, version, content.c_str()));
  }
  const fb::ReferenceDataUpdated& operator*() const {
    return *flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer());
  }
};

constexpr const char* kRoot =
    R"({"id":"nj.awb","name_zh":"安委办","name_en":"Office","level":"city","district":"",)"
    R"("jurisdiction":"","parent":"","head":"nj.awb.head","kind":"safety_office"})";

std::string Departments(const std::string& second) {
  return std::string(R"({"items":[)") + kRoot + "," + second + "]}";
}

TEST_CASE("every shipped reference record decodes, may be published, and applies") {
  for (const char* name : kShipped) {
    for (const std::string& bytes : ShippedRecords(name)) {
      auto record = events::VerifyRecord(bytes);
      REQUIRE(record.ok());
      auto errors = events::ValidateIngress(**record);
      INFO(name << ": " << (errors.empty() ? "" : errors[0].field + ": " + errors[0].message));
      CHECK(errors.empty());
      CHECK(bytes.size() < events::JsonCodec::kMaxJsonBytes);
    }
  }
  ReferenceData ref;
  ApplyShipped(ref);
  for (std::string_view table : ReferenceData::TableNames()) CHECK(ref.Version(table) == 1);
  CHECK(ref.Version("hazard_routing") == 1);
  CHECK(ref.hazard_classes().size() == 16);
  std::vector<std::string> problems = ref.CheckConsistency();
  CHECK_MESSAGE(problems.empty(), (problems.empty() ? "" : problems.front()));
}

TEST_CASE("every routing row names departments that exist") {
  ReferenceData ref;
  ApplyShipped(ref);
  const RoutingTable* table = ref.Routing("hazard_routing");
  REQUIRE(table != nullptr);
  CHECK(table->rows().size() > 100);
  CHECK(ref.FindDepartment(table->fallback()) != nullptr);
  for (const RoutingRow& row : table->rows()) {
    INFO(row.rule);
    CHECK(ref.FindDepartment(row.lead) != nullptr);
    for (const std::string& a : row.assist) CHECK(ref.FindDepartment(a) != nullptr);
  }
}

TEST_CASE("every hazard class routes in every district to that district's unit or falls back") {
  ReferenceData ref;
  ApplyShipped(ref);
  const RoutingTable& table = *ref.Routing("hazard_routing");
  for (const auto& [category, hazard] : ref.hazard_classes()) {
    for (const char* district : kDistricts) {
      RouteResult r = table.Route({{"category", category}, {"district", district}});
      INFO(category << " in " << district << " -> " << r.lead << " (" << r.rule << ")");
      const Department* lead = ref.FindDepartment(r.lead);
      REQUIRE(lead != nullptr);
      CHECK(lead->district == district);
      if (r.rule.find("category=" + category) != std::string::npos) {
        CHECK(lead->kind == hazard.lead_kind);
      } else {
        // Classes without a row of their own ("other") go to the district's 安委办.
        CHECK(lead == ref.SafetyOffice(district));
      }
    }
  }
  CHECK(table.Route({{"category", "gas"}, {"district", "xuanwu"}}).lead == "nj.xuanwu.cgj");
  CHECK(table.Route({{"category", "gas"}, {"district", "xuanwu"}}).rule ==
        "rows[1]: category=gas district=xuanwu");
  CHECK(table.Route({{"category", "other"}, {"district", "liuhe"}}).lead == "nj.liuhe.awb");
  RouteResult nowhere = table.Route({{"category", "gas"}, {"district", "atlantis"}});
  CHECK(nowhere.lead == "nj.awb");
  CHECK(nowhere.rule == "fallback");
}

TEST_CASE("department parents form a tree ending at city-level roots") {
  ReferenceData ref;
  ApplyShipped(ref);
  std::set<std::string> roots;
  for (const auto& [id, d] : ref.departments()) {
    const Department* cur = &d;
    size_t steps = 0;
    while (const Department* parent = ref.ParentOf(cur->id)) {
      REQUIRE(++steps <= ref.departments().size());
      cur = parent;
    }
    INFO(id << " ends at " << cur->id);
    CHECK(cur->parent.empty());
    CHECK(cur->level == DepartmentLevel::kCity);
    roots.insert(cur->id);
    CHECK(ref.HeadOf(id) == d.head);
    CHECK_FALSE(d.head.empty());
  }
  CHECK(roots == std::set<std::string>{"nj.awb", "nj.jw"});
  for (const char* district : kDistricts) {
    REQUIRE(ref.SafetyOffice(district) != nullptr);
    REQUIRE(ref.DisciplineCommission(district) != nullptr);
    CHECK(ref.ParentOf(ref.DisciplineCommission(district)->id)->id == "nj.jw");
  }
  CHECK(ref.SafetyOffice("")->id == "nj.awb");
  CHECK(ref.ParentOf("nj.xuanwu.emb")->id == "nj.xuanwu.awb");
  CHECK(ref.ParentOf("nj.xuanwu.fire")->id == "nj.fire");  // fire rescue is led vertically
}

TEST_CASE("every enterprise lies on a grid of its own district") {
  ReferenceData ref;
  ApplyShipped(ref);
  auto all = ref.FindEnterprises({});
  CHECK(all.size() >= 300);
  for (const Enterprise* e : all) {
    const Jurisdiction* grid = ref.FindJurisdiction(e->jurisdiction);
    INFO(e->id << " on " << e->jurisdiction);
    REQUIRE(grid != nullptr);
    CHECK(grid->level == JurisdictionLevel::kGrid);
    CHECK(e->jurisdiction.rfind(e->district + ".", 0) == 0);
  }
}

TEST_CASE("the park's chemical enterprises carry the seed's 331 major hazard sources") {
  ReferenceData ref;
  ApplyShipped(ref);
  EnterpriseFilter park;
  park.jurisdiction = "liuhe";
  park.industry = "chemical";
  auto chemical = ref.FindEnterprises(park);
  CHECK(chemical.size() == 57);
  size_t sources = 0;
  for (const Enterprise* e : chemical) {
    sources += e->risk_sources.size();
    CHECK(e->key_enterprise);
  }
  CHECK(sources == 331);
}

TEST_CASE("a bad document names the bad field and leaves the previous version in place") {
  ReferenceData ref;
  ApplyShipped(ref);
  struct Case {
    std::string content;
    std::string message;
  };
  const std::string kXuanwu =
      R"({"id":"nj.x","name_zh":"x","name_en":"x","level":"%L","district":"xuanwu",)"
      R"("jurisdiction":"xuanwu","parent":"%P","head":"h","kind":"fire_rescue"%X})";
  auto item = [&](std::string level, std::string parent, std::string extra) {
    std::string s = kXuanwu;
    s.replace(s.find("%L"), 2, level);
    s.replace(s.find("%P"), 2, parent);
    s.replace(s.find("%X"), 2, extra);
    return Departments(s);
  };
  // A city unit under a district unit: escalation would go down.
  std::string below = item("district", "nj.awb", "");
  below.insert(below.size() - 2, R"(,{"id":"nj.y","name_zh":"y","name_en":"y","level":"city",)"
                                 R"("district":"","jurisdiction":"","parent":"nj.x","head":"h",)"
                                 R"("kind":"transport"})");
  const Case cases[] = {
      {item("province", "nj.awb", ""), "departments v2: content_json.items[1].level: 'province'"},
      {item("district", "nj.awb", R"(,"colour":"red")"), "content_json.items[1].colour: unknown"},
      {item("district", "nj.nowhere", ""), "items[id=nj.x].parent: unknown department"},
      {item("district", "nj.x", ""), "items[id=nj.x].parent: the parent chain loops"},
      {R"({"items":[{"id":1}]})", "content_json.items[0].id: must be a string"},
      {R"({"items":)", "content_json: not JSON"},
      {Departments(kRoot), "content_json.items: 'nj.awb' appears twice"},
      {below, "items[id=nj.y].parent: 'nj.x' is below this unit's level"},
  };
  for (const Case& c : cases) {
    Status s = ref.Apply(*Update("departments", 2, c.content));
    INFO(s.ToString());
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message().find(c.message) != std::string::npos);
    CHECK(ref.Version("departments") == 1);
    CHECK(ref.FindDepartment("nj.xuanwu.emb") != nullptr);
    CHECK(ref.FindDepartment("nj.x") == nullptr);
  }
  // The same document made good takes effect.
  REQUIRE(ref.Apply(*Update("departments", 2, item("district", "nj.awb", ""))).ok());
  CHECK(ref.Version("departments") == 2);
  CHECK(ref.FindDepartment("nj.x") != nullptr);
  CHECK(ref.FindDepartment("nj.xuanwu.emb") == nullptr);  // a version replaces the whole table
}

TEST_CASE("a document deeper or larger than the limits is refused before it is parsed") {
  ReferenceData ref;
  ApplyShipped(ref);
  std::string deep = R"({"items":[{"id":)" + std::string(100000, '[') + "}]}";
  Status s = ref.Apply(*Update("departments", 2, deep));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("content_json: not JSON: 1:30: nesting deeper than 16 levels") !=
        std::string::npos);
  std::string big = Departments(R"({"id":")" + std::string(kMaxDocumentBytes, 'x') + R"("})");
  s = ref.Apply(*Update("departments", 2, big));
  CHECK(s.message().find("the limit is 1048576") != std::string::npos);
  // Lenient syntax is refused too: the document is JSON as docs/reference-data.md says.
  s = ref.Apply(*Update("departments", 2, Departments(kRoot).insert(1, "/* c */")));
  CHECK(s.message().find("1:2: a comment is not JSON") != std::string::npos);
  CHECK(ref.Version("departments") == 1);
}

TEST_CASE("a stale version is refused and an unknown table is named") {
  ReferenceData ref;
  ApplyShipped(ref);
  Status stale = ref.Apply(*Update("departments", 1, std::string(R"({"items":[)") + kRoot + "]}"));
  CHECK(stale.code() == Code::kFailedPrecondition);
  Status unknown = ref.Apply(*Update("bridges", 1, R"({"items":[]})"));
  CHECK(unknown.code() == Code::kNotFound);
  CHECK(unknown.message().find("'bridges'") != std::string::npos);
}

std::string EnterpriseItem(const std::string& id, const std::string& sensor_id) {
  return R"({"id":")" + id +
         R"(","name_zh":"企业","name_en":"E","district":"liuhe","jurisdiction":"liuhe.changlu.g08",)"
         R"("industry":"chemical","scale":"small","risk_colour":"red","key_enterprise":true,)"
         R"("safety_officers":3,"location":{"lat":32.25,"lon":118.79},"hazard_classes":[],)"
         R"("risk_sources":[{"id":"RS-)" +
         id +
         R"(","name_zh":"罐区","name_en":"Tanks",)"
         R"("kind":"tank_farm","grade":2,"chemicals":["ammonia"],"sensors":[{"id":")" +
         sensor_id +
         R"(","measure":"liquid_level","unit":"%","low_alarm":10,"warning":80,"alarm":85,)"
         R"("critical":90}]}]})";
}

std::string Part(int part, int parts, const std::string& item) {
  return R"({"part":)" + std::to_string(part) + R"(,"parts":)" + std::to_string(parts) +
         R"(,"items":[)" + item + "]}";
}

TEST_CASE("the parts of a table version take effect together when the last one arrives") {
  ReferenceData ref;
  ApplyShipped(ref);
  Status first = ref.Apply(*Update("enterprises", 2, Part(2, 2, EnterpriseItem("B", "S-B"))));
  INFO(first.ToString());
  REQUIRE(first.ok());
  CHECK(ref.Version("enterprises") == 1);  // still the shipped version
  CHECK(ref.FindEnterprise("ENT-00001") != nullptr);
  CHECK(ref.FindEnterprise("B") == nullptr);
  // A repeated part, a disagreeing part count and a bad part are refused; the rest waits.
  CHECK(ref.Apply(*Update("enterprises", 2, Part(2, 2, EnterpriseItem("B", "S-B")))).code() ==
        Code::kAlreadyExists);
  CHECK(ref.Apply(*Update("enterprises", 2, Part(1, 3, EnterpriseItem("A", "S-A")))).code() ==
        Code::kInvalidArgument);
  Status bad = ref.Apply(*Update(
      "enterprises", 2, Part(1, 2, EnterpriseItem("A", "S-A").replace(1, 0, R"("bogus":1,)"))));
  CHECK(bad.message().find("content_json.items[0].bogus: unknown field") != std::string::npos);
  // Parts are checked together too: a sensor id used in both parts is refused.
  Status dup = ref.Apply(*Update("enterprises", 2, Part(1, 2, EnterpriseItem("A", "S-B"))));
  CHECK(dup.message().find("sensor 'S-B' appears twice") != std::string::npos);
  CHECK(ref.Version("enterprises") == 1);
  REQUIRE(ref.Apply(*Update("enterprises", 2, Part(1, 2, EnterpriseItem("A", "S-A")))).ok());
  CHECK(ref.Version("enterprises") == 2);
  CHECK(ref.FindEnterprises({}).size() == 2);
  CHECK(ref.FindEnterprise("ENT-00001") == nullptr);
  REQUIRE(ref.FindEnterprise("A") != nullptr);
  CHECK(ref.FindEnterprise("A")->risk_sources.at(0).sensors.at(0).id == "S-A");
}

TEST_CASE("older routing versions stay answerable after an update, for tickets routed on them") {
  ReferenceData ref;
  ApplyShipped(ref);
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Attr>> match = {fb::CreateAttrDirect(fbb, "category", "gas")};
  auto row = fb::CreateRoutingRowDirect(fbb, &match, "nj.cgj");
  std::vector<flatbuffers::Offset<fb::RoutingRow>> rows = {row};
  fbb.Finish(fb::CreateRoutingTableUpdatedDirect(fbb, "hazard_routing", 2, &rows, "nj.awb"));
  REQUIRE(ref.Apply(*flatbuffers::GetRoot<fb::RoutingTableUpdated>(fbb.GetBufferPointer())).ok());
  CHECK(ref.Version("hazard_routing") == 2);
  CHECK(ref.Routing("hazard_routing")->Route({{"category", "gas"}, {"district", "xuanwu"}}).lead ==
        "nj.cgj");
  CHECK(ref.Routing("hazard_routing")->Route({{"category", "gas"}, {"district", "xuanwu"}}).rule ==
        "rows[0]: category=gas");
  CHECK(
      ref.Routing("hazard_routing")->Route({{"category", "flood"}, {"district", "xuanwu"}}).rule ==
      "fallback");
  REQUIRE(ref.Routing("hazard_routing", 1) != nullptr);
  CHECK(
      ref.Routing("hazard_routing", 1)->Route({{"category", "gas"}, {"district", "xuanwu"}}).lead ==
      "nj.xuanwu.cgj");
  // Re-publishing version 2 is refused; version 1 is not touched.
  CHECK(ref.Apply(*flatbuffers::GetRoot<fb::RoutingTableUpdated>(fbb.GetBufferPointer())).code() ==
        Code::kFailedPrecondition);
}

TEST_CASE("the shipped sensors classify readings against their thresholds") {
  ReferenceData ref;
  ApplyShipped(ref);
  const Enterprise* e = ref.FindEnterprise("ENT-00001");
  REQUIRE(e != nullptr);
  REQUIRE(!e->risk_sources.empty());
  CHECK(e->risk_sources[0].id == "RS-0001");
  REQUIRE(!e->risk_sources[0].sensors.empty());
  const Sensor& s = e->risk_sources[0].sensors[0];
  CHECK(s.id == "RS-0001-TE01");
  CHECK(s.measure == fb::Measure::temperature);
  CHECK(s.Classify(s.warning - 1) == fb::AlarmLevel::none);
  CHECK(s.Classify(s.warning) == fb::AlarmLevel::warning);
  CHECK(s.Classify(s.alarm) == fb::AlarmLevel::alarm);
  CHECK(s.Classify(s.critical + 1) == fb::AlarmLevel::critical);
  // Every park risk source has sensors, each id once in the whole table.
  std::set<std::string> ids;
  for (const Enterprise* x : ref.FindEnterprises({})) {
    for (const RiskSource& rs : x->risk_sources) {
      for (const Sensor& sensor : rs.sensors) CHECK(ids.insert(sensor.id).second);
    }
  }
  CHECK(ids.size() > 331);
}

TEST_CASE("experts, teams and depots come nearest first, and only the qualified ones") {
  ReferenceData ref;
  ApplyShipped(ref);
  const GeoPoint park{32.25, 118.79};
  auto experts = ref.ExpertsBySpeciality("chemical_process", park);
  REQUIRE(experts.size() >= 3);
  for (size_t i = 0; i < experts.size(); ++i) {
    const auto& sp = experts[i].item->specialities;
    CHECK(std::find(sp.begin(), sp.end(), "chemical_process") != sp.end());
    CHECK(experts[i].metres == DistanceMetres(park, experts[i].item->location));
    if (i > 0) CHECK(experts[i - 1].metres <= experts[i].metres);
  }
  CHECK(ref.ExpertsBySpeciality("astrology", park).empty());
  auto teams = ref.TeamsFor("hazardous_chemical_leak", park);
  REQUIRE_FALSE(teams.empty());
  CHECK(teams.front().item->district == "liuhe");
  CHECK(teams.front().metres < 10000);
  auto depots = ref.DepotsWith("foam_concentrate", park);
  REQUIRE_FALSE(depots.empty());
  CHECK(depots.front().item->name_zh.find("江北新材料科技园") != std::string::npos);
  // About 2.6 km between Xinjiekou and Gulou, by the great-circle formula.
  int64_t d = DistanceMetres({32.0415, 118.7840}, {32.0603, 118.7663});
  CHECK(d > 2500);
  CHECK(d < 2800);
}

TEST_CASE("the plan for an incident prefers the district's own plan, then the city's") {
  ReferenceData ref;
  ApplyShipped(ref);
  CHECK(ref.PlanFor("hazardous_chemical_leak", fb::IncidentLevel::general, "liuhe")->id ==
        "PLAN-LIUHE-03");
  CHECK(ref.PlanFor("hazardous_chemical_leak", fb::IncidentLevel::general, "xuanwu")->id ==
        "PLAN-XUANWU-01");
  CHECK(ref.PlanFor("hazardous_chemical_leak", fb::IncidentLevel::major, "liuhe")->id ==
        "PLAN-NJ-01");
  CHECK(ref.PlanFor("crowd_incident", fb::IncidentLevel::general, "gulou")->id == "PLAN-NJ-00");
  CHECK(ref.PlanFor("meteor", fb::IncidentLevel::general, "gulou") == nullptr);
}

TEST_CASE("an enterprise filter selects the key enterprises of a street for periodic duties") {
  ReferenceData ref;
  ApplyShipped(ref);
  EnterpriseFilter f;
  f.jurisdiction = "liuhe.changlu";
  f.key_only = true;
  f.colours = {RiskColour::kRed};
  auto found = ref.FindEnterprises(f);
  REQUIRE_FALSE(found.empty());
  for (size_t i = 0; i < found.size(); ++i) {
    CHECK(found[i]->jurisdiction.rfind("liuhe.changlu.", 0) == 0);
    CHECK(found[i]->risk_colour == RiskColour::kRed);
    if (i > 0) CHECK(found[i - 1]->id < found[i]->id);
  }
  f.jurisdiction = "liuhe.chang";  // a prefix that is not a whole segment matches nothing
  CHECK(ref.FindEnterprises(f).empty());
}

}  // namespace
}  // namespace closeloop::engine
