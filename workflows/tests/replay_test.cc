// Replaying the scenario logs reproduces the state: rebuilt from the recorded engine records
// and re-decided from the inputs alone, both give the live state's digest, and re-deciding
// emits every recorded record again byte for byte (the double-random draws included).
#include <doctest/doctest.h>

#include "engine/queries.h"
#include "events/ids.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using engine::Mode;
using engine::Processor;
using engine::testing::MemoryStore;

struct Replayed {
  std::string digest;
  uint64_t mismatches = 0;
  std::string first_mismatch;
};

Replayed Replay(Harness& h, Mode mode) {
  MemoryStore fresh(h.partitions(), "replay");
  Replayed out;
  for (uint32_t p = 0; p < h.partitions(); ++p) {
    Processor proc(p, h.store().log(), fresh, {.mode = mode, .records_per_commit = 5});
    REQUIRE(proc.Open().ok());
    REQUIRE(proc.ProcessAvailable().ok());
    out.mismatches += proc.stats().mismatches;
    if (out.first_mismatch.empty()) out.first_mismatch = proc.stats().first_mismatch;
  }
  out.digest = *engine::StateDigest(fresh);
  return out;
}

// A day and a half of the city: an alarm storm, a ping-pong, an incident with two dispatches,
// a reopened 12345 request, a missed self-inspection, an enforcement case paused for an
// appraisal, and the ladders they climb.
void LiveADay(City& c) {
  for (int i = 0; i < 5; ++i) {
    c.SensorAlarm("ENT-00002", "liuhe.changlu.g09", "RS-0003-GAS03", "RS-0003", "combustible_gas",
                  "critical");
  }
  c.Act(c.Only("alarm_response"), "order_disposal", "staff", "nj.liuhe.emb",
        R"("reason": "no cause from the plant")");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.emb");
  c.HazardReport("ENT-00002", "liuhe.changlu.g09", "gas", "general");
  for (const auto& t : c.Of("hazard_disposal")) {
    if (t.category != "gas") continue;
    c.Act(t, "return", "staff", "nj.liuhe.cgj",
          R"("reason": "a", "to_department": "nj.liuhe.emb")");
    c.Act(t.id, "return", "staff", "nj.liuhe.emb",
          R"("reason": "b", "to_department": "nj.liuhe.cgj")");
    c.Act(t.id, "return", "staff", "nj.liuhe.cgj",
          R"("reason": "c", "to_department": "nj.liuhe.emb")");
  }
  c.Incident("ENT-00002", "liuhe.changlu.g09", "hazardous_chemical_leak", "large");
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  // Reported up the line: the district reports to the city in time; the city, which leads a
  // 较大 incident, lets its report to the province run late (迟报: a chained work order).
  for (const auto& d : c.Of("accident_report")) {
    if (d.Fact("to_level").as_string() != "city") continue;
    c.Act(d, "report", "staff", "nj.liuhe.emb",
          R"("note": "危化品泄漏，已调度救援","fields": [{"key": "reported_to", "value": "市应急管理局值班室"}, {"key": "channel", "value": "phone"}])");
  }
  c.ServiceRequest("CITIZEN-9", "xuanwu.meiyuan", "consultation", "12345-9");
  Ticket req = c.Only("service_request");
  c.Act(req, "accept", "staff", "nj.xuanwu.emb");
  c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb");
  c.Act(req.id, "callback", "hotline", "nj.12345",
        R"("fields": [{"key": "satisfaction", "value": "unsatisfied"}])");
  // An enforcement case whose decision clock pauses for an appraisal and runs on (the
  // state keeps the clock's start and the time left: rebuilt, they must come out the same).
  c.h.Publish(
      R"({"source": "enforcement-inspection","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
      R"("occurred_at": )" +
      std::to_string(c.h.now()) +
      R"(,"body_type": "InspectionFinding","body": {"inspection_id": "INSP-R-1","kind": "special",)"
      R"("category": "hazardous_chemicals","severity": "general","law_ref": "安全生产法 第一百零一条"}})");
  Ticket kase;
  for (const auto& t : c.Of("enforcement_case")) {
    if (t.Fact("law_ref").as_string() == "安全生产法 第一百零一条") kase = t;
  }
  REQUIRE(!kase.id.empty());
  c.Act(kase, "file_case", "staff", kase.lead, R"("note": "LH-R-1")");
  c.AdvanceTo(c.h.now() + 6 * 3600 * 1000LL, 3600 * 1000);
  c.Act(kase.id, "commission_appraisal", "staff", kase.lead, R"("reason": "tank wall thickness")");
  c.AdvanceTo(c.h.now() + 12 * 3600 * 1000LL, 3600 * 1000);
  c.Act(kase.id, "receive_appraisal", "staff", kase.lead);
  REQUIRE(c.Get(kase.id).state == "investigating");
  c.AdvanceTo(c.h.now() + 36 * 3600 * 1000LL, 3600 * 1000);
}

