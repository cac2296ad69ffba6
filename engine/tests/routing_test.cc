// Routing on a city's own keys, and the tables and workflows that could never route, refused
// when they are published (not a silent fallback when a ticket opens).
#include <doctest/doctest.h>

#include <set>

#include "engine/testing/harness.h"

namespace closeloop::engine {
namespace {

using testing::Harness;
using testing::Shanghai;

// A workflow routing by a table keyed on the place's sector (a city's own column), as a
// video-AI order would go to the department of the place's sector.
constexpr const char* kSectorWorkflow = R"(workflow site_order version 1 loop prevention
uses table sector_routing keys (sector, district)
fact sector: string
start on HazardReport
  set category = event.category, sector = event.attrs["sector"]
  enter open
route by sector_routing (sector = sector, district = district(jurisdiction)) fallback "nj.awb"
state open
  on resolve by assignee -> done
state done terminal
)";

constexpr const char* kSectorTable =
    R"({"source": "admin","body_type": "RoutingTableUpdated","body": {"table_name": "sector_routing",)"
    R"("version": 1,"fallback": "nj.awb","rows": [)"
    R"({"match": [{"key": "sector","value": "construction"},{"key": "district","value": "liuhe"}],)"
    R"("lead": "nj.liuhe.housing"},)"
    R"({"match": [{"key": "sector","value": "construction"}],"lead": "nj.housing"}]}})";

std::string SiteReport(Harness& h, const std::string& district, const std::string& sector) {
  return h.Publish(R"({"source": "video-ai","subject": "SITE-1","jurisdiction": ")" + district +
                   R"(.getang.g02","occurred_at": )" + std::to_string(h.now()) +
                   R"(,"body_type": "HazardReport","body": {"category": "construction",)"
                   R"("severity": "general","attrs": [{"key": "sector","value": ")" +
                   sector + R"("}]}})");
}

struct City {
  Harness h;
  City() {
    h.Clock(Shanghai(2026, 3, 2, 9));
    h.PublishFile("workflows/reference/calendars.jsonl");
    h.PublishFile("workflows/reference/departments.jsonl");
  }
  std::string LastRefusal() const {
    auto all = h.RecordsOfType("CommandRejected");
    return all.empty() ? "" : all.back();
  }
};

TEST_CASE(
    "a table keyed on the place's sector routes a construction site to housing and construction") {
  City c;
  c.h.Publish(kSectorTable);
  c.h.Deploy("site_order", kSectorWorkflow);
  CHECK(c.LastRefusal().empty());
  SiteReport(c.h, "liuhe", "construction");
  auto tickets = c.h.TicketsOf("site_order");
  REQUIRE(tickets.size() == 1);
  CHECK(tickets[0].lead == "nj.liuhe.housing");
  // The more specific row (sector and district) won over the city-wide one.
  auto routed = c.h.RecordsOfType("TicketRouted");
  REQUIRE(!routed.empty());
  CHECK(routed.back().find("rows[0]: district=liuhe sector=construction (version 1)") !=
        std::string::npos);
  // Another district: the city-wide row of the sector.
  SiteReport(c.h, "xuanwu", "construction");
  // No row for the sector at all: the workflow's fallback, said so in the record.
  SiteReport(c.h, "xuanwu", "chemicals");
  std::set<std::string> leads;
  for (const Ticket& t : c.h.TicketsOf("site_order")) leads.insert(t.lead);
  CHECK(leads == std::set<std::string>{"nj.liuhe.housing", "nj.housing", "nj.awb"});
}

TEST_CASE("a routing table on a column the workflow does not give is refused, with the reason") {
  City c;
  c.h.Deploy("site_order", kSectorWorkflow);
  c.h.Publish(kSectorTable);
  REQUIRE(c.LastRefusal().empty());
  // Version 2 matches on "street", which site_order does not give: every row naming it
  // could never match, so the table is refused and version 1 stays in effect.
  c.h.Publish(
      R"({"source": "admin","body_type": "RoutingTableUpdated","body": {"table_name": "sector_routing",)"
      R"("version": 2,"fallback": "nj.awb","rows": [)"
      R"({"match": [{"key": "street","value": "getang"}],"lead": "nj.liuhe.awb"}]}})");
  std::string refusal = c.LastRefusal();
  CHECK(refusal.find("matches on 'street'") != std::string::npos);
  CHECK(refusal.find("site_order v1 does not give (it routes by sector, district)") !=
        std::string::npos);
  SiteReport(c.h, "liuhe", "construction");
  REQUIRE(c.h.TicketsOf("site_order").size() == 1);
  CHECK(c.h.TicketsOf("site_order")[0].lead == "nj.liuhe.housing");  // by version 1
}

TEST_CASE("a workflow that does not give a column its routing table matches on is refused") {
  City c;
  c.h.Publish(kSectorTable);
  std::string narrow = kSectorWorkflow;
  narrow.replace(narrow.find("keys (sector, district)"), 23, "keys (district)");
  narrow.replace(narrow.find("(sector = sector, district"), 26, "(district");
  c.h.Deploy("site_order", narrow);
  CHECK(c.LastRefusal().find("matches on 'sector', which workflow site_order v1 does not give") !=
        std::string::npos);
  SiteReport(c.h, "liuhe", "construction");
  CHECK(c.h.TicketsOf("site_order").empty());  // not deployed: nothing opens
}

