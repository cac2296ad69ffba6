// Loop 3, incident / response: incident_response.wf and the engine's one-step dispatch.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/reference_data.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using nlohmann::json;

engine::GeoPoint At(const json& item) {
  return {item["location"]["lat"].get<double>(), item["location"]["lon"].get<double>()};
}

json Body(const std::string& record) { return json::parse(record)["body"]; }

// An accident report with its figures as the regulation counts them (art. 3).
std::string Accident(City& c, const std::string& subject, int deaths, int serious_injuries,
                     double loss_yuan, const std::string& level = "general", int casualties = 0) {
  return c.h.Publish(
      R"({"source": "110-119-120","subject": ")" + subject +
      R"(","jurisdiction": "liuhe.changlu.g09","occurred_at": )" + std::to_string(c.h.now()) +
      R"(,"body_type": "IncidentReport","body": {"incident_type": "explosion","level": ")" + level +
      R"(","casualties": )" + std::to_string(casualties) + R"(,"deaths": )" +
      std::to_string(deaths) + R"(,"serious_injuries": )" + std::to_string(serious_injuries) +
      R"(,"direct_loss_yuan": )" + std::to_string(loss_yuan) + "}}");
}

Ticket Of(City& c, const std::string& subject) {
  for (const auto& t : c.Of("incident_response")) {
    if (t.subject == subject) return t;
  }
  FAIL("no incident about " << subject);
  return {};
}

TEST_CASE(
    "an accident is graded by deaths, serious injuries and direct loss at the regulation's "
    "thresholds, each figure on its own") {
  City c(Shanghai(2026, 3, 2, 14));
  struct Case {
    const char* subject;
    int deaths, injuries;
    double loss;
    const char* level;
    const char* severity;
  } cases[] = {
      {"ACC-01", 0, 1, 0, "general", "general"},  // one injured worker: general, not major
      {"ACC-02", 2, 9, 9999999, "general", "general"},
      {"ACC-03", 3, 0, 0, "large", "general"},  // "以上" includes the number: 3 deaths is 较大
      {"ACC-04", 0, 10, 0, "large", "general"},
      {"ACC-05", 0, 0, 10000000, "large", "general"},  // 1000万 yuan
      {"ACC-06", 9, 49, 49999999, "large", "general"},
      {"ACC-07", 10, 0, 0, "major", "major"},
      {"ACC-08", 0, 50, 0, "major", "major"},
      {"ACC-09", 0, 0, 50000000, "major", "major"},  // 5000万 yuan
      {"ACC-10", 29, 99, 99999999, "major", "major"},
      {"ACC-11", 30, 0, 0, "especially_major", "major"},
      {"ACC-12", 0, 100, 0, "especially_major", "major"},
      {"ACC-13", 0, 0, 100000000, "especially_major", "major"},  // 1亿 yuan
  };
  for (const auto& k : cases) Accident(c, k.subject, k.deaths, k.injuries, k.loss);
  for (const auto& k : cases) {
    CAPTURE(k.subject);
    Ticket t = Of(c, k.subject);
    CHECK(t.Fact("level").as_string() == k.level);
    CHECK(t.severity == k.severity);
    CHECK(t.Fact("deaths").as_int() == k.deaths);
    CHECK(t.Fact("serious_injuries").as_int() == k.injuries);
  }
  // An older report with casualties only (deaths and injuries together) is not graded by them.
  Accident(c, "ACC-14", 0, 0, 0, "general", 2);
  CHECK(Of(c, "ACC-14").Fact("level").as_string() == "general");
  CHECK(Of(c, "ACC-14").Fact("casualties").as_int() == 2);
  // The reporter's own higher level counts.
  Accident(c, "ACC-15", 0, 0, 0, "major");
  CHECK(Of(c, "ACC-15").Fact("level").as_string() == "major");
}

