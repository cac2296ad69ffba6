// One-step dispatch on a small made-up city (engine/dispatch.h) and the resource ledger it
// decides on (engine/resource_ledger.h): commitments, stock, road distances, the experts'
// eligibility and the recorded draw.
#include "engine/dispatch.h"

#include <doctest/doctest.h>
#include <flatbuffers/flatbuffers.h>

#include <set>

#include "engine/resource_ledger.h"
#include "engine/testing/memory_store.h"
#include "events/testing/record_builder.h"

namespace closeloop::engine {
namespace {

// 2026-03-02 09:00 +08:00.
constexpr int64_t kMonday = 1'772'413'200'000;

void Publish(ReferenceData& ref, const char* table, const std::string& content,
             uint32_t version = 1) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, table, version, content.c_str()));
  Status s = ref.Apply(*flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer()));
  INFO(table << ": " << s.ToString());
  REQUIRE(s.ok());
}

std::string Team(const std::string& id, const std::string& type, double lat,
                 const std::string& road = "") {
  return R"({"id":")" + id + R"(","name_zh":"队","name_en":"Team","type":")" + type +
         R"(","capabilities":["hazardous_chemical_leak"],"district":"liuhe",)" +
         R"("location":{"lat":)" + std::to_string(lat) + R"(,"lon":118.80},"members":20,)" +
         R"("department":"","equipment":[])" + (road.empty() ? "" : R"(,"road_metres":)" + road) +
         "}";
}

std::string Depot(const std::string& id, double lat, int64_t suits) {
  return R"({"id":")" + id + R"(","name_zh":"库","name_en":"Depot","level":"district",)" +
         R"("district":"liuhe","location":{"lat":)" + std::to_string(lat) +
         R"(,"lon":118.80},"department":"d","items":[{"item":"chemical_suit","name_zh":"防化服",)" +
         R"("unit":"套","quantity":)" + std::to_string(suits) + "}]}";
}

std::string ExpertJson(const std::string& id, double lat, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","name_zh":"专家","name_en":"Expert",)" +
         R"("specialities":["chemical_process"],"qualification_zh":"教授",)" +
         R"("qualification_en":"Professor","employer":"大学","employer_en":"University",)" +
         R"("district":"liuhe","location":{"lat":)" + std::to_string(lat) + R"(,"lon":118.80})" +
         extra + "}";
}

// A plant at (32.20, 118.80); teams, depots and experts north of it, 1.1 km per 0.01 degree.
ReferenceData SmallCity(int64_t suits_near = 40, int64_t suits_far = 100) {
  ReferenceData ref;
  Publish(ref, "enterprises", R"({"items":[{"id":"ENT-1","name_zh":"鑫源化工","name_en":"Xinyuan",)"
          R"("district":"liuhe","jurisdiction":"liuhe.s.g1","industry":"chemical","scale":"large",)"
          R"("risk_colour":"red","key_enterprise":true,"safety_officers":3,)"
          R"("location":{"lat":32.20,"lon":118.80},"hazard_classes":[],"risk_sources":[]}]})");
  Publish(ref, "rescue_teams",
          "{\"items\":[" + Team("T-HAZ-1", "hazmat", 32.21) + "," + Team("T-HAZ-2", "hazmat", 32.23) +
              "," + Team("T-HAZ-3", "hazmat", 32.25) + "," +
              // Nearer than T-FIRE-2 in a straight line, but the river lies between.
              Team("T-FIRE-1", "fire_rescue", 32.205, R"({"ENT-1": 9000})") + "," +
              Team("T-FIRE-2", "fire_rescue", 32.24) + "]}");
  Publish(ref, "material_depots",
          "{\"items\":[" + Depot("D-NEAR", 32.21, suits_near) + "," + Depot("D-FAR", 32.30, suits_far) +
              "]}");
  Publish(ref, "experts",
          "{\"items\":[" + ExpertJson("E-1", 32.201) + "," +
              ExpertJson("E-2", 32.202, R"(,"employer_enterprise":"ENT-1")") + "," +
              ExpertJson("E-3", 32.203, R"(,"conflicts":["ENT-1"])") + "," +
              ExpertJson("E-4", 32.204,
                         R"(,"unavailable":[{"from":"2026-03-01T00:00:00+08:00",)"
                         R"("to":"2026-03-10T00:00:00+08:00","kind":"leave","note":"年休假"}])") +
              "," + ExpertJson("E-5", 32.205) + "," + ExpertJson("E-6", 32.206) + "," +
              ExpertJson("E-7", 32.207) + "," + ExpertJson("E-8", 32.208) + "," +
              ExpertJson("E-9", 32.209) + "]}");
  Publish(ref, "plans",
          R"({"items":[{"id":"PLAN-1","name_zh":"预案","name_en":"Plan","tier":"city_special",)"
          R"("district":"","incident_types":["hazardous_chemical_leak"],"levels":["general"],)"
          R"("lead_department":"d","member_departments":[],"team_types":["hazmat","fire_rescue"],)"
          R"("materials":["chemical_suit"],"material_quantities":{"chemical_suit":30},)"
          R"("expert_specialities":["chemical_process"],"expert_count":2}]})");
  return ref;
}

