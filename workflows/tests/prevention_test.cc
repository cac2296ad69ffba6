// Loop 1, prevention / verification: hazard_disposal.wf on the Nanjing reference data.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

// ENT-00002, Nanjing Xinyuan New Materials, in the Jiangbei chemical park (Liuhe district);
// RS-0003 is its acetone process unit, a major hazard source with a combustible-gas detector.
const char* kPlant = "ENT-00002";
const char* kGrid = "liuhe.changlu.g09";

std::string GasAlarm(City& c, const std::string& level = "critical",
                     const std::string& sensor = "RS-0003-GAS03",
                     const std::string& source = "RS-0003") {
  return c.SensorAlarm(kPlant, kGrid, sensor, source, "combustible_gas", level);
}

TEST_CASE(
    "a combustible-gas alarm at a major hazard source that the plant does not explain is handed "
    "by the monitoring centre to the emergency-management bureau of its district, signed for "
    "within 30 minutes, rectification overdue by five working days, and lands with the "
    "discipline inspectors as a chained oversight ticket") {
  City c(Shanghai(2026, 3, 2, 9));  // Monday
  GasAlarm(c);
  Ticket alarm = c.Only("alarm_response");
  CHECK(c.Of("hazard_disposal").empty());  // the enterprise answers first
  c.AdvanceTo(Shanghai(2026, 3, 2, 9, 5), 60 * 1000);
  c.Act(alarm, "order_disposal", "staff", "nj.liuhe.emb",
        R"("reason": "the plant's shift leader cannot say why the detector alarms")");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.parent_id == alarm.id);
  CHECK(order.lead == "nj.liuhe.emb");  // hazardous chemicals in Liuhe
  CHECK(Has(order.assist, "nj.liuhe.chempark"));
  CHECK(order.severity == "major");
  CHECK(order.deadline_at == Shanghai(2026, 3, 2, 9, 35));  // 30 minutes to sign for

  c.AdvanceTo(Shanghai(2026, 3, 2, 9, 20), 60 * 1000);
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  CHECK(c.RecordsAbout("TicketOverdue", order.id).empty());  // signed for in time
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.emb",
        R"("note": "gas detector reading confirmed, flange leak at the reactor outlet")");
  order = c.Get(order.id);
  CHECK(order.state == "rectifying");
  // A confirmed major hazard is also an enforcement matter; that case is filed at once (its
  // own limits are enforcement_case's business, tested with loop 2).
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-017")");
  // The assisting departments answer (their own silence is another rule: assist_test.cc).
  for (const char* assist : {"nj.liuhe.chempark", "nj.liuhe.fire", "nj.liuhe.eco"}) {
    c.Act(order.id, "assist_feedback", "staff", assist, R"("note": "checked within our remit")");
  }
  // Major hazard: 30 working days from Monday 2 March, across Qingming (4-6 April): the close
  // of Tuesday 14 April.
  CHECK(order.deadline_at == Shanghai(2026, 4, 14, 17));

  // Nobody rectifies. At the limit: overdue and the head told; two working days on: the
  // parent department; five working days on (close of Tuesday 21 April): the inspectors.
  c.AdvanceTo(Shanghai(2026, 4, 21, 12), 4 * 3600 * 1000);
  CHECK(c.Get(order.id).overdue);
  CHECK(c.Of("oversight_case").empty());
  auto escalated = c.RecordsAbout("TicketEscalated", order.id);
  REQUIRE(escalated.size() >= 2);
  CHECK(BodyField(escalated[0], "action") == "notify_head");
  CHECK(BodyField(escalated[1], "action") == "escalate_parent");
  CHECK(BodyField(escalated[1], "to_department") == "nj.liuhe.awb");

  c.AdvanceTo(Shanghai(2026, 4, 22, 9), 3600 * 1000);
  Ticket oversight = c.Only("oversight_case");
  CHECK(oversight.parent_id == order.id);
  CHECK(oversight.chain_id == order.chain_id);  // one chain: the auditor reads it whole
  CHECK(oversight.lead == "nj.liuhe.jw");       // Liuhe's discipline commission
  CHECK(oversight.state == "received");
  CHECK(oversight.Fact("origin").as_string() == order.id);
  CHECK(oversight.Fact("origin_lead").as_string() == "nj.liuhe.emb");
  CHECK(oversight.Fact("reason").as_string() == "overdue by 5 working days in rectifying");
  auto chained = c.RecordsAbout("TicketChained", order.id);
  CHECK(Has({BodyField(chained.back(), "rule")}, "oversight"));

  // The inspectors sign for it, read the chain and decide; a decision needs its reasons.
  c.Act(oversight, "sign_for", "inspector", "nj.liuhe.jw");
  std::string bare = c.Act(oversight.id, "record_decision", "inspector", "nj.liuhe.jw",
                           R"("fields": [{"key": "decision", "value": "admonishment"}])");
  CHECK(Contains(c.h.RejectionOf(bare), "reason: required by record_decision"));
  std::string unknown =
      c.Act(oversight.id, "record_decision", "inspector", "nj.liuhe.jw",
            R"("reason": "x", "fields": [{"key": "decision", "value": "a stern look"}])");
  CHECK(Contains(c.h.RejectionOf(unknown), "decision: one of none, criticism"));
  c.Act(
      oversight.id, "record_decision", "inspector", "nj.liuhe.jw",
      R"("reason": "no rectification for 35 working days", "fields": [{"key": "decision", "value": "admonishment"}])");
  CHECK(c.Get(oversight.id).Fact("accountability").as_string() == "admonishment");
  c.Act(oversight.id, "close", "inspector", "nj.liuhe.jw");
  CHECK(c.Get(oversight.id).closed);
}

