// Loop 1, the way in from the sensors: alarm_response.wf (the monitoring centre) and the
// disposal order it hands to the department (hazard_disposal.wf), on the Nanjing reference data.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

// ENT-00002, Nanjing Xinyuan New Materials, in the Jiangbei chemical park (Liuhe district);
// RS-0003 is its acetone process unit, a major hazard source with a combustible-gas detector.
const char* kPlant = "ENT-00002";
const char* kGrid = "liuhe.changlu.g09";
constexpr int64_t kMinute = 60 * 1000;

// What the monitoring system sends about RS-0003: a reading, with the source's grade and, when
// the enterprise has answered on its terminal, the cause it gave.
std::string Reading(City& c, const std::string& level, const std::string& state = "alarm",
                    const std::string& grade = "", const std::string& cause = "",
                    const std::string& source = "RS-0003") {
  std::string attrs;
  auto attr = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    attrs += std::string(attrs.empty() ? "" : ", ") + R"({"key": ")" + k + R"(", "value": ")" + v +
             R"("})";
  };
  attr("grade", grade);
  attr("cause", cause);
  return c.h.Publish(
      R"({"source": "iot-platform", "subject": ")" + std::string(kPlant) +
      R"(", "jurisdiction": ")" + kGrid + R"(", "occurred_at": )" + std::to_string(c.h.now()) +
      R"(, "body_type": "SensorAlarm", "body": {"sensor_id": ")" + source +
      R"(-GAS03", "risk_source_id": ")" + source +
      R"(", "measure": "combustible_gas", "state": ")" + state + R"(", "level": ")" + level +
      R"(", "value": 31.5, "threshold": 25.0, "unit": "%LEL", "attrs": [)" + attrs + "]}}");
}

std::vector<std::string> Rules(const std::vector<std::string>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(BodyField(r, "rule"));
  return out;
}

TEST_CASE(
    "a critical gas alarm on a Friday night at a grade-one source: the enterprise does not "
    "answer in 10 minutes, the duty officer cannot explain it in 30, and the department has a "
    "disposal order before midnight, to sign for in 30 minutes and verify by 4 in the morning") {
  City c(Shanghai(2026, 3, 6, 23));  // Friday 23:00
  Reading(c, "critical", "alarm", "1");
  Ticket alarm = c.Only("alarm_response");
  CHECK(alarm.lead == "nj.liuhe.emb");  // the district's monitoring centre
  CHECK(alarm.state == "awaiting_enterprise");
  CHECK(alarm.severity == "major");
  CHECK(alarm.Fact("grade").as_string() == "1");
  CHECK(alarm.deadline_at == Shanghai(2026, 3, 6, 23, 10));  // minutes, not working days
  // A critical alarm at a grade-one source: the head of the bureau is told at once.
  CHECK(Has(Rules(c.RecordsAbout("TicketEscalated", alarm.id)), "grade_one"));
  CHECK(c.Of("hazard_disposal").empty());

  c.AdvanceTo(Shanghai(2026, 3, 6, 23, 11), kMinute);
  alarm = c.Get(alarm.id);
  CHECK(alarm.state == "following_up");  // no answer from the enterprise
  CHECK(alarm.deadline_at == Shanghai(2026, 3, 6, 23, 40));
  CHECK(c.Of("hazard_disposal").empty());

  c.AdvanceTo(Shanghai(2026, 3, 6, 23, 41), kMinute);
  alarm = c.Get(alarm.id);
  CHECK(alarm.state == "handed_over");
  CHECK(alarm.Fact("disposal_reason").as_string() ==
        "unexplained: no cause given within the response time");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.parent_id == alarm.id);
  CHECK(order.chain_id == alarm.chain_id);
  CHECK(order.lead == "nj.liuhe.emb");
  CHECK(Has(order.assist, "nj.liuhe.chempark"));
  CHECK(order.severity == "major");
  CHECK(order.state == "dispatched");
  CHECK(order.Fact("channel").as_string() == "sensor");
  CHECK(order.Fact("risk_source").as_string() == "RS-0003");
  CHECK(order.Fact("alarm_reason").as_string() ==
        "unexplained: no cause given within the response time");
  CHECK(order.deadline_at == Shanghai(2026, 3, 6, 23, 40) + 30 * kMinute);  // Saturday 00:10
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  order = c.Get(order.id);
  CHECK(order.state == "verifying");
  CHECK(order.deadline_at == Shanghai(2026, 3, 7, 3, 41));  // on site by Saturday 03:41

  // A reading back to normal with no cause closes nothing: the department still verifies.
  Reading(c, "none", "normal");
  CHECK(c.Get(order.id).state == "verifying");
  // Later readings of the source join the alarm episode, not a second order.
  Reading(c, "critical");
  CHECK(c.Of("hazard_disposal").size() == 1);
  CHECK(c.Of("alarm_response").size() == 1);
  // The episode closes 12 hours after the hand-over.
  c.AdvanceTo(Shanghai(2026, 3, 7, 12), 30 * kMinute);
  CHECK(c.Get(alarm.id).closed);
  CHECK(c.Get(alarm.id).outcome == "disposal_order");
}