TEST_CASE("replaying the scenario log reproduces the state digest, rebuilt or re-decided") {
  City c(Shanghai(2026, 3, 2, 9));
  LiveADay(c);
  REQUIRE(c.h.RecordsOfType("ResourcesDispatched").size() == 2);
  REQUIRE(c.Of("accident_report").size() == 2);  // to the city, and (较大) to the province
  bool late_report = false;
  for (const auto& o : c.Of("oversight_case")) {
    late_report = late_report || Contains(o.Fact("reason").as_string(), "迟报");
  }
  REQUIRE(late_report);
  std::string live = *engine::StateDigest(c.h.store());
  Replayed rebuilt = Replay(c.h, Mode::kRebuild);
  CHECK(rebuilt.digest == live);
  Replayed redecided = Replay(c.h, Mode::kReprocess);
  CHECK_MESSAGE(redecided.mismatches == 0, redecided.first_mismatch);
  CHECK(redecided.digest == live);
}

// Two leaks in the park decided by different partitions, a decline and its replacement, an
// early release and a stand-down: the resource ledger (commitments, stock drawn, declines)
// is state like any other, and the draws are decided again the same.
TEST_CASE("the resource ledger and the experts' draws come out the same when the log is replayed") {
  City c(Shanghai(2026, 3, 2, 14));
  std::vector<std::string> incidents;
  for (const char* plant : {"ENT-00002", "ENT-00005", "ENT-00011"}) {
    c.Incident(plant, "liuhe.changlu.g09", "hazardous_chemical_leak", "large");
    for (const auto& t : c.Of("incident_response")) {
      if (t.subject == plant) incidents.push_back(t.id);
    }
  }
  REQUIRE(incidents.size() == 3);
  for (const auto& id : incidents) {
    Ticket t = c.Get(id);
    c.Act(t, "sign_for", "commander", t.lead);
    c.Act(id, "dispatch", "commander", t.lead);
  }
  Ticket first = c.Get(incidents[0]);
  auto sent = c.RecordsAbout("ResourcesDispatched", first.id);
  REQUIRE(sent.size() == 1);
  std::string experts = BodyField(sent[0], "experts");
  std::string declined = experts.substr(experts.find('"') + 1);
  declined = declined.substr(0, declined.find('"'));
  c.Act(first.id, "expert_answer", "commander", first.lead,
        R"("fields": [{"key": "expert", "value": ")" + declined +
            R"("}, {"key": "answer", "value": "decline"}], "reason": "ill")");
  REQUIRE(c.RecordsAbout("ExpertAnswered", first.id).size() == 1);
  c.Act(first.id, "arrive", "commander", first.lead);
  c.Act(first.id, "stand_down", "commander", first.lead);
  c.Act(incidents[1], "dispatch", "commander", c.Get(incidents[1]).lead);
  REQUIRE(c.h.RecordsOfType("ResourcesReleased").size() == 1);
  REQUIRE(c.h.RecordsOfType("ResourcesDispatched").size() == 4);

  std::string live = *engine::StateDigest(c.h.store());
  Replayed rebuilt = Replay(c.h, Mode::kRebuild);
  CHECK(rebuilt.digest == live);
  Replayed redecided = Replay(c.h, Mode::kReprocess);
  CHECK_MESSAGE(redecided.mismatches == 0, redecided.first_mismatch);
  CHECK(redecided.digest == live);
}

// Publishes the incident and the dispatch command with the ids a log would have stamped on
// them, so two cities hold the same records.
std::vector<std::string> DispatchWithIds(City& c) {
  int64_t now = c.h.now();
  std::string report = events::DeriveId(now, "incident-report", 1).ToString();
  c.h.Publish(
      R"({"id": ")" + report +
      R"(","source": "110-119-120","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
      R"("occurred_at": )" +
      std::to_string(now) +
      R"(,"body_type": "IncidentReport","body": {"incident_type": "hazardous_chemical_leak","level": "large"}})");
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  std::string command = events::DeriveId(now, "dispatch-command", 1).ToString();
  c.h.Publish(R"({"id": ")" + command +
              R"(","source": "console","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
              R"("occurred_at": )" +
              std::to_string(now) +
              R"(,"actor": "duty-commander","body_type": "StaffCommand","body": {"ticket_id": ")" +
              inc.id +
              R"(","verb": "dispatch","role": "commander","department": "nj.liuhe.emb"}})");
  std::vector<std::string> bodies;
  for (const auto& r : c.RecordsAbout("ResourcesDispatched", inc.id)) {
    bodies.push_back(BodyField(r, "experts") + BodyField(r, "teams") + BodyField(r, "seed"));
  }
  return bodies;
}

TEST_CASE("the same dispatch command draws the same experts in any city that holds it") {
  City a(Shanghai(2026, 3, 2, 9));
  City b(Shanghai(2026, 3, 2, 9));
  auto drawn_a = DispatchWithIds(a);
  auto drawn_b = DispatchWithIds(b);
  REQUIRE(drawn_a.size() == 1);
  CHECK(drawn_a == drawn_b);
}

}  // namespace
}  // namespace closeloop::workflows
