// Scenarios through the real pipeline (log -> processor -> state), on the shipped Nanjing
// reference data and the PRC calendar, read as the domain tells them.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "engine/queries.h"
#include "engine/testing/harness.h"
#include "events/partition.h"

namespace closeloop::engine {
namespace {

using testing::Harness;
using testing::Shanghai;

// A city with routing, departments and the PRC calendar, and the prevention and oversight
// workflows deployed, on Monday 2026-03-02 09:00.
struct City {
  Harness h;
  explicit City(int64_t start = Shanghai(2026, 3, 2, 9)) {
    h.Clock(start);
    testing::LoadTestCity(h);
  }
  std::string GasAlarm(const std::string& sensor, const std::string& state = "alarm") {
    return h.Publish(
        R"({"source": "iot-platform","subject": "ENT-00002","jurisdiction": "liuhe.getang.g02",)"
        R"("occurred_at": )" +
        std::to_string(h.now()) + R"(,"body_type": "SensorAlarm","body": {"sensor_id": ")" +
        sensor + R"(","measure": "combustible_gas","state": ")" + state +
        R"(","level": "critical","value": 42.5,"threshold": 25.0}})");
  }
  std::string Report(const std::string& subject, const std::string& category,
                     const std::string& severity) {
    return h.Publish(R"({"source": "hotline-12345","subject": ")" + subject +
                     R"(","jurisdiction": "liuhe.getang.g02","occurred_at": )" +
                     std::to_string(h.now()) +
                     R"(,"body_type": "HazardReport","body": {"category": ")" + category +
                     R"(","severity": ")" + severity + R"("}})");
  }
  Ticket Only(const std::string& workflow) {
    auto all = h.TicketsOf(workflow);
    REQUIRE(all.size() == 1);
    return all[0];
  }
};

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_CASE(
    "a combustible-gas alarm at a major hazard source is routed to the district's "
    "emergency-management bureau") {
  City c;
  c.GasAlarm("GAS-7");
  Ticket t = c.Only("hazard_disposal");
  CHECK(t.state == "dispatched");
  CHECK(t.category == "hazardous_chemicals");
  CHECK(t.severity == "major");
  CHECK(t.lead == "nj.liuhe.emb");
  CHECK(Has(t.assist, "nj.liuhe.chempark"));
  CHECK(t.deadline_at == Shanghai(2026, 3, 2, 11));  // 2 hours to sign for
  CHECK(c.h.HistoryTypes(t.id) == std::vector<std::string>{"TicketOpened", "TicketRouted"});
}

TEST_CASE("an alarm storm from one sensor becomes one ticket, later alarms attached to it") {
  City c;
  for (int i = 0; i < 5; ++i) c.GasAlarm("GAS-7");
  c.GasAlarm("GAS-8");  // another sensor: its own ticket
  auto tickets = c.h.TicketsOf("hazard_disposal");
  REQUIRE(tickets.size() == 2);
  size_t attached = 0;
  for (const auto& t : tickets) {
    auto types = c.h.HistoryTypes(t.id);
    attached += std::count(types.begin(), types.end(), "EventAttached");
  }
  CHECK(attached == 4);
  // After the 30-minute window a new alarm opens a new ticket.
  c.h.Clock(Shanghai(2026, 3, 2, 9, 45));
  c.GasAlarm("GAS-7");
  CHECK(c.h.TicketsOf("hazard_disposal").size() == 3);
}

TEST_CASE("the sensor reporting normal again closes the order as cleared") {
  City c;
  c.GasAlarm("GAS-7");
  c.GasAlarm("GAS-7", "normal");
  Ticket t = c.Only("hazard_disposal");
  CHECK(t.closed);
  CHECK(t.state == "closed");
  CHECK(t.outcome == "cleared");
}