TEST_CASE(
    "the enterprise confirms the alarm within minutes and gives its cause; the duty officer "
    "accepts it and no disposal order is opened") {
  City c(Shanghai(2026, 3, 7, 2));  // Saturday, 2 in the morning
  Reading(c, "alarm", "alarm", "3");
  Ticket alarm = c.Only("alarm_response");
  CHECK(alarm.severity == "general");
  CHECK(alarm.deadline_at == Shanghai(2026, 3, 7, 2, 15));  // grade three: 15 minutes
  CHECK(!Has(Rules(c.RecordsAbout("TicketEscalated", alarm.id)), "grade_one"));

  c.AdvanceTo(Shanghai(2026, 3, 7, 2, 6), kMinute);
  // A normal reading alone explains nothing: the ticket still waits for the enterprise.
  Reading(c, "none", "normal", "3");
  alarm = c.Get(alarm.id);
  CHECK(alarm.state == "awaiting_enterprise");
  CHECK(alarm.Fact("back_to_normal").as_bool());
  c.AdvanceTo(Shanghai(2026, 3, 7, 2, 8), kMinute);
  Reading(c, "none", "normal", "3", "line purge during planned maintenance, work permit WP-0307");
  alarm = c.Get(alarm.id);
  CHECK(alarm.state == "officer_review");
  CHECK(alarm.Fact("cause").as_string() ==
        "line purge during planned maintenance, work permit WP-0307");
  CHECK(alarm.deadline_at == Shanghai(2026, 3, 7, 2, 38));

  std::string bare = c.Act(alarm, "accept_cause", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(bare), "note: required by accept_cause"));
  c.Act(alarm.id, "accept_cause", "staff", "nj.liuhe.emb",
        R"("note": "permit checked with the plant's shift leader")");
  alarm = c.Get(alarm.id);
  CHECK(alarm.closed);
  CHECK(alarm.outcome == "explained");
  CHECK(c.Of("hazard_disposal").empty());
  CHECK(c.RecordsAbout("TicketOverdue", alarm.id).empty());
}

