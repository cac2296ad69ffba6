// Loop 3's one-step dispatch on the shipped city: teams committed until released, depots'
// stock drawn and shown short, road or straight-line distances, and the experts: who may be
// drawn, their answers and the replacement of one who declines (incident_response.wf,
// engine/dispatch.h, engine/resource_ledger.h).
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "engine/reference_data.h"
#include "events/partition.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using nlohmann::json;

json Find(const std::string& table, const std::string& id) {
  for (auto& i : Items(table)) {
    if (i["id"] == id) return i;
  }
  FAIL("no " << id << " in " << table);
  return {};
}

engine::GeoPoint At(const json& item) {
  return {item["location"]["lat"].get<double>(), item["location"]["lon"].get<double>()};
}

json Body(const std::string& record) { return json::parse(record)["body"]; }

std::vector<std::string> Strings(const json& a) {
  std::vector<std::string> out;
  if (a.is_array())
    for (auto& s : a) out.push_back(s.get<std::string>());
  return out;
}

// A chemical leak reported at an enterprise, signed for and dispatched to by the district's
// command centre: the ticket.
Ticket LeakDispatched(City& c, const std::string& enterprise,
                      const std::string& level = "general") {
  json e = Find("enterprises", enterprise);
  c.Incident(enterprise, e["jurisdiction"], "hazardous_chemical_leak", level);
  Ticket inc;
  for (const auto& t : c.Of("incident_response")) {
    if (t.subject == enterprise) inc = t;
  }
  REQUIRE(!inc.id.empty());
  c.Act(inc, "sign_for", "commander", inc.lead);
  c.Act(inc.id, "dispatch", "commander", inc.lead);
  return c.Get(inc.id);
}

json LastDispatch(City& c, const std::string& id) {
  auto sent = c.RecordsAbout("ResourcesDispatched", id);
  REQUIRE(!sent.empty());
  return Body(sent.back());
}

json LastRejection(City& c, const std::string& id) {
  auto rej = c.RecordsAbout("CommandRejected", id);
  REQUIRE(!rej.empty());
  return Body(rej.back());
}

std::string Fields(const std::string& expert, const std::string& answer,
                   const std::string& reason = "") {
  std::string out = R"("fields": [{"key": "expert", "value": ")" + expert +
                    R"("}, {"key": "answer", "value": ")" + answer + R"("}])";
  if (!reason.empty()) out += R"(, "reason": ")" + reason + R"(")";
  return out;
}

// The park plant nearest ENT-00002 whose incidents another partition decides: what the
// first incident holds reaches it only through the ledger's copies.
std::string NeighbourElsewhere(uint32_t partitions) {
  json plant = Find("enterprises", "ENT-00002");
  std::string best;
  int64_t best_m = INT64_MAX;
  for (auto& e : Items("enterprises")) {
    std::string id = e["id"];
    if (e["park"] != "jiangbei_new_materials" || id == "ENT-00002") continue;
    if (events::PartitionForKey(id, partitions) == events::PartitionForKey("ENT-00002", partitions))
      continue;
    int64_t m = engine::DistanceMetres(At(plant), At(e));
    if (m < best_m) best = id, best_m = m;
  }
  REQUIRE(!best.empty());
  return best;
}

TEST_CASE(
    "a team sent to one plant's leak is not sent to the next leak until the first stands "
    "down") {
  City c(Shanghai(2026, 3, 2, 14));
  Ticket first = LeakDispatched(c, "ENT-00002");
  json d1 = LastDispatch(c, first.id);
  auto held = Strings(d1["teams"]);
  REQUIRE(held.size() == 2);  // the park plan's hazmat and fire-rescue teams

  // Next door, a second leak half an hour later.
  c.AdvanceTo(Shanghai(2026, 3, 2, 14, 30), 10 * 60 * 1000);
  std::string neighbour = NeighbourElsewhere(c.h.partitions());
  Ticket second = LeakDispatched(c, neighbour);
  json d2 = LastDispatch(c, second.id);
  for (const auto& t : Strings(d2["teams"])) CHECK(!Has(held, t));
  std::vector<std::string> committed;
  for (auto& p : d2["passed_over"]) {
    if (p["reason"] == "committed" && p["id"].get<std::string>().rfind("TEAM-", 0) == 0) {
      CHECK(p["holder"] == first.id);
      committed.push_back(p["id"]);
    }
  }
  REQUIRE(!committed.empty());  // the park's own teams are the nearest to both plants
  for (const auto& t : committed) CHECK(Has(held, t));

  // The first incident stands down: its teams and experts are released on the record.
  c.Act(first.id, "arrive", "commander", first.lead);
  c.Act(first.id, "stand_down", "commander", first.lead);
  auto released = c.RecordsAbout("ResourcesReleased", first.id);
  REQUIRE(released.size() == 1);
  json r = Body(released[0]);
  auto teams = Strings(r["teams"]);
  std::sort(held.begin(), held.end());
  CHECK(teams == held);
  CHECK(Strings(r["experts"]).size() == d1["experts"].size());
  CHECK(r["reason"] == "stand_down");

  // Reinforcements for the second leak: the released teams are the nearest free ones again.
  c.Act(second.id, "dispatch", "commander", second.lead);
  json d3 = LastDispatch(c, second.id);
  for (const auto& t : committed) CHECK(Has(Strings(d3["teams"]), t));
}