TEST_CASE(
    "an alarm storm at one hazard source is one alarm response, every later reading attached to "
    "it, and one disposal order when the storm rises to critical") {
  City c;
  for (int i = 0; i < 20; ++i) {
    GasAlarm(c, i % 3 == 0 ? "alarm" : "critical");
    c.SensorAlarm(kPlant, kGrid, "RS-0003-TE01", "RS-0003", "temperature", "critical");
  }
  GasAlarm(c, "critical", "RS-0004-GAS03", "RS-0004");  // another hazard source: its own
  GasAlarm(c, "warning", "RS-0005-GAS04", "RS-0005");   // a warning is counted, not answered
  auto alarms = c.Of("alarm_response");
  REQUIRE(alarms.size() == 3);
  size_t attached = 0;
  for (const auto& t : alarms) {
    attached += c.RecordsAbout("EventAttached", t.id).size();
    const std::string source = t.Fact("risk_source").as_string();
    CHECK(t.state == (source == "RS-0003"   ? "handed_over"
                      : source == "RS-0004" ? "awaiting_enterprise"
                                            : "watching"));
  }
  CHECK(attached == 39);
  Ticket order = c.Only("hazard_disposal");  // the storm rose from alarm to critical
  CHECK(order.Fact("risk_source").as_string() == "RS-0003");
  CHECK(order.Fact("alarm_reason").as_string() == "escalating: alarm rose to critical");
}

TEST_CASE("a false alarm verified on site is dismissed with its reason and opens nothing else") {
  City c;
  GasAlarm(c, "alarm");
  c.Act(c.Only("alarm_response"), "order_disposal", "staff", "nj.liuhe.emb",
        R"("reason": "detector keeps alarming, the plant says it is fine: check on site")");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.severity == "general");
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  std::string no_reason = c.Act(order.id, "dismiss", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(no_reason), "reason: required by dismiss"));
  c.Act(order.id, "dismiss", "staff", "nj.liuhe.emb",
        R"("reason": "detector drift after calibration; portable meter reads 0 %LEL")");
  order = c.Get(order.id);
  CHECK(order.closed);
  CHECK(order.outcome == "false_alarm");
  CHECK(order.Fact("dismiss_reason").as_string() ==
        "detector drift after calibration; portable meter reads 0 %LEL");
  CHECK(c.Of("enforcement_case").empty());
  CHECK(c.Of("oversight_case").empty());
}