TEST_CASE("a hazard is signed for, rectified, reviewed and closed, each step a record") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  const std::string emb = "nj.liuhe.emb";
  c.h.Act(t.id, "sign_for", "nj.liuhe.emb/li", "staff", emb);
  CHECK(c.h.Find(t.id)->state == "verifying");
  // Verify within 1 working day: the close of Tuesday.
  CHECK(c.h.Find(t.id)->deadline_at == Shanghai(2026, 3, 3, 17));
  c.h.Act(t.id, "order_rectification", "nj.liuhe.emb/li", "staff", emb);
  Ticket r = *c.h.Find(t.id);
  CHECK(r.state == "rectifying");
  CHECK(r.deadline_at == Shanghai(2026, 3, 9, 17));  // general hazard: 5 working days
  c.h.Act(t.id, "progress", "nj.liuhe.emb/li", "staff", emb, R"("note": "valve replaced")");
  CHECK(c.h.Find(t.id)->facts.at("recurrence_note") == dsl::Value::String("valve replaced"));
  c.h.Act(
      t.id, "submit_evidence", "nj.liuhe.emb/li", "staff", emb,
      R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  c.h.Act(t.id, "review_pass", "nj.liuhe.awb/wang", "supervisor", "nj.liuhe.awb");
  Ticket done = *c.h.Find(t.id);
  CHECK(done.closed);
  CHECK(done.state == "closed");
  auto types = c.h.HistoryTypes(t.id);
  for (const char* expected : {"TicketSignedFor", "TicketProgressed", "EvidenceSubmitted",
                               "TicketReviewed", "TicketTransitioned", "TicketClosed"}) {
    CHECK_MESSAGE(Has(types, expected), expected);
  }
}

TEST_CASE("a failed review reopens the rectification without resetting the count") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  const std::string emb = "nj.liuhe.emb";
  c.h.Act(t.id, "sign_for", "a", "staff", emb);
  c.h.Act(t.id, "order_rectification", "a", "staff", emb);
  c.h.Act(
      t.id, "submit_evidence", "a", "staff", emb,
      R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  c.h.Act(t.id, "review_fail", "s", "supervisor", "nj.liuhe.awb", R"("reason": "still leaking")");
  Ticket r = *c.h.Find(t.id);
  CHECK(r.state == "rectifying");
  CHECK(r.reopens == 1);
  CHECK(Has(c.h.HistoryTypes(t.id), "TicketReopened"));
}

TEST_CASE(
    "commands from the wrong department, role, state or version are rejected with the reason") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  std::string cmd = c.h.Act(t.id, "sign_for", "x", "staff", "nj.liuhe.cgj");
  CHECK(c.h.RejectionOf(cmd).find("wrong_department") != std::string::npos);
  cmd = c.h.Act(t.id, "review_pass", "x", "staff", "nj.liuhe.emb");
  CHECK(c.h.RejectionOf(cmd).find("wrong_state") != std::string::npos);
  cmd = c.h.Act(t.id, "sign_for", "x", "staff", "nj.liuhe.emb", R"("expected_version": 99)");
  CHECK(c.h.RejectionOf(cmd).find("stale_version") != std::string::npos);
  cmd = c.h.Act(t.id, "dance", "x", "staff", "nj.liuhe.emb");
  CHECK(c.h.RejectionOf(cmd).find("unknown_verb") != std::string::npos);
  Ticket after = *c.h.Find(t.id);
  CHECK(after.state == "dispatched");
  CHECK(after.version == t.version);
  cmd = c.h.Act(t.id, "sign_for", "x", "staff", "nj.liuhe.emb",
                "\"expected_version\": " + std::to_string(t.version));
  CHECK(c.h.RejectionOf(cmd).empty());
  CHECK(c.h.Find(t.id)->state == "verifying");
}

TEST_CASE(
    "a supervisor's review counts only from the office that oversees the ticket's district, "
    "checked against the engine's own departments") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  const std::string emb = "nj.liuhe.emb";
  c.h.Act(t.id, "sign_for", "li", "staff", emb);
  c.h.Act(t.id, "order_rectification", "li", "staff", emb);
  c.h.Act(
      t.id, "submit_evidence", "li", "staff", emb,
      R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  const uint32_t version = c.h.Find(t.id)->version;
  // Another district's office, a fire brigade claiming to supervise, an unknown department.
  for (const char* dept : {"nj.gulou.awb", "nj.liuhe.fire", "nj.nowhere.awb"}) {
    CAPTURE(dept);
    std::string cmd = c.h.Act(t.id, "review_pass", "mallory", "supervisor", dept);
    CHECK(c.h.RejectionOf(cmd).find("wrong_department") != std::string::npos);
  }
  // A staff claim from a discipline commission is not an inspector's either.
  std::string cmd = c.h.Act(t.id, "review_pass", "mallory", "inspector", "nj.gulou.jw");
  CHECK(c.h.RejectionOf(cmd).find("wrong_department") != std::string::npos);
  CHECK(c.h.Find(t.id)->state == "reviewing");
  CHECK(c.h.Find(t.id)->version == version);
  // The district's own office, and the city's office, which oversees every district.
  cmd = c.h.Act(t.id, "review_pass", "wang", "supervisor", "nj.awb");
  CHECK(c.h.RejectionOf(cmd).empty());
  CHECK(c.h.Find(t.id)->closed);
}