TEST_CASE("the command centre releases one team early, and only what the incident holds") {
  City c(Shanghai(2026, 3, 2, 14));
  Ticket inc = LeakDispatched(c, "ENT-00002");
  json d = LastDispatch(c, inc.id);
  std::string team = d["teams"][0];
  c.Act(inc.id, "release", "commander", inc.lead,
        R"("fields": [{"key": "resource", "value": "TEAM-999"}], "reason": "not needed")");
  json rej = LastRejection(c, inc.id);
  CHECK(rej["field"] == "resource");
  CHECK(rej["message"] == "resource: TEAM-999 is not a team or expert this incident holds");
  c.Act(inc.id, "release", "commander", inc.lead, R"("reason": "")");
  CHECK(LastRejection(c, inc.id)["field"] == "reason");  // the verb asks for one

  c.Act(inc.id, "release", "commander", inc.lead,
        R"("fields": [{"key": "resource", "value": ")" + team +
            R"("}], "reason": "leak contained; the hazmat team returns to base")");
  auto released = c.RecordsAbout("ResourcesReleased", inc.id);
  REQUIRE(released.size() == 1);
  CHECK(Strings(Body(released[0])["teams"]) == std::vector<std::string>{team});
  CHECK(Strings(Body(released[0])["experts"]).empty());
  // Released, it is sent with the next dispatch again (the nearest free of its type).
  c.Act(inc.id, "dispatch", "commander", inc.lead);
  CHECK(Has(Strings(LastDispatch(c, inc.id)["teams"]), team));
}

TEST_CASE(
    "the park depot's suits run out: the rest comes from the next depot and what none has "
    "is shown short") {
  City c(Shanghai(2026, 3, 2, 14));
  // A recount: the park's hazmat depot holds 40 chemical suits, the city reserve 15.
  json doc = {{"items", Items("material_depots")}};
  std::string park_depot;
  for (auto& d : doc["items"]) {
    for (auto& i : d["items"]) {
      if (i["item"] != "chemical_suit") continue;
      bool park = d["name_zh"].get<std::string>().find("江北新材料科技园") != std::string::npos;
      i["quantity"] = park ? 40 : 15;
      if (park) park_depot = d["id"];
    }
  }
  REQUIRE(park_depot == "DEPOT-016");
  json rec = {
      {"source", "nanjing-ems-admin"},
      {"body_type", "ReferenceDataUpdated"},
      {"body", {{"table_name", "material_depots"}, {"version", 2}, {"content_json", doc.dump()}}}};
  c.h.Publish(rec.dump());

  Ticket inc = LeakDispatched(c, "ENT-00002");  // the park plan asks 30 suits per dispatch
  auto suits = [](const json& d) {
    std::vector<json> legs;
    for (auto& m : d["material_legs"])
      if (m["item"] == "chemical_suit") legs.push_back(m);
    return legs;
  };
  auto legs = suits(LastDispatch(c, inc.id));
  REQUIRE(legs.size() == 1);
  CHECK(legs[0]["depot"] == park_depot);
  CHECK(legs[0]["quantity"] == 30);
  CHECK(legs[0]["left"] == 10);
  CHECK(legs[0]["unit"] == "套");
  CHECK(legs[0]["stock_version"] == 2);

  c.Act(inc.id, "dispatch", "commander", inc.lead);  // reinforcements
  json d = LastDispatch(c, inc.id);
  legs = suits(d);
  REQUIRE(legs.size() == 2);
  CHECK(legs[0]["depot"] == park_depot);
  CHECK(legs[0]["quantity"] == 10);
  CHECK(!legs[0].contains("left"));        // none left: 0, the default, which JSON leaves out
  CHECK(legs[1]["depot"] == "DEPOT-001");  // the city reserve, the only other holder
  CHECK(legs[1]["quantity"] == 15);
  REQUIRE(d["shortages"].size() == 1);
  CHECK(d["shortages"][0]["item"] == "chemical_suit");
  CHECK(d["shortages"][0]["requested"] == 30);
  CHECK(d["shortages"][0]["missing"] == 5);

  c.Act(inc.id, "dispatch", "commander", inc.lead);
  d = LastDispatch(c, inc.id);
  CHECK(suits(d).empty());
  CHECK(d["shortages"][0]["missing"] == 30);
  bool noted = false;
  for (auto& p : d["passed_over"])
    noted = noted || (p["id"] == park_depot + "/chemical_suit" && p["reason"] == "no_stock");
  CHECK(noted);

  // Restocked and counted again (version 3): the count stands as published.
  rec["body"]["version"] = 3;
  c.h.Publish(rec.dump());
  c.Act(inc.id, "dispatch", "commander", inc.lead);
  legs = suits(LastDispatch(c, inc.id));
  REQUIRE(legs.size() == 1);
  CHECK(legs[0]["left"] == 10);
}