TEST_CASE("two departments return an order to each other three times and it goes to arbitration") {
  City c;
  c.HazardReport("ENT-00002", kGrid, "gas", "general");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.lead == "nj.liuhe.cgj");  // gas: urban management
  c.AdvanceTo(Shanghai(2026, 3, 2, 9, 30));
  c.Act(
      order, "return", "staff", "nj.liuhe.cgj",
      R"("reason": "a pipeline inside the plant: emergency management's", "to_department": "nj.liuhe.emb")");
  c.Act(order.id, "return", "staff", "nj.liuhe.emb",
        R"("reason": "town gas supply: urban management's", "to_department": "nj.liuhe.cgj")");
  CHECK(c.RecordsAbout("TicketEscalated", order.id).empty());
  c.Act(order.id, "return", "staff", "nj.liuhe.cgj",
        R"("reason": "still not ours", "to_department": "nj.liuhe.emb")");
  Ticket now = c.Get(order.id);
  CHECK(now.returns == 3);
  CHECK(now.deadline_at == order.deadline_at);  // returning never stops or restarts the clock
  auto escalated = c.RecordsAbout("TicketEscalated", order.id);
  REQUIRE(escalated.size() == 1);
  CHECK(BodyField(escalated[0], "action") == "arbitration");
  CHECK(BodyField(escalated[0], "to_department") == "nj.liuhe.awb");
  // The office arbitrates: it assigns the order, and the assignee signs for it.
  c.Act(
      order.id, "transfer", "supervisor", "nj.liuhe.awb",
      R"("reason": "arbitration: leak at the plant's own pipeline", "to_department": "nj.liuhe.emb")");
  c.Act(order.id, "sign_for", "staff", "nj.liuhe.emb");
  CHECK(c.Get(order.id).state == "verifying");
}

TEST_CASE("extensions are approved or denied by the office, and refused past the policy's limits") {
  City c;
  c.HazardReport("ENT-00002", kGrid, "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.lead == "nj.liuhe.fire");
  c.Act(order, "sign_for", "staff", "nj.liuhe.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.fire");
  order = c.Get(order.id);
  CHECK(order.deadline_at == Shanghai(2026, 3, 9, 17));  // general: 5 working days

  std::string too_long = c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
                               R"("days": 11, "reason": "parts on order")");
  CHECK(Contains(c.h.RejectionOf(too_long), "at most 10 working days"));
  c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
        R"("days": 3, "reason": "fire doors on order")");
  std::string self = c.Act(order.id, "approve_extension", "staff", "nj.liuhe.fire");
  CHECK(Contains(c.h.RejectionOf(self), "needs role supervisor"));  // not by the unit itself
  c.Act(order.id, "approve_extension", "supervisor", "nj.liuhe.awb");
  CHECK(c.Get(order.id).deadline_at == Shanghai(2026, 3, 12, 17));
  c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
        R"("days": 5, "reason": "installer busy")");
  c.Act(order.id, "deny_extension", "supervisor", "nj.liuhe.awb",
        R"("reason": "another installer is available")");
  CHECK(c.Get(order.id).deadline_at == Shanghai(2026, 3, 12, 17));
  c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire", R"("days": 2, "reason": "x")");
  c.Act(order.id, "approve_extension", "supervisor", "nj.liuhe.awb");
  CHECK(c.Get(order.id).extensions == 2);
  std::string third = c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
                            R"("days": 1, "reason": "one more day")");
  CHECK(Contains(c.h.RejectionOf(third), "the most allowed"));
}

