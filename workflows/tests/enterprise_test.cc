// The enterprise as an actor (企业主体责任): its own account signs for the orders about it,
// reports rectification with photos, answers its alarms and its monthly self-inspection
// (hazard_disposal.wf, alarm_response.wf, periodic_inspection.wf, role enterprise), and the
// engine holds it to its own tickets (engine/permission.h), on the Nanjing reference data.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

// Nanjing Tongchuang Commercial Management, a shopping mall in grid 06 of Meiyuan Xincun
// street, Xuanwu; Nanjing Tianheng Commercial Management, another mall of the district.
const char* kMall = "ENT-00060";
const char* kMallGrid = "xuanwu.meiyuan.g06";
const char* kOtherMall = "ENT-00058";
const char* kFire = "nj.xuanwu.fire";
const char* kPhoto =
    R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])";

// The fire brigade verified a hotline report of a locked fire exit at the mall and ordered it
// rectified (5 working days, a general hazard).
Ticket OrderedRectification(City& c) {
  c.HazardReport(kMall, kMallGrid, "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  REQUIRE(order.lead == kFire);
  c.Act(order, "sign_for", "staff", kFire);
  c.Act(order.id, "order_rectification", "staff", kFire,
        R"("note": "north fire exit chained shut", "fields": [{"key": "severity", "value": "general"}])");
  order = c.Get(order.id);
  REQUIRE(order.state == "rectifying");
  return order;
}

TEST_CASE(
    "a mall ordered to unchain its fire exit signs for the order and reports it done with photos "
    "from its own account; the fire brigade sends a report back once, the deadline does not "
    "move, and the order closes on the office's review") {
  City c;  // Monday 2 March 2026, 09:00
  Ticket order = OrderedRectification(c);
  const int64_t deadline = order.deadline_at;

  c.Act(order.id, "sign_order", "enterprise", kMall, R"("note": "received, security manager")");
  CHECK(c.Get(order.id).Fact("order_signed").as_bool());
  // Signed once: a second signature is not another fact.
  std::string twice = c.Act(order.id, "sign_order", "enterprise", kMall);
  CHECK(Contains(c.h.RejectionOf(twice), "condition not met"));

  std::string no_photo = c.Act(order.id, "submit_evidence", "enterprise", kMall,
                               R"("note": "chain removed")");
  CHECK(Contains(c.h.RejectionOf(no_photo), "evidence: required by submit_evidence"));
  c.Act(order.id, "submit_evidence", "enterprise", kMall,
        std::string(R"("note": "chain removed", )") + kPhoto);
  order = c.Get(order.id);
  CHECK(order.state == "rectifying");  // the department checks it: the mall's own evidence
                                       // never sends its order to review
  CHECK(order.Fact("enterprise_reported").as_bool());
  CHECK(order.Fact("enterprise_note").as_string() == "chain removed");

  c.Act(order.id, "reject_report", "staff", kFire,
        R"("reason": "the photo shows the door, not the push bar: it must open from inside")");
  order = c.Get(order.id);
  CHECK_FALSE(order.Fact("enterprise_reported").as_bool());
  CHECK(order.Fact("report_rejected").as_string() ==
        "the photo shows the door, not the push bar: it must open from inside");
  CHECK(order.deadline_at == deadline);  // sending a report back restarts nothing

  c.Act(order.id, "submit_evidence", "enterprise", kMall,
        std::string(R"("note": "push bar repaired; opens from inside", )") + kPhoto);
  c.Act(order.id, "submit_evidence", "staff", kFire, kPhoto);
  c.Act(order.id, "review_pass", "supervisor", "nj.xuanwu.awb");
  order = c.Get(order.id);
  CHECK(order.closed);
  CHECK(order.outcome == "rectified");
}

TEST_CASE(
    "an enterprise acts only on its own orders and only as the enterprise: another mall, a "
    "mall claiming the brigade's verbs, and a made-up enterprise are refused and recorded") {
  City c;
  Ticket order = OrderedRectification(c);
  std::string other = c.Act(order.id, "submit_evidence", "enterprise", kOtherMall,
                            std::string(R"("note": "done", )") + kPhoto);
  CHECK(Contains(c.h.RejectionOf(other),
                 "the ticket is about ENT-00060, not ENT-00058: an enterprise acts only on its "
                 "own tickets"));
  std::string judges_itself = c.Act(order.id, "reject_report", "enterprise", kMall,
                                    R"("reason": "our own report is wrong")");
  CHECK(Contains(c.h.RejectionOf(judges_itself),
                 "the ticket is led by nj.xuanwu.fire, not ENT-00060"));
  std::string grants_itself = c.Act(order.id, "approve_extension", "enterprise", kMall);
  CHECK(Contains(c.h.RejectionOf(grants_itself), "needs role supervisor"));
  std::string invented = c.Act(order.id, "sign_order", "enterprise", "ENT-99999");
  CHECK(Contains(c.h.RejectionOf(invented), "not an enterprise in the reference data"));
  CHECK(c.RecordsAbout("CommandRejected", order.id).size() == 4);
  order = c.Get(order.id);
  CHECK_FALSE(order.Fact("enterprise_reported").as_bool());
  CHECK_FALSE(order.Fact("order_signed").as_bool());
}

TEST_CASE(
    "a general hazard the chemical plant found itself is rectified on its own plan and reported "
    "done from its account with photos; the emergency bureau acknowledges it") {
  City c;
  c.h.Publish(
      R"({"source": "enterprise-portal", "subject": "ENT-00002", "jurisdiction": "liuhe.changlu.g09", "occurred_at": )" +
      std::to_string(c.h.now()) +
      R"(, "body_type": "EnterpriseSelfReport", "body": {"category": "hazardous_chemicals", "severity": "general", "description": "corroded flange on the acetone line", "rectification_plan": "replace the flange in the Thursday shutdown"}})");
  Ticket own = c.Only("hazard_disposal");
  REQUIRE(own.state == "self_rectifying");
  std::string neighbour = c.Act(own.id, "submit_evidence", "enterprise", "ENT-00057",
                                std::string(R"("note": "done", )") + kPhoto);
  CHECK(Contains(c.h.RejectionOf(neighbour), "not ENT-00057"));
  c.Act(own.id, "submit_evidence", "enterprise", "ENT-00002",
        std::string(R"("note": "flange replaced, leak-tested at 1.2 MPa", )") + kPhoto);
  own = c.Get(own.id);
  CHECK(own.state == "self_reviewing");
  CHECK(own.Fact("enterprise_note").as_string() == "flange replaced, leak-tested at 1.2 MPa");
  c.Act(own.id, "acknowledge", "staff", own.lead);
  own = c.Get(own.id);
  CHECK(own.closed);
  CHECK(own.outcome == "self_rectified");
}

TEST_CASE(
    "a gas alarm at night: the plant's own safety manager gives the cause within minutes from "
    "its account and the duty officer reviews it; a neighbouring plant cannot answer for it") {
  City c(Shanghai(2026, 3, 6, 23));  // Friday 23:00
  c.SensorAlarm("ENT-00002", "liuhe.changlu.g09", "RS-0003-GAS03", "RS-0003", "combustible_gas",
                "alarm");
  Ticket alarm = c.Only("alarm_response");
  REQUIRE(alarm.state == "awaiting_enterprise");
  std::string neighbour = c.Act(alarm.id, "record_cause", "enterprise", "ENT-00057",
                                R"("reason": "maintenance purge")");
  CHECK(Contains(c.h.RejectionOf(neighbour), "not ENT-00057"));
  c.AdvanceTo(Shanghai(2026, 3, 6, 23, 6), 60 * 1000);
  c.Act(alarm.id, "record_cause", "enterprise", "ENT-00002",
        R"("reason": "nitrogen purge of the reactor vented near the detector; stopped at 23:04")");
  alarm = c.Get(alarm.id);
  CHECK(alarm.state == "officer_review");
  CHECK(alarm.Fact("cause").as_string() ==
        "nitrogen purge of the reactor vented near the detector; stopped at 23:04");
  // Whether the cause explains the alarm is the duty officer's call, never the plant's.
  std::string accepts_itself = c.Act(alarm.id, "accept_cause", "enterprise", "ENT-00002",
                                     R"("note": "we are sure")");
  CHECK(Contains(c.h.RejectionOf(accepts_itself), "the ticket is led by nj.liuhe.emb, not ENT-00002"));
  CHECK(c.Of("hazard_disposal").empty());
}

TEST_CASE(
    "a mall answers its monthly self-inspection from its own account; saying not every item "
    "was checked is perfunctory and puts it on the key enforcement list for screening") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true});
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  std::vector<Ticket> duties;
  for (auto& t : c.Of("periodic_inspection")) {
    if (t.subject == kMall && t.category == "self_inspection") duties.push_back(t);
  }
  REQUIRE(duties.size() == 1);
  Ticket duty = duties[0];
  std::string other = c.Act(duty.id, "submit_evidence", "enterprise", kOtherMall,
                            std::string(R"("fields": [{"key": "all_items", "value": "yes"}], )") + kPhoto);
  CHECK(Contains(c.h.RejectionOf(other), "not ENT-00058"));
  std::string bad = c.Act(duty.id, "submit_evidence", "enterprise", kMall,
                          std::string(R"("fields": [{"key": "all_items", "value": "mostly"}], )") + kPhoto);
  CHECK(Contains(c.h.RejectionOf(bad), "all_items"));
  c.Act(duty.id, "submit_evidence", "enterprise", kMall,
        std::string(R"("note": "fire doors and sprinklers only", "fields": [{"key": "all_items", "value": "no"}], )") +
            kPhoto);
  duty = c.Get(duty.id);
  CHECK(duty.state == "reviewing");
  CHECK(duty.Fact("perfunctory").as_bool());
  bool listed = false;
  for (auto& t : c.Of("key_enforcement")) {
    listed = listed || (t.subject == kMall && t.parent_id == duty.id &&
                        t.Fact("trigger").as_string() == "perfunctory_self_inspection");
  }
  CHECK(listed);
}

}  // namespace
}  // namespace closeloop::workflows