TEST_CASE(
    "a distance is the road's where the city's data has it, else the straight line, and the "
    "record says which") {
  City c(Shanghai(2026, 3, 2, 14));
  // In the chemical park the GIS's road distances are loaded.
  Ticket inc = LeakDispatched(c, "ENT-00002");
  json d = LastDispatch(c, inc.id);
  REQUIRE(d["team_legs"].size() == 2);
  for (auto& leg : d["team_legs"]) {
    json team = Find("rescue_teams", leg["team"]);
    CHECK(leg["distance"] == "road");
    CHECK(leg["metres"] == team["road_metres"]["ENT-00002"]);
  }
  CHECK(d["located"] == true);

  // A fire at an enterprise outside the park: no road distances, the straight line.
  json outside;
  for (auto& e : Items("enterprises")) {
    if (e.value("park", "") == "" && e["district"] == "xuanwu") {
      outside = e;
      break;
    }
  }
  REQUIRE(!outside.is_null());
  c.Incident(outside["id"], outside["jurisdiction"], "fire", "general");
  Ticket fire;
  for (const auto& t : c.Of("incident_response"))
    if (t.subject == outside["id"]) fire = t;
  c.Act(fire, "sign_for", "commander", fire.lead);
  c.Act(fire.id, "dispatch", "commander", fire.lead);
  json f = LastDispatch(c, fire.id);
  REQUIRE(!f["team_legs"].empty());
  for (auto& leg : f["team_legs"]) {
    json team = Find("rescue_teams", leg["team"]);
    CHECK(leg["distance"] == "straight_line");
    CHECK(leg["metres"] == engine::DistanceMetres(At(outside), At(team)));
  }
}

TEST_CASE(
    "experts employed by the plant, in conflict with it, or away are not drawn, and the "
    "record says why") {
  City c(Shanghai(2026, 3, 2, 14));
  Ticket inc = LeakDispatched(c, "ENT-00002");
  json d = LastDispatch(c, inc.id);
  const int64_t now = Shanghai(2026, 3, 2, 14);
  // Each reason against the experts table, independently of the engine.
  auto why = [&](const json& e) -> std::string {
    if (e.value("employer_enterprise", "") == "ENT-00002") return "employer";
    for (auto& x : e.value("conflicts", json::array()))
      if (x == "ENT-00002") return "conflict";
    for (auto& a : e.value("unavailable", json::array())) {
      if (*ParseTime(a["from"].get<std::string>()) <= now &&
          now < *ParseTime(a["to"].get<std::string>()))
        return a["kind"] == "leave" ? "on_leave" : "off_duty";
    }
    return "";
  };
  std::map<std::string, std::string> passed;
  for (auto& p : d["passed_over"]) {
    std::string id = p["id"];
    if (id.rfind("EXP-", 0) == 0) passed[id] = p["reason"];
  }
  CHECK(passed["EXP-0023"] == "employer");  // the plant's own engineer, at the plant
  for (const auto& [id, reason] : passed) CHECK(why(Find("experts", id)) == reason);
  REQUIRE(d["experts"].size() == 2);
  for (auto& e : d["qualified"]) CHECK(why(Find("experts", e)).empty());
  for (auto& e : d["experts"]) CHECK(Has(Strings(d["qualified"]), e.get<std::string>()));
}