TEST_CASE(
    "an extension approved on an overdue order gives real time from today, and the order gets "
    "exactly one oversight ticket, ever") {
  City c;  // Monday 2 March 2026
  c.HazardReport("ENT-00002", kGrid, "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.fire");
  CHECK(c.Get(order.id).deadline_at == Shanghai(2026, 3, 9, 17));
  // The assisting department answers (its silence would be a second oversight ticket).
  c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.emb", R"("note": "no chemicals stored")");

  // Nobody rectifies: overdue on 9 March, the parent on 11 March, the inspectors on the
  // close of 16 March (limit + 5 working days).
  c.AdvanceTo(Shanghai(2026, 3, 17, 10), 4 * 3600 * 1000);
  REQUIRE(c.Of("oversight_case").size() == 1);

  // Now the unit asks for three more working days and the office grants them: the new
  // deadline is three working days from today, not from 9 March (which would be past).
  c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
        R"("days": 3, "reason": "fire doors on order")");
  c.Act(order.id, "approve_extension", "supervisor", "nj.liuhe.awb");
  order = c.Get(order.id);
  CHECK(order.deadline_at == Shanghai(2026, 3, 20, 17));
  CHECK_FALSE(order.overdue);

  // The unit misses that deadline too: the order is overdue again (a new lateness), but the
  // lateness already escalated is not escalated to the parent again, and no second oversight
  // ticket opens, through a second extension either.
  c.AdvanceTo(Shanghai(2026, 3, 25, 10), 4 * 3600 * 1000);
  CHECK(c.Get(order.id).overdue);
  c.Act(order.id, "request_extension", "staff", "nj.liuhe.fire",
        R"("days": 2, "reason": "installer ill")");
  c.Act(order.id, "approve_extension", "supervisor", "nj.liuhe.awb");
  CHECK(c.Get(order.id).deadline_at == Shanghai(2026, 3, 27, 17));
  c.AdvanceTo(Shanghai(2026, 4, 20, 10), 4 * 3600 * 1000);
  auto parents = [&] {
    size_t n = 0;
    for (const auto& e : c.RecordsAbout("TicketEscalated", order.id)) {
      if (BodyField(e, "action") == "escalate_parent") ++n;
    }
    return n;
  };
  CHECK(parents() == 1);
  CHECK(c.RecordsAbout("TicketOverdue", order.id).size() == 3);
  CHECK(c.Of("oversight_case").size() == 1);

  // Evidence that fails review sends it back to rectifying, a new visit with a new limit;
  // missed again, still no second oversight ticket for the same reason.
  c.Act(
      order.id, "submit_evidence", "staff", "nj.liuhe.fire",
      R"("note": "doors fitted", "evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  c.Act(order.id, "review_fail", "supervisor", "nj.liuhe.awb", R"("reason": "wrong doors")");
  CHECK(c.Get(order.id).state == "rectifying");
  c.AdvanceTo(Shanghai(2026, 5, 20, 10), 4 * 3600 * 1000);
  CHECK(c.Of("oversight_case").size() == 1);
  CHECK(c.RecordsAbout("TicketChained", order.id).size() == 1);
}

TEST_CASE("a hazard confirmed major on site also opens an enforcement case chained to the order") {
  City c;
  c.HazardReport("ENT-00002", kGrid, "hazardous_chemicals", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.emb",
        R"("fields": [{"key": "severity", "value": "major"}])");
  order = c.Get(order.id);
  CHECK(order.severity == "major");
  CHECK(order.deadline_at == Shanghai(2026, 4, 14, 17));  // the major-hazard limit
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.parent_id == order.id);
  CHECK(kase.state == "filing");
  CHECK(kase.lead == "nj.liuhe.emb");
  CHECK(kase.Fact("reason").as_string() == "confirmed major hazard");
}

TEST_CASE("a rectification deadline counts the Spring Festival out and the make-up Saturday in") {
  City c(Shanghai(2026, 2, 12, 10));  // Thursday before the Spring Festival holiday
  c.HazardReport("ENT-00002", kGrid, "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.fire");
  // Friday 13, Saturday 14 (a make-up working day), then 15-23 February off: Tuesday 24,
  // Wednesday 25, Thursday 26.
  CHECK(c.Get(order.id).deadline_at == Shanghai(2026, 2, 26, 17));
}

TEST_CASE("a rectification that fails review twice is unresolved and goes to the inspectors") {
  City c;
  c.HazardReport("ENT-00002", kGrid, "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.fire");
  for (int i = 0; i < 2; ++i) {
    c.Act(
        order.id, "submit_evidence", "staff", "nj.liuhe.fire",
        R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"], "note": "exit cleared")");
    c.Act(order.id, "review_fail", "supervisor", "nj.liuhe.awb",
          R"("reason": "the exit is blocked again")");
  }
  CHECK(c.Get(order.id).reopens == 2);
  Ticket oversight = c.Only("oversight_case");
  CHECK(oversight.parent_id == order.id);
  CHECK(oversight.Fact("reason").as_string() == "rectification failed review twice");
  c.Act(
      order.id, "submit_evidence", "staff", "nj.liuhe.fire",
      R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])");
  c.Act(order.id, "review_pass", "supervisor", "nj.liuhe.awb");
  CHECK(c.Get(order.id).outcome == "rectified");
}

TEST_CASE("a hotline report of a blocked fire exit is one order however many people call") {
  City c;
  for (int i = 0; i < 4; ++i)
    c.HazardReport("ADDR-XW-0001", "xuanwu.meiyuan", "fire_safety", "general");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.lead == "nj.xuanwu.fire");
  CHECK(c.RecordsAbout("EventAttached", order.id).size() == 3);
}

}  // namespace
}  // namespace closeloop::workflows