TEST_CASE(
    "rectification evidence with nothing attached, or with something that is not an uploaded "
    "file, is rejected naming the field; accepted evidence indexes the ticket under its files") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  const std::string emb = "nj.liuhe.emb";
  c.h.Act(t.id, "sign_for", "li", "staff", emb);
  c.h.Act(t.id, "order_rectification", "li", "staff", emb);
  const uint32_t version = c.h.Find(t.id)->version;
  std::string cmd = c.h.Act(t.id, "submit_evidence", "li", "staff", emb, R"("note": "done")");
  std::string rejected = c.h.RejectionOf(cmd);
  CHECK(rejected.find("\"field\": \"evidence\"") != std::string::npos);
  CHECK(rejected.find("evidence: required by submit_evidence") != std::string::npos);
  cmd = c.h.Act(t.id, "submit_evidence", "li", "staff", emb,
                R"("evidence": ["https://example.org/after.jpg"])");
  rejected = c.h.RejectionOf(cmd);
  CHECK(rejected.find("\"field\": \"evidence\"") != std::string::npos);
  CHECK(rejected.find("an uploaded file's reference") != std::string::npos);
  CHECK(c.h.Find(t.id)->state == "rectifying");
  CHECK(c.h.Find(t.id)->version == version);
  const std::string hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  CHECK(TicketsWithFile(c.h.store(), c.h.partitions(), hex)->empty());
  cmd = c.h.Act(t.id, "submit_evidence", "li", "staff", emb,
                R"("evidence": ["sha256:)" + hex + R"("])");
  CHECK(c.h.RejectionOf(cmd).empty());
  CHECK(c.h.Find(t.id)->state == "reviewing");
  CHECK(*TicketsWithFile(c.h.store(), c.h.partitions(), hex) == std::vector<std::string>{t.id});
}

TEST_CASE("a command for a ticket that does not exist is rejected as unknown") {
  City c;
  std::string id = c.h.Publish(
      R"({"source": "console","subject": "ENT-00002","occurred_at": 1772413200000,)"
      R"("actor": "x","body_type": "StaffCommand","body": {"ticket_id": "NOPE","verb": "sign_for"}})");
  CHECK(c.h.RejectionOf(id).find("unknown_ticket") != std::string::npos);
}