Ticket Leak(const std::string& id) {
  Ticket t;
  t.id = id;
  t.subject = "ENT-1";
  t.jurisdiction = "liuhe.s.g1";
  t.category = "hazardous_chemical_leak";
  t.severity = "general";
  return t;
}

TEST_CASE("a team committed to an open incident is passed over for the next nearest") {
  ReferenceData ref = SmallCity();
  LedgerView ledger;
  ledger.teams["T-HAZ-1"] = "INC-A";
  DispatchChoice c = ChooseResources(ref, Leak("INC-B"), 1, kMonday, ledger);
  CHECK(c.plan == "PLAN-1");
  REQUIRE(c.teams.size() == 2);
  CHECK(c.teams[0] == "T-HAZ-2");
  REQUIRE_FALSE(c.passed_over.empty());
  CHECK(c.passed_over[0].id == "T-HAZ-1");
  CHECK(c.passed_over[0].reason == "committed");
  CHECK(c.passed_over[0].holder == "INC-A");
  // Reinforcements for the incident that holds it are other teams too.
  ledger.teams["T-HAZ-2"] = "INC-B";
  ledger.teams["T-HAZ-3"] = "INC-B";
  c = ChooseResources(ref, Leak("INC-B"), 1, kMonday, ledger);
  CHECK(std::find(c.teams.begin(), c.teams.end(), "T-HAZ-2") == c.teams.end());
  CHECK(c.unfilled == std::vector<std::string>{"hazmat"});
}

TEST_CASE("the road distance counts where the data has one, else the straight line, and says so") {
  ReferenceData ref = SmallCity();
  DispatchChoice c = ChooseResources(ref, Leak("INC-A"), 1, kMonday, LedgerView{});
  REQUIRE(c.team_legs.size() == 2);
  CHECK(c.team_legs[0].team == "T-HAZ-1");
  CHECK_FALSE(c.team_legs[0].reach.road);
  CHECK(c.team_legs[0].reach.metres == DistanceMetres({32.20, 118.80}, {32.21, 118.80}));
  // T-FIRE-1 is 0.55 km away as the crow flies but 9 km by road; T-FIRE-2 is 4.4 km.
  CHECK(c.team_legs[1].team == "T-FIRE-2");
  CHECK(DistanceMetres({32.20, 118.80}, {32.205, 118.80}) < 1000);
  ReferenceData bridge = SmallCity();
  Publish(bridge, "rescue_teams",
          "{\"items\":[" + Team("T-HAZ-1", "hazmat", 32.21) + "," +
              Team("T-FIRE-1", "fire_rescue", 32.205, R"({"ENT-1": 1200})") + "]}",
          2);
  c = ChooseResources(bridge, Leak("INC-A"), 1, kMonday, LedgerView{});
  REQUIRE(c.team_legs.size() == 2);
  CHECK(c.team_legs[1].team == "T-FIRE-1");
  CHECK(c.team_legs[1].reach.road);
  CHECK(c.team_legs[1].reach.metres == 1200);
}