TEST_CASE(
    "an alarm that rises to critical, or comes back after returning to normal, is a disposal "
    "order at once, whatever the enterprise says") {
  SUBCASE("escalating") {
    City c(Shanghai(2026, 3, 2, 14));
    Reading(c, "alarm", "alarm", "2");
    Ticket alarm = c.Only("alarm_response");
    CHECK(alarm.deadline_at == Shanghai(2026, 3, 2, 14, 10));  // grade two: 10 minutes
    c.AdvanceTo(Shanghai(2026, 3, 2, 14, 3), kMinute);
    Reading(c, "alarm", "alarm", "2", "process fluctuation at start-up");
    CHECK(c.Get(alarm.id).state == "officer_review");
    Reading(c, "critical", "alarm", "2");
    alarm = c.Get(alarm.id);
    CHECK(alarm.state == "handed_over");
    CHECK(alarm.Fact("disposal_reason").as_string() == "escalating: alarm rose to critical");
    Ticket order = c.Only("hazard_disposal");
    CHECK(order.severity == "major");
    CHECK(order.Fact("alarm_cause").as_string() == "process fluctuation at start-up");
  }
  SUBCASE("repeated") {
    City c(Shanghai(2026, 3, 2, 14));
    Reading(c, "alarm");
    Reading(c, "alarm");  // still in alarm: one more reading, not a repeat
    Ticket alarm = c.Get(c.Only("alarm_response").id);
    CHECK(alarm.Fact("alarms").as_int() == 2);
    CHECK(alarm.state == "awaiting_enterprise");
    Reading(c, "none", "normal");
    CHECK(c.Of("hazard_disposal").empty());
    Reading(c, "alarm");
    alarm = c.Get(alarm.id);
    CHECK(alarm.state == "handed_over");
    CHECK(alarm.Fact("disposal_reason").as_string() ==
          "repeated: alarmed again after returning to normal");
    CHECK(c.Only("hazard_disposal").severity == "general");
  }
  SUBCASE("the duty officer decides") {
    City c(Shanghai(2026, 3, 2, 14));
    Reading(c, "alarm");
    Ticket alarm = c.Only("alarm_response");
    c.Act(alarm, "record_cause", "staff", "nj.liuhe.emb",
          R"("reason": "the plant says: sensor fault", "note": "telephone, shift leader")");
    CHECK(c.Get(alarm.id).state == "officer_review");
    c.Act(alarm.id, "order_disposal", "staff", "nj.liuhe.emb",
          R"("reason": "third sensor fault this month: verify on site")");
    CHECK(c.Only("hazard_disposal").Fact("alarm_reason").as_string() ==
          "third sensor fault this month: verify on site");
  }
}

TEST_CASE("warnings are counted: the third warning at one source within 24 hours is an order") {
  City c(Shanghai(2026, 3, 2, 9));
  Reading(c, "warning");
  Ticket watch = c.Only("alarm_response");
  CHECK(watch.state == "watching");
  CHECK(watch.deadline_at == 0);  // nothing to answer yet
  c.AdvanceTo(Shanghai(2026, 3, 2, 15), 30 * kMinute);
  Reading(c, "warning");
  Reading(c, "warning", "alarm", "", "", "RS-0004");  // another source: its own count
  CHECK(c.Get(watch.id).Fact("warnings").as_int() == 2);
  CHECK(c.Of("hazard_disposal").empty());
  c.AdvanceTo(Shanghai(2026, 3, 3, 8), 30 * kMinute);
  Reading(c, "warning");
  watch = c.Get(watch.id);
  CHECK(watch.state == "handed_over");
  CHECK(watch.Fact("warnings").as_int() == 3);
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.Fact("alarm_reason").as_string() == "repeated warnings: 3 within 24 hours");
  CHECK(order.Fact("risk_source").as_string() == "RS-0003");

  // RS-0004's two warnings age out: its count closes below the threshold.
  c.AdvanceTo(Shanghai(2026, 3, 3, 16), 30 * kMinute);
  for (const auto& t : c.Of("alarm_response")) {
    if (t.Fact("risk_source").as_string() != "RS-0004") continue;
    CHECK(t.closed);
    CHECK(t.outcome == "warnings_below_threshold");
  }
  CHECK(c.Of("hazard_disposal").size() == 1);
}

TEST_CASE("a warning count becomes an alarm response when the source goes into alarm") {
  City c(Shanghai(2026, 3, 2, 9));
  Reading(c, "warning");
  Reading(c, "critical");
  Ticket t = c.Only("alarm_response");
  CHECK(t.state == "awaiting_enterprise");
  CHECK(t.severity == "major");
  CHECK(t.deadline_at == Shanghai(2026, 3, 2, 9, 15));
}

}  // namespace
}  // namespace closeloop::workflows