// A workflow whose fallback is a kind of department (no city's ids), in two versions.
std::string KindWorkflow(int version, const std::string& kind) {
  return "workflow kind_order version " + std::to_string(version) +
         " loop prevention\nuses table sector_routing keys (sector, district)\nfact sector: "
         "string\nstart on HazardReport\n  set category = event.category, sector = "
         "event.attrs[\"sector\"]\n  enter open\nroute by sector_routing (sector = sector, "
         "district = district(jurisdiction)) fallback kind \"" +
         kind + "\"\nstate open\n  on resolve by assignee -> done\nstate done terminal\n";
}

TEST_CASE(
    "a fallback kind leads at the city's department of that kind, and the departments table "
    "cannot take it away while any deployed version falls back to it") {
  City c;
  c.h.Publish(kSectorTable);
  c.h.Deploy("kind_order", KindWorkflow(1, "safety_office"));
  REQUIRE(c.LastRefusal().empty());
  // No row for the sector: the city-level safety-committee office of the departments.
  SiteReport(c.h, "xuanwu", "chemicals");
  auto tickets = c.h.TicketsOf("kind_order");
  REQUIRE(tickets.size() == 1);
  CHECK(tickets[0].lead == "nj.awb");
  // v2 falls back elsewhere; the open v1 ticket keeps its version, and with it its fallback.
  c.h.Deploy("kind_order", KindWorkflow(2, "emergency_management"));
  REQUIRE(c.LastRefusal().empty());
  // A whole new directory of one bureau: no city-level safety office in it.
  c.h.Publish(R"({"source": "admin","body_type": "ReferenceDataUpdated","body": {"table_name": )"
              R"("departments","version": 2,"content_json": "{\"items\":[{\"id\":\"nj.emb\",)"
              R"(\"name_zh\":\"应急管理局\",\"name_en\":\"Emergency Management Bureau\",)"
              R"(\"level\":\"city\",\"district\":\"\",\"jurisdiction\":\"\",\"parent\":\"\",)"
              R"(\"head\":\"nj.emb.head\",\"kind\":\"emergency_management\"}]}"}})");
  const std::string refusal = c.LastRefusal();
  CAPTURE(refusal);
  CHECK(refusal.find("kind_order v1 falls back to the city-level department of kind "
                     "'safety_office'") != std::string::npos);
  // Still in effect: a new v2 ticket without a row falls back to the bureau, v1's office stands.
  SiteReport(c.h, "gulou", "chemicals");
  std::set<std::string> leads;
  for (const Ticket& t : c.h.TicketsOf("kind_order")) leads.insert(t.lead);
  CHECK(leads.count("nj.emb") == 1);
}

TEST_CASE("a workflow falling back to a kind no department has is refused when deployed") {
  City c;
  c.h.Publish(kSectorTable);
  c.h.Deploy("kind_order", KindWorkflow(1, "harbour_master"));
  CHECK(c.LastRefusal().find("kind 'harbour_master', and the departments have none: publish a "
                             "departments table with one first") != std::string::npos);
  CHECK(c.h.TicketsOf("kind_order").empty());
}

constexpr const char* kStreetWorkflow = R"(workflow street_order version 1 loop prevention
start on HazardReport
  set category = event.category
  enter open
route to kind "street_office" fallback kind "safety_office"
state open
  on resolve by assignee -> done
state done terminal
)";

TEST_CASE(
    "route to kind takes the street's own department first, then the district's; with a "
    "fallback kind, the district's department of that kind before the city's") {
  City c;
  c.h.Deploy("street_order", kStreetWorkflow);
  REQUIRE(c.LastRefusal().empty());
  // Meiyuan Xincun street has its work-safety office: it leads.
  SiteReport(c.h, "xuanwu", "x");  // jurisdiction xuanwu.getang.g02: no such street in Xuanwu
  c.h.Publish(R"({"source": "grid-app","subject": "ADDR-1","jurisdiction": "xuanwu.meiyuan.g03",)"
              R"("occurred_at": )" +
              std::to_string(c.h.now()) +
              R"(,"body_type": "HazardReport","body": {"category": "fire_safety",)"
              R"("severity": "general"}})");
  std::set<std::string> leads;
  for (const Ticket& t : c.h.TicketsOf("street_order")) leads.insert(t.lead);
  // The street it names has no office (Getang is Liuhe's, not Xuanwu's): no street_office of
  // the district or the city either, so the fallback kind at the district: Xuanwu's office.
  CHECK(leads == std::set<std::string>{"nj.xuanwu.meiyuan.office", "nj.xuanwu.awb"});
  auto routed = c.h.RecordsOfType("TicketRouted");
  bool said = false;
  for (const auto& r : routed) {
    said = said || r.find(
                       "fallback: no department of kind street_office; kind safety_office "
                       "of xuanwu") != std::string::npos;
  }
  CHECK(said);
}

}  // namespace
}  // namespace closeloop::engine