TEST_CASE("stock beyond the nearest depot's comes from the next, and what none has is short") {
  ReferenceData ref = SmallCity(/*suits_near=*/40, /*suits_far=*/25);
  LedgerView ledger;
  ledger.drawn[{"D-NEAR", "chemical_suit"}] = {1, 30};  // an earlier dispatch took 30
  DispatchChoice c = ChooseResources(ref, Leak("INC-B"), 1, kMonday, ledger);
  REQUIRE(c.material_legs.size() == 2);
  CHECK(c.material_legs[0].depot == "D-NEAR");
  CHECK(c.material_legs[0].quantity == 10);
  CHECK(c.material_legs[0].left == 0);
  CHECK(c.material_legs[1].depot == "D-FAR");
  CHECK(c.material_legs[1].quantity == 20);
  CHECK(c.material_legs[1].left == 5);
  CHECK(c.shortages.empty());
  CHECK(c.materials == std::vector<std::string>{"chemical_suit@D-NEAR", "chemical_suit@D-FAR"});

  ledger.drawn[{"D-NEAR", "chemical_suit"}] = {1, 40};
  ledger.drawn[{"D-FAR", "chemical_suit"}] = {1, 20};
  c = ChooseResources(ref, Leak("INC-C"), 1, kMonday, ledger);
  REQUIRE(c.material_legs.size() == 1);
  CHECK(c.material_legs[0].quantity == 5);
  REQUIRE(c.shortages.size() == 1);
  CHECK(c.shortages[0].item == "chemical_suit");
  CHECK(c.shortages[0].requested == 30);
  CHECK(c.shortages[0].missing == 25);
  bool empty_noted = std::any_of(c.passed_over.begin(), c.passed_over.end(), [](auto& p) {
    return p.id == "D-NEAR/chemical_suit" && p.reason == "no_stock";
  });
  CHECK(empty_noted);
  CHECK(c.stock_version == 1);
  // Draws recorded against an older count of the stock no longer count against this one.
  CHECK(ledger.DrawnOf("D-NEAR", "chemical_suit", 2) == 0);
}

TEST_CASE("experts employed by the plant, in conflict with it, on leave or who declined are not "
          "qualified") {
  ReferenceData ref = SmallCity();
  LedgerView ledger;
  ledger.declined["E-5"] = "in hospital";
  ledger.experts["E-6"] = "INC-OTHER";
  DispatchChoice c = ChooseResources(ref, Leak("INC-A"), 7, kMonday, ledger);
  std::map<std::string, std::string> why;
  for (const auto& p : c.passed_over) why[p.id] = p.reason;
  CHECK(why["E-2"] == "employer");
  CHECK(why["E-3"] == "conflict");
  CHECK(why["E-4"] == "on_leave");
  CHECK(why["E-5"] == "declined");
  CHECK(why["E-6"] == "committed");
  // The five nearest eligible: E-1, E-7, E-8, E-9 (only four are left).
  CHECK(c.qualified == std::vector<std::string>{"E-1", "E-7", "E-8", "E-9"});
  REQUIRE(c.experts.size() == 2);
  for (const auto& e : c.experts) CHECK(why.count(e) == 0);
  // After the leave ends, E-4 is back on duty.
  const int64_t march_10 = kMonday + 8LL * 24 * 3600 * 1000;
  c = ChooseResources(ref, Leak("INC-A"), 7, march_10, ledger);
  CHECK(std::find(c.qualified.begin(), c.qualified.end(), "E-4") != c.qualified.end());
}

TEST_CASE("the same seed draws the same experts, and a replacement is drawn from who is left") {
  ReferenceData ref = SmallCity();
  std::set<std::vector<std::string>> draws;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto a = ChooseResources(ref, Leak("INC-A"), seed, kMonday, LedgerView{}).experts;
    auto b = ChooseResources(ref, Leak("INC-A"), seed, kMonday, LedgerView{}).experts;
    CHECK(a == b);
    draws.insert(a);
  }
  CHECK(draws.size() > 5);  // the draw is random over the qualified set, not the nearest two

  LedgerView ledger;
  ledger.experts["E-1"] = "INC-A";
  ledger.declined["E-7"] = "abroad";
  Replacement r = ChooseReplacement(ref, Leak("INC-A"), "E-7", 99, kMonday, ledger);
  REQUIRE_FALSE(r.expert.empty());
  CHECK(r.expert != "E-7");
  CHECK(r.expert != "E-1");
  CHECK(std::find(r.qualified.begin(), r.qualified.end(), r.expert) != r.qualified.end());
  CHECK(ChooseReplacement(ref, Leak("INC-A"), "E-7", 99, kMonday, ledger).expert == r.expert);
}