TEST_CASE("a follow-up report with more deaths raises the grade and it is never lowered") {
  City c(Shanghai(2026, 3, 2, 14));
  Accident(c, "ACC-20", 1, 2, 500000);
  Ticket inc = c.Only("incident_response");
  CHECK(inc.Fact("level").as_string() == "general");
  CHECK(inc.lead == "nj.liuhe.emb");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "arrive", "commander", "nj.liuhe.emb");
  c.AdvanceTo(Shanghai(2026, 3, 2, 14, 40), 10 * 60 * 1000);
  Accident(c, "ACC-20", 4, 2, 500000);  // 续报: 4 dead
  inc = c.Get(inc.id);
  CHECK(inc.Fact("level").as_string() == "large");
  CHECK(inc.Fact("deaths").as_int() == 4);
  CHECK(inc.lead == "nj.emb");  // 较大: the city's bureau takes the lead from the district's
  auto up = c.RecordsAbout("TicketEscalated", inc.id);
  REQUIRE(!up.empty());
  c.AdvanceTo(Shanghai(2026, 3, 2, 15, 10), 10 * 60 * 1000);
  Accident(c, "ACC-20", 12, 20, 30000000);
  inc = c.Get(inc.id);
  CHECK(inc.Fact("level").as_string() == "major");
  CHECK(inc.severity == "major");
  CHECK(inc.Fact("serious_injuries").as_int() == 20);
  // The major step: the head told and the parent department alerted.
  CHECK(c.RecordsAbout("TicketEscalated", inc.id).size() > up.size());
  c.AdvanceTo(Shanghai(2026, 3, 2, 15, 40), 10 * 60 * 1000);
  Accident(c, "ACC-20", 2, 1, 0);  // a report with lower figures
  CHECK(c.Get(inc.id).Fact("level").as_string() == "major");
}

TEST_CASE(
    "a chemical leak gets its plan, the nearest able teams and depots, and double-random experts "
    "from the qualified set") {
  City c(Shanghai(2026, 3, 2, 14));
  // General: the district leads (from 较大 up the city does, tested below).
  c.Incident("ENT-00002", "liuhe.changlu.g09", "hazardous_chemical_leak", "general");
  Ticket inc = c.Only("incident_response");
  CHECK(inc.lead == "nj.liuhe.emb");  // the district's command centre
  CHECK(inc.deadline_at == Shanghai(2026, 3, 2, 14, 15));
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  CHECK(c.Get(inc.id).state == "dispatched");
  auto sent = c.RecordsAbout("ResourcesDispatched", inc.id);
  REQUIRE(sent.size() == 1);
  json d = Body(sent[0]);
  CHECK(d["plan"] == "PLAN-LIUHE-03");  // Liuhe's chemical-leak plan for general and large

  // Independently of the engine: the plant's location and the nearest hazmat and fire teams
  // able to answer a chemical leak, by road where the GIS gives the distance (the park).
  engine::GeoPoint plant;
  for (auto& e : Items("enterprises")) {
    if (e["id"] == "ENT-00002") plant = At(e);
  }
  auto nearest_team = [&](const std::string& type) {
    std::string best;
    int64_t best_m = INT64_MAX;
    for (auto& t : Items("rescue_teams")) {
      if (t["type"] != type) continue;
      bool able = false;
      for (auto& cap : t["capabilities"]) able = able || cap == "hazardous_chemical_leak";
      int64_t m = t.contains("road_metres") && t["road_metres"].contains("ENT-00002")
                      ? t["road_metres"]["ENT-00002"].get<int64_t>()
                      : engine::DistanceMetres(plant, At(t));
      if (able && (m < best_m || (m == best_m && t["id"].get<std::string>() < best))) {
        best = t["id"];
        best_m = m;
      }
    }
    return best;
  };
  REQUIRE(d["teams"].size() == 2);
  CHECK(d["teams"][0] == nearest_team("hazmat"));
  CHECK(d["teams"][1] == nearest_team("fire_rescue"));
  CHECK(d["materials"].size() == 3);  // foam, chemical suits, plugging kits, each from a depot

  // Experts: 2 drawn from the 5 nearest chemical-process and 5 nearest instrumentation experts
  // who may go: not employed by the plant, no declared conflict with it, not away today.
  auto eligible = [](const json& e) {
    if (e.value("employer_enterprise", "") == "ENT-00002") return false;
    for (auto& x : e.value("conflicts", json::array()))
      if (x == "ENT-00002") return false;
    for (auto& a : e.value("unavailable", json::array())) {
      std::string from = a["from"], to = a["to"];
      if (from <= "2026-03-02T14:00:00+08:00" && "2026-03-02T14:00:00+08:00" < to) return false;
    }
    return true;
  };
  std::set<std::string> qualified;
  for (const char* spec : {"chemical_process", "instrumentation"}) {
    std::vector<std::pair<int64_t, std::string>> by_distance;
    for (auto& e : Items("experts")) {
      if (!eligible(e)) continue;
      for (auto& s : e["specialities"]) {
        if (s == spec) by_distance.push_back({engine::DistanceMetres(plant, At(e)), e["id"]});
      }
    }
    std::sort(by_distance.begin(), by_distance.end());
    for (size_t i = 0; i < 5 && i < by_distance.size(); ++i)
      qualified.insert(by_distance[i].second);
  }
  REQUIRE(d["experts"].size() == 2);
  CHECK(d["experts"][0] != d["experts"][1]);
  for (auto& e : d["experts"]) CHECK(qualified.count(e.get<std::string>()) == 1);
  CHECK(d["seed"].get<uint64_t>() != 0);

  // Reinforcements are a fresh draw with their own seed.
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  sent = c.RecordsAbout("ResourcesDispatched", inc.id);
  REQUIRE(sent.size() == 2);
  CHECK(Body(sent[1])["seed"] != d["seed"]);

  c.Act(inc.id, "arrive", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "stand_down", "commander", "nj.liuhe.emb");
  CHECK(c.Get(inc.id).state == "reviewing");
  c.Act(
      inc.id, "submit_evidence", "staff", "nj.liuhe.emb",
      R"("evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])");
  c.Act(inc.id, "review_pass", "supervisor", "nj.liuhe.awb");
  CHECK(c.Get(inc.id).outcome == "reviewed");
}