TEST_CASE("two departments returning an order to each other three times send it to arbitration") {
  City c;
  c.Report("ENT-00002", "gas", "general");
  Ticket t = c.Only("hazard_disposal");
  CHECK(t.lead == "nj.liuhe.cgj");
  c.h.Act(t.id, "return", "a", "staff", "nj.liuhe.cgj",
          R"("reason": "not ours", "to_department": "nj.liuhe.emb")");
  c.h.Act(t.id, "return", "b", "staff", "nj.liuhe.emb",
          R"("reason": "gas pipelines are urban management's", "to_department": "nj.liuhe.cgj")");
  Ticket mid = *c.h.Find(t.id);
  CHECK(mid.returns == 2);
  CHECK(mid.state == "dispatched");
  CHECK(mid.state_entered_at == t.state_entered_at);  // returning never restarts the clock
  CHECK(mid.deadline_at == t.deadline_at);
  c.h.Act(t.id, "return", "a", "staff", "nj.liuhe.cgj",
          R"("reason": "still not ours", "to_department": "nj.liuhe.emb")");
  auto escalations = c.h.RecordsOfType("TicketEscalated");
  REQUIRE(escalations.size() == 1);
  CHECK(escalations[0].find("\"action\": \"arbitration\"") != std::string::npos);
  CHECK(escalations[0].find("\"to_department\": \"nj.liuhe.awb\"") != std::string::npos);
  CHECK(escalations[0].find("\"rule\": \"pingpong\"") != std::string::npos);
  CHECK(c.h.Find(t.id)->escalated_to == "nj.liuhe.awb");
  // A return without a reason is refused.
  std::string cmd = c.h.Act(t.id, "return", "b", "staff", "nj.liuhe.emb");
  CHECK(c.h.RejectionOf(cmd).find("needs a reason") != std::string::npos);
}

TEST_CASE(
    "overdue rectification climbs the ladder and lands with the discipline inspectors as a chained "
    "ticket") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  c.h.Act(t.id, "sign_for", "a", "staff", "nj.liuhe.emb");
  c.h.Act(t.id, "order_rectification", "a", "staff", "nj.liuhe.emb");
  // Rectify within 5 working days: due Monday 2026-03-09 17:00.
  REQUIRE(c.h.Find(t.id)->deadline_at == Shanghai(2026, 3, 9, 17));
  c.h.Clock(Shanghai(2026, 3, 6, 17));  // 80% of the working time: a reminder
  CHECK(c.h.RecordsOfType("TicketReminded").size() == 1);
  c.h.Clock(Shanghai(2026, 3, 9, 17, 1));  // past the limit: overdue, the head notified
  Ticket overdue = *c.h.Find(t.id);
  CHECK(overdue.overdue);
  CHECK(overdue.overdue_count == 1);
  c.h.Clock(Shanghai(2026, 3, 11, 17, 1));  // limit + 2 working days: to the parent
  CHECK(c.h.Find(t.id)->escalated_to == "nj.liuhe.awb");
  CHECK(c.h.TicketsOf("oversight_case").empty());
  c.h.Clock(Shanghai(2026, 3, 16, 17, 1));  // limit + 5 working days: the inspectors
  Ticket oversight = c.Only("oversight_case");
  CHECK(oversight.parent_id == t.id);
  CHECK(oversight.chain_id == t.id);
  CHECK(oversight.lead == "nj.liuhe.jw");
  CHECK(oversight.state == "received");
  CHECK(c.h.Find(t.id)->children == std::vector<std::string>{oversight.id});
  auto types = c.h.HistoryTypes(t.id);
  for (const char* expected :
       {"TicketReminded", "TicketOverdue", "TicketEscalated", "TicketChained"}) {
    CHECK_MESSAGE(Has(types, expected), expected);
  }
  // Each step fires once: more time passing adds nothing.
  size_t records = c.h.HistoryTypes(t.id).size();
  c.h.Clock(Shanghai(2026, 3, 20, 17));
  CHECK(c.h.HistoryTypes(t.id).size() == records);
}

TEST_CASE("deadlines count working days across the Spring Festival and make-up Saturdays") {
  City c(Shanghai(2026, 2, 13, 10));  // Friday before the holiday
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  c.h.Act(t.id, "sign_for", "a", "staff", "nj.liuhe.emb");
  // 1 working day after Friday: Saturday 2026-02-14 is a make-up working day.
  CHECK(c.h.Find(t.id)->deadline_at == Shanghai(2026, 2, 14, 17));
  c.h.Clock(Shanghai(2026, 2, 14, 16));
  c.h.Act(t.id, "order_rectification", "a", "staff", "nj.liuhe.emb");
  // 5 working days after Saturday 2/14: Feb 15-23 are holidays; 24, 25, 26, 27, and the
  // make-up Saturday 28th.
  CHECK(c.h.Find(t.id)->deadline_at == Shanghai(2026, 2, 28, 17));
}

TEST_CASE("an approved extension moves the deadline and counts, within the policy's limits") {
  City c;
  c.Report("ENT-00002", "hazardous_chemicals", "general");
  Ticket t = c.Only("hazard_disposal");
  c.h.Act(t.id, "sign_for", "a", "staff", "nj.liuhe.emb");
  c.h.Act(t.id, "order_rectification", "a", "staff", "nj.liuhe.emb");
  std::string too_long =
      c.h.Act(t.id, "request_extension", "a", "staff", "nj.liuhe.emb", R"("days": 11)");
  CHECK(c.h.RejectionOf(too_long).find("at most 10 working days") != std::string::npos);
  c.h.Act(t.id, "request_extension", "a", "staff", "nj.liuhe.emb",
          R"("days": 3, "reason": "parts on order")");
  std::string by_staff = c.h.Act(t.id, "approve_extension", "a", "staff", "nj.liuhe.emb");
  CHECK(c.h.RejectionOf(by_staff).find("wrong_role") != std::string::npos);
  c.h.Act(t.id, "approve_extension", "s", "supervisor", "nj.liuhe.awb");
  Ticket e = *c.h.Find(t.id);
  CHECK(e.extensions == 1);
  CHECK(e.deadline_at == Shanghai(2026, 3, 12, 17));  // Mon 3/9 + 3 working days
  c.h.Act(t.id, "request_extension", "a", "staff", "nj.liuhe.emb", R"("days": 2)");
  c.h.Act(t.id, "approve_extension", "s", "supervisor", "nj.liuhe.awb");
  std::string third =
      c.h.Act(t.id, "request_extension", "a", "staff", "nj.liuhe.emb", R"("days": 1)");
  CHECK(c.h.RejectionOf(third).find("limit_reached") != std::string::npos);
}