TEST_CASE("the ledger commits on dispatch, frees on release and on a decline, and only the "
          "holder's") {
  testing::MemoryStore store(1);
  Overlay state(store);
  auto apply = [&](const std::string& json) {
    std::string bytes = events::testing::RawRecord(json);
    auto rec = events::VerifyRecord(bytes);
    REQUIRE(rec.ok());
    REQUIRE(ApplyToLedger(**rec, 0, state).ok());
  };
  apply(R"({"body_type": "ResourcesDispatched", "body": {"ticket_id": "INC-A",
      "teams": ["T-1", "T-2"], "experts": ["E-1", "E-2"],
      "material_legs": [{"item": "chemical_suit", "depot": "D-1", "quantity": 30,
                         "stock_version": 1}]}})");
  apply(R"({"body_type": "ResourcesDispatched", "body": {"ticket_id": "INC-B",
      "teams": ["T-3"], "material_legs": [{"item": "chemical_suit", "depot": "D-1",
      "quantity": 5, "stock_version": 1}]}})");
  auto view = ReadLedger(state, 0, "INC-A");
  REQUIRE(view.ok());
  CHECK(view->TeamHolder("T-1") == "INC-A");
  CHECK(view->TeamHolder("T-3") == "INC-B");
  CHECK(view->ExpertHolder("E-2") == "INC-A");
  CHECK(view->DrawnOf("D-1", "chemical_suit", 1) == 35);

  // INC-B's release names T-1, which INC-A holds: nothing of INC-A's is freed.
  apply(R"({"body_type": "ResourcesReleased", "body": {"ticket_id": "INC-B",
      "teams": ["T-1", "T-3"], "reason": "stand_down"}})");
  apply(R"({"body_type": "ExpertAnswered", "body": {"ticket_id": "INC-A", "expert": "E-2",
      "accepted": false, "reason": "abroad", "replacement": "E-9"}})");
  view = ReadLedger(state, 0, "INC-A");
  REQUIRE(view.ok());
  CHECK(view->TeamHolder("T-1") == "INC-A");
  CHECK(view->TeamHolder("T-3") == "");
  CHECK(view->ExpertHolder("E-2") == "");
  CHECK(view->ExpertHolder("E-9") == "INC-A");
  CHECK(view->declined.at("E-2") == "abroad");
  // Stock drawn against a newer count starts that count afresh.
  apply(R"({"body_type": "ResourcesDispatched", "body": {"ticket_id": "INC-C",
      "material_legs": [{"item": "chemical_suit", "depot": "D-1", "quantity": 4,
                         "stock_version": 2}]}})");
  view = ReadLedger(state, 0, "INC-C");
  REQUIRE(view.ok());
  CHECK(view->DrawnOf("D-1", "chemical_suit", 2) == 4);
  CHECK(view->DrawnOf("D-1", "chemical_suit", 1) == 0);
  CHECK(view->declined.empty());  // declines are per incident
}

TEST_CASE("an expert's absence, employer and conflicts are checked when the table is published") {
  ReferenceData ref = SmallCity();
  flatbuffers::FlatBufferBuilder fbb;
  std::string bad = "{\"items\":[" +
                    ExpertJson("E-1", 32.2,
                               R"(,"unavailable":[{"from":"2026-03-05T00:00:00+08:00",)"
                               R"("to":"2026-03-01T00:00:00+08:00","kind":"leave"}])") +
                    "]}";
  fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, "experts", 2, bad.c_str()));
  Status s = ref.Apply(*flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer()));
  CHECK(s.message() == "experts v2: content_json.items[0].unavailable[0].to: must be after from");
  flatbuffers::FlatBufferBuilder fbb2;
  bad = "{\"items\":[" + ExpertJson("E-1", 32.2, R"(,"unavailable":[{"from":"yesterday",)"
                                                 R"("to":"2026-03-01","kind":"holiday"}])") +
        "]}";
  fbb2.Finish(fb::CreateReferenceDataUpdatedDirect(fbb2, "experts", 2, bad.c_str()));
  s = ref.Apply(*flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb2.GetBufferPointer()));
  CHECK(s.message().find("content_json.items[0].unavailable[0].from: not an ISO 8601 time") !=
        std::string::npos);
  CHECK(ref.FindExpert("E-4") != nullptr);  // the previous version stays
}

}  // namespace
}  // namespace closeloop::engine