TEST_CASE("reclassifying an incident as major switches to the city plan and alerts upwards") {
  City c(Shanghai(2026, 3, 2, 14));
  c.Incident("ENT-00002", "liuhe.changlu.g09", "hazardous_chemical_leak", "general");
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "classify", "commander", "nj.liuhe.emb",
        R"("fields": [{"key": "level", "value": "major"}])");
  CHECK(c.Get(inc.id).Fact("level").as_string() == "major");
  auto up = c.RecordsAbout("TicketEscalated", inc.id);
  REQUIRE(up.size() == 3);
  CHECK(Body(up[1])["to_department"] == "nj.liuhe.awb");
  CHECK(Body(up[2])["action"] == "lead_city");  // a major incident: the city leads
  CHECK(c.Get(inc.id).lead == "nj.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.emb");
  auto sent = c.RecordsAbout("ResourcesDispatched", inc.id);
  REQUIRE(sent.size() == 1);
  CHECK(Body(sent[0])["plan"] == "PLAN-NJ-01");  // the city's hazardous-chemicals plan
  CHECK(Body(sent[0])["experts"].size() == 3);
}

TEST_CASE(
    "an incident report nobody takes is escalated and then goes to the discipline inspectors") {
  City c(Shanghai(2026, 3, 2, 14));
  c.Incident("ENT-00002", "liuhe.changlu.g09", "fire", "general");
  Ticket inc = c.Only("incident_response");
  c.AdvanceTo(Shanghai(2026, 3, 2, 14, 20), 5 * 60 * 1000);
  CHECK(c.Get(inc.id).overdue);
  CHECK(c.Of("oversight_case").empty());
  c.AdvanceTo(Shanghai(2026, 3, 2, 16, 20), 5 * 60 * 1000);
  // Two work orders by now: nobody answered the incident, and nobody reported it up to the
  // city within 2 hours either (迟报, reporting_test.cc).
  std::vector<Ticket> orders = c.Of("oversight_case");
  REQUIRE(orders.size() == 2);
  int unanswered = 0, unreported = 0;
  for (const auto& o : orders) {
    if (o.parent_id == inc.id) {
      CHECK(o.Fact("reason").as_string() == "incident not answered in reported");
      ++unanswered;
    } else if (Contains(o.Fact("reason").as_string(), "迟报")) {
      ++unreported;
    }
  }
  CHECK(unanswered == 1);
  CHECK(unreported == 1);
}

}  // namespace
}  // namespace closeloop::workflows