TEST_CASE("a hazard that keeps coming back at the same enterprise is reported to the unit's head") {
  City c;
  // Three orders about the same hazard class at one enterprise within 90 days; the third one
  // is reopened after a failed review: recurrences(90 days) >= 2 and reopens >= 1.
  for (int i = 0; i < 3; ++i) {
    c.h.Clock(Shanghai(2026, 3, 2 + 7 * i, 9));
    c.Report("ENT-00002", "hazardous_chemicals", "general");
  }
  auto tickets = c.h.TicketsOf("hazard_disposal");
  REQUIRE(tickets.size() == 3);
  const Ticket& last =
      *std::max_element(tickets.begin(), tickets.end(),
                        [](const Ticket& a, const Ticket& b) { return a.opened_at < b.opened_at; });
  c.h.Act(last.id, "sign_for", "a", "staff", "nj.liuhe.emb");
  c.h.Act(last.id, "order_rectification", "a", "staff", "nj.liuhe.emb");
  c.h.Act(
      last.id, "submit_evidence", "a", "staff", "nj.liuhe.emb",
      R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  auto about_last = [&] {
    std::vector<std::string> out;
    for (auto& r : c.h.RecordsOfType("TicketEscalated")) {
      if (r.find("\"ticket_id\": \"" + last.id + "\"") != std::string::npos) out.push_back(r);
    }
    return out;
  };
  CHECK(about_last().empty());
  c.h.Act(last.id, "review_fail", "s", "supervisor", "nj.liuhe.awb",
          R"("reason": "same leak again")");
  auto escalations = about_last();
  REQUIRE(escalations.size() == 1);
  CHECK(escalations[0].find("\"rule\": \"recurring\"") != std::string::npos);
  CHECK(escalations[0].find("\"action\": \"notify_head\"") != std::string::npos);
}

TEST_CASE(
    "a chained ticket whose subject lives in another partition opens there, linked to its parent") {
  City c;
  // A subject prefix that lands the child in another partition than the parent.
  std::string prefix;
  for (std::string p : {"DISCIPLINE-", "OVERSIGHT-", "JW-", "CASE-", "X-"}) {
    if (events::PartitionForKey(p + "ENT-00002", c.h.partitions()) !=
        events::PartitionForKey("ENT-00002", c.h.partitions())) {
      prefix = p;
      break;
    }
  }
  REQUIRE_FALSE(prefix.empty());
  c.h.Deploy("quick_order", R"(workflow quick_order version 1 loop prevention
uses workflow oversight_case
start on HazardReport when event.category == "fireworks" enter open
state open
  limit 1 hours
  on close by assignee -> done
state done terminal
escalate
  step oversight at limit: chain oversight_case (subject = ")" +
                                prefix + R"(" + subject, reason = "overdue")
)");
  c.Report("ENT-00002", "fireworks", "general");
  Ticket parent = c.Only("quick_order");
  c.h.Clock(Shanghai(2026, 3, 2, 10, 1));
  Ticket child = c.Only("oversight_case");
  CHECK(child.subject == prefix + "ENT-00002");
  CHECK(child.parent_id == parent.id);
  CHECK(child.chain_id == parent.id);
  CHECK(child.facts.at("reason") == dsl::Value::String("overdue"));
  CHECK(c.h.Find(parent.id)->children == std::vector<std::string>{child.id});
  auto chain = ChainOf(c.h.store(), c.h.partitions(), child.id);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 2);
  CHECK((*chain)[0].id == parent.id);
  CHECK((*chain)[1].id == child.id);
}