TEST_CASE(
    "an expert who declines is replaced at once by a new draw, recorded with its seed; one "
    "who accepts is noted") {
  City c(Shanghai(2026, 3, 2, 14));
  Ticket inc = LeakDispatched(c, "ENT-00002");
  json d = LastDispatch(c, inc.id);
  auto drawn = Strings(d["experts"]);
  REQUIRE(drawn.size() == 2);

  // Refused: a decline without a reason, an expert not sent here, an expert answering for
  // another.
  c.Act(inc.id, "expert_answer", "commander", inc.lead, Fields(drawn[0], "decline"));
  CHECK(LastRejection(c, inc.id)["field"] == "reason");
  c.Act(inc.id, "expert_answer", "commander", inc.lead, Fields("EXP-0150", "accept"));
  CHECK(LastRejection(c, inc.id)["field"] == "expert");
  c.h.Act(inc.id, "expert_answer", drawn[1], "expert", "", Fields(drawn[0], "accept"));
  CHECK(LastRejection(c, inc.id)["message"] ==
        "expert: " + drawn[1] + " may answer only for themselves, not for " + drawn[0]);
  CHECK(c.RecordsAbout("ExpertAnswered", inc.id).empty());

  // The first expert is abroad: the command centre records the decline for them.
  c.Act(inc.id, "expert_answer", "commander", inc.lead,
        Fields(drawn[0], "decline", "在外地出差，无法到场"));
  auto answers = c.RecordsAbout("ExpertAnswered", inc.id);
  REQUIRE(answers.size() == 1);
  json a = Body(answers[0]);
  CHECK(a["expert"] == drawn[0]);
  CHECK(a.value("accepted", false) == false);
  CHECK(a["reason"] == "在外地出差，无法到场");
  std::string replacement = a["replacement"];
  CHECK(!replacement.empty());
  CHECK(!Has(drawn, replacement));
  CHECK(Has(Strings(a["qualified"]), replacement));
  CHECK(!Has(Strings(a["qualified"]), drawn[0]));
  CHECK(a["seed"].get<uint64_t>() != 0);

  // The second expert accepts, in their own name (their user id is their expert id).
  c.h.Act(inc.id, "expert_answer", drawn[1], "expert", "", Fields(drawn[1], "accept"));
  answers = c.RecordsAbout("ExpertAnswered", inc.id);
  REQUIRE(answers.size() == 2);
  CHECK(Body(answers[1])["accepted"] == true);
  CHECK(Body(answers[1])["expert"] == drawn[1]);

  // Who declined is neither asked again nor drawn for this incident's reinforcements.
  c.Act(inc.id, "expert_answer", "commander", inc.lead, Fields(drawn[0], "accept"));
  CHECK(LastRejection(c, inc.id)["message"] ==
        "expert: " + drawn[0] + " already declined this incident");
  c.Act(inc.id, "dispatch", "commander", inc.lead);
  json more = LastDispatch(c, inc.id);
  CHECK(!Has(Strings(more["experts"]), drawn[0]));
  CHECK(!Has(Strings(more["experts"]), replacement));  // already here
  CHECK(!Has(Strings(more["experts"]), drawn[1]));

  // Standing down releases the replacement with the others.
  c.Act(inc.id, "arrive", "commander", inc.lead);
  c.Act(inc.id, "stand_down", "commander", inc.lead);
  auto released = c.RecordsAbout("ResourcesReleased", inc.id);
  REQUIRE(released.size() == 1);
  auto experts = Strings(Body(released[0])["experts"]);
  CHECK(Has(experts, replacement));
  CHECK(Has(experts, drawn[1]));
  CHECK(!Has(experts, drawn[0]));
}

}  // namespace
}  // namespace closeloop::workflows