TEST_CASE(
    "monthly self-inspection duties open one ticket per enterprise, and quarterly ones for key "
    "enterprises") {
  City c;
  c.h.PublishFile("workflows/reference/enterprises.jsonl");
  c.h.Deploy("periodic_inspection", "engine/tests/workflows/periodic_inspection.wf");
  c.h.Clock(Shanghai(2026, 3, 31, 18));
  CHECK(c.h.TicketsOf("periodic_inspection").empty());
  c.h.Clock(Shanghai(2026, 4, 1, 9, 30));  // April 1st 09:00 passed: the monthly duty
  auto monthly = c.h.TicketsOf("periodic_inspection");
  REQUIRE(monthly.size() == 336);  // every enterprise in the shipped directory
  std::set<std::string> subjects;
  for (const auto& t : monthly) {
    subjects.insert(t.subject);
    CHECK(t.category == "self_inspection");
    CHECK(t.state == "due");
    CHECK(t.trigger == "schedule");
  }
  CHECK(subjects.size() == 336);
  // The quarterly supervisor duty on April 5th: key or red/orange enterprises only.
  c.h.Clock(Shanghai(2026, 4, 5, 10));
  size_t quarterly = 0;
  for (const auto& t : c.h.TicketsOf("periodic_inspection"))
    quarterly += t.category == "supervisor_inspection";
  CHECK(quarterly > 0);
  CHECK(quarterly < 336);
  // A self-inspection record from the enterprise answers its duty.
  const Ticket& one = monthly.front();
  c.h.Publish(R"({"source": "enterprise-app","subject": ")" + one.subject + R"(","occurred_at": )" +
              std::to_string(c.h.now()) +
              R"(,"body_type": "SelfInspection","body": {"period": "2026-04",)"
              R"("inspector_role": "enterprise","items_checked": 40,"hazards_found": 2}})");
  Ticket answered = *c.h.Find(one.id);
  CHECK(answered.state == "reviewing");
  CHECK(answered.facts.at("hazards_found") == dsl::Value::Int(2));
}

TEST_CASE(
    "a supervisor transfers an order, an extension is denied, and a false alarm is closed as "
    "such") {
  City c;
  c.Report("ENT-00002", "gas", "general");
  Ticket t = c.Only("hazard_disposal");
  REQUIRE(t.lead == "nj.liuhe.cgj");
  std::string no_target = c.h.Act(t.id, "transfer", "s", "supervisor", "nj.liuhe.awb");
  CHECK(c.h.RejectionOf(no_target).find("needs to_department") != std::string::npos);
  c.h.Act(t.id, "transfer", "s", "supervisor", "nj.liuhe.awb",
          R"("to_department": "nj.liuhe.emb", "reason": "LPG storage is emergency management's")");
  Ticket moved = *c.h.Find(t.id);
  CHECK(moved.lead == "nj.liuhe.emb");
  CHECK(moved.deadline_at == t.deadline_at);  // a transfer does not restart the clock
  c.h.Act(t.id, "sign_for", "a", "staff", "nj.liuhe.emb");
  c.h.Act(t.id, "order_rectification", "a", "staff", "nj.liuhe.emb");
  c.h.Act(t.id, "request_extension", "a", "staff", "nj.liuhe.emb", R"("days": 2)");
  c.h.Act(t.id, "deny_extension", "s", "supervisor", "nj.liuhe.awb", R"("reason": "no cause")");
  Ticket denied = *c.h.Find(t.id);
  CHECK(denied.extensions == 0);
  CHECK(denied.pending_extension_days == 0);
  std::string again = c.h.Act(t.id, "approve_extension", "s", "supervisor", "nj.liuhe.awb");
  CHECK(c.h.RejectionOf(again).find("no extension request is pending") != std::string::npos);
  auto types = c.h.HistoryTypes(t.id);
  CHECK(Has(types, "TicketTransferred"));
  CHECK(Has(types, "ExtensionDenied"));

  c.Report("ENT-00003", "hazardous_chemicals", "general");
  Ticket alarm;
  for (auto& x : c.h.TicketsOf("hazard_disposal")) {
    if (x.subject == "ENT-00003") alarm = x;
  }
  c.h.Act(alarm.id, "sign_for", "a", "staff", alarm.lead);
  c.h.Act(alarm.id, "resolve", "a", "staff", alarm.lead,
          R"("fields": [{"key": "resolution", "value": "false_alarm"}])");
  Ticket closed = *c.h.Find(alarm.id);
  CHECK(closed.closed);
  CHECK(closed.outcome == "false_alarm");
}

}  // namespace
}  // namespace closeloop::engine
