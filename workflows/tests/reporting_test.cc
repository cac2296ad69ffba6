// Loop 3 after the first report: reporting up the line (accident_report.wf), the city taking
// the lead of a 较大 accident, 迟报 and 瞒报, and the investigation with its look back a year on
// (accident_investigation.wf). 生产安全事故报告和调查处理条例 arts. 9-13, 19, 29, 32, 33.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using nlohmann::json;
constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

struct Figures {
  int deaths = 0, serious_injuries = 0;
  double loss_yuan = 0;
};

// An accident report about `subject` in Liuhe's Changlu street. `attrs` adds the record's
// attributes ("reporter" "unit": the unit itself reports; "revision" "correction": the figures
// were so from the start). `occurred_at` defaults to now.
std::string Report(City& c, const std::string& subject, const std::string& type, Figures f,
                   const std::string& attrs = "", int64_t occurred_at = 0) {
  const int64_t at = occurred_at > 0 ? occurred_at : c.h.now();
  return c.h.Publish(
      R"({"source": "110-119-120","subject": ")" + subject +
      R"(","jurisdiction": "liuhe.changlu.g09","occurred_at": )" + std::to_string(at) +
      R"(,"body_type": "IncidentReport","body": {"incident_type": ")" + type +
      R"(","level": "general","deaths": )" + std::to_string(f.deaths) +
      R"(,"serious_injuries": )" + std::to_string(f.serious_injuries) +
      R"(,"direct_loss_yuan": )" + std::to_string(f.loss_yuan) +
      (attrs.empty() ? "" : R"(,"attrs": [)" + attrs + "]") + "}}");
}

std::vector<Ticket> Duties(City& c, const std::string& to_level) {
  std::vector<Ticket> out;
  for (const auto& t : c.Of("accident_report")) {
    if (t.Fact("to_level").as_string() == to_level) out.push_back(t);
  }
  return out;
}

Ticket Duty(City& c, const std::string& to_level) {
  auto all = Duties(c, to_level);
  REQUIRE_MESSAGE(all.size() == 1, all.size() << " report duties to the " << to_level);
  return all[0];
}

std::string ReportFields(const std::string& to) {
  return R"("note": "化工厂爆炸，已组织救援","fields": [{"key": "reported_to", "value": ")" + to +
         R"("}, {"key": "channel", "value": "phone"}])";
}

TEST_CASE(
    "the district's bureau owes the city a report within 2 hours of receiving an accident, "
    "recorded with whom it went to and the figures it gave") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R1", "explosion", {1, 2, 300000});
  Ticket inc = c.Only("incident_response");
  CHECK(inc.lead == "nj.liuhe.emb");  // 一般: the district leads
  Ticket duty = Duty(c, "city");
  CHECK(duty.parent_id == inc.id);
  CHECK(duty.lead == "nj.liuhe.emb");  // the district reports it up
  CHECK(duty.state == "due");
  CHECK(duty.deadline_at == Shanghai(2026, 3, 2, 16));  // art. 11: 2 hours
  CHECK(Duties(c, "province").empty());  // 一般 accidents go no further than the city (art. 10)

  c.AdvanceTo(Shanghai(2026, 3, 2, 15, 10), 10 * kMinute);
  c.Act(duty, "report", "staff", "nj.liuhe.emb", ReportFields("市应急管理局值班室 王某"));
  duty = c.Get(duty.id);
  CHECK(duty.state == "following_up");
  CHECK(duty.Fact("reported_to").as_string() == "市应急管理局值班室 王某");
  CHECK(duty.Fact("reported_deaths").as_int() == 1);
  CHECK(duty.Fact("reported_serious_injuries").as_int() == 2);
  CHECK(duty.Fact("reports").as_int() == 1);
  CHECK(!duty.overdue);
  CHECK(c.Of("oversight_case").empty());
}

TEST_CASE(
    "a report that never comes within the 2 hours is 迟报: overdue, and a work order for the "
    "discipline inspectors") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R2", "explosion", {0, 1, 0});
  Ticket duty = Duty(c, "city");
  c.AdvanceTo(Shanghai(2026, 3, 2, 15, 50), 10 * kMinute);
  CHECK(!c.Get(duty.id).overdue);
  CHECK(c.Of("oversight_case").empty());
  c.AdvanceTo(Shanghai(2026, 3, 2, 16, 0), 10 * kMinute);
  CHECK(c.Get(duty.id).overdue);
  Ticket o = c.Only("oversight_case");
  CHECK(o.parent_id == duty.id);
  CHECK(o.lead == "nj.liuhe.jw");  // Liuhe's discipline commission
  CHECK(Contains(o.Fact("reason").as_string(), "迟报"));
  CHECK(Contains(o.Fact("reason").as_string(), "art. 11"));
  CHECK(o.Fact("origin_lead").as_string() == "nj.liuhe.emb");
  // Reported late all the same: the duty is done, the work order stands.
  c.Act(duty.id, "report", "staff", "nj.liuhe.emb", ReportFields("市应急管理局值班室"));
  CHECK(c.Get(duty.id).state == "following_up");
  CHECK(c.Of("oversight_case").size() == 1);
}

TEST_CASE(
    "a 较大 accident is the city's: the city's bureau takes the lead and owes the province its "
    "report within 2 hours; the district's staff no longer act on the incident") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R3", "explosion", {3, 0, 0});
  Ticket inc = c.Only("incident_response");
  CHECK(inc.Fact("level").as_string() == "large");
  CHECK(inc.lead == "nj.emb");
  bool moved = false;
  for (const auto& r : c.RecordsAbout("TicketEscalated", inc.id)) {
    if (Contains(r, "\"lead_city\"")) moved = Contains(r, "\"to_department\": \"nj.emb\"");
  }
  CHECK(moved);
  CHECK(Duty(c, "city").lead == "nj.liuhe.emb");  // the district still reports what it received
  Ticket up = Duty(c, "province");
  CHECK(up.lead == "nj.emb");
  CHECK(up.deadline_at == Shanghai(2026, 3, 2, 16));
  // The district's staff are refused; the city's take the incident.
  std::string refused = c.Act(inc, "sign_for", "staff", "nj.liuhe.emb");
  CHECK(!c.h.RejectionOf(refused).empty());
  CHECK(c.Get(inc.id).state == "reported");
  c.Act(inc.id, "sign_for", "commander", "nj.emb");
  CHECK(c.Get(inc.id).state == "classifying");
  c.Act(up, "report", "staff", "nj.emb", ReportFields("省应急管理厅总值班室"));
  CHECK(c.Get(up.id).state == "following_up");
}

TEST_CASE(
    "a general accident graded up by a follow-up report moves to the city then, and the "
    "province's report runs from that moment") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R4", "explosion", {1, 0, 0});
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  CHECK(Duties(c, "province").empty());
  c.AdvanceTo(Shanghai(2026, 3, 2, 15), 10 * kMinute);
  Report(c, "ACC-R4", "explosion", {3, 0, 0});  // 续报: 3 dead, 较大
  inc = c.Get(inc.id);
  CHECK(inc.Fact("level").as_string() == "large");
  CHECK(inc.lead == "nj.emb");
  Ticket up = Duty(c, "province");
  CHECK(up.deadline_at == Shanghai(2026, 3, 2, 17));
  c.Act(inc.id, "dispatch", "commander", "nj.emb");
  CHECK(c.Get(inc.id).state == "dispatched");
}

TEST_CASE(
    "casualties that change within 30 days of the accident are reported again within 2 hours; "
    "a change after the period asks for nothing and the duty closes") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R5", "explosion", {1, 2, 0});
  Ticket duty = Duty(c, "city");
  c.Act(duty, "report", "staff", "nj.liuhe.emb", ReportFields("市应急管理局值班室"));
  c.AdvanceTo(Shanghai(2026, 3, 5, 9), kHour);
  Report(c, "ACC-R5", "explosion", {2, 1, 0});  // one of the injured died
  duty = c.Get(duty.id);
  CHECK(duty.state == "followup_due");
  CHECK(duty.deadline_at == Shanghai(2026, 3, 5, 11));
  CHECK(duty.Fact("deaths").as_int() == 2);
  c.Act(duty, "report_followup", "staff", "nj.liuhe.emb",
        R"("note": "伤员1人经抢救无效死亡","fields": [{"key": "reported_to", "value": "市应急管理局"}])");
  duty = c.Get(duty.id);
  CHECK(duty.state == "following_up");
  CHECK(duty.Fact("reports").as_int() == 2);
  CHECK(duty.Fact("reported_deaths").as_int() == 2);
  // Day 31 after the accident: past art. 13's 30 days, a change asks for no report.
  c.AdvanceTo(Shanghai(2026, 4, 1, 15), 6 * kHour);
  Report(c, "ACC-R5", "explosion", {2, 0, 0});
  CHECK(c.Get(duty.id).state == "following_up");
  c.AdvanceTo(Shanghai(2026, 4, 5, 10), 6 * kHour);  // 30 days after the last report
  CHECK(c.Get(duty.id).state == "closed");
  CHECK(c.Get(duty.id).outcome == "reported");
  for (const auto& o : c.Of("oversight_case")) CHECK(o.parent_id != duty.id);  // never late
}

TEST_CASE("for a road traffic accident the follow-up period is 7 days, and a late follow-up is 迟报") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R6", "road_traffic_accident", {1, 3, 0});
  Ticket duty = Duty(c, "city");
  c.Act(duty, "report", "staff", "nj.liuhe.emb", ReportFields("市应急管理局"));
  c.AdvanceTo(Shanghai(2026, 3, 8, 14), 6 * kHour);  // day 6
  Report(c, "ACC-R6", "road_traffic_accident", {2, 2, 0});
  CHECK(c.Get(duty.id).state == "followup_due");
  c.AdvanceTo(Shanghai(2026, 3, 8, 16), 10 * kMinute);
  CHECK(c.Get(duty.id).overdue);
  int late = 0;
  for (const auto& o : c.Of("oversight_case")) {
    if (o.parent_id == duty.id) late += Contains(o.Fact("reason").as_string(), "art. 13");
  }
  CHECK(late == 1);
  c.Act(duty.id, "report_followup", "staff", "nj.liuhe.emb",
        R"("note": "续报","fields": [{"key": "reported_to", "value": "市应急管理局"}])");
  c.AdvanceTo(Shanghai(2026, 3, 10, 14), 6 * kHour);  // day 8: past the 7 days
  Report(c, "ACC-R6", "road_traffic_accident", {3, 1, 0});
  CHECK(c.Get(duty.id).state == "following_up");
  c.AdvanceTo(Shanghai(2026, 3, 15, 17), 6 * kHour);  // 7 days after the last report
  CHECK(c.Get(duty.id).state == "closed");
}

TEST_CASE(
    "figures corrected upwards later (the dead were so from the start) are 瞒报: a work order "
    "for the discipline inspectors, chained to the incident") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R7", "explosion", {1, 0, 0});
  Ticket inc = c.Only("incident_response");
  c.AdvanceTo(Shanghai(2026, 3, 2, 18), kHour);
  // An ordinary follow-up (a change since) is not concealment.
  Report(c, "ACC-R7", "explosion", {2, 0, 0});
  CHECK(!c.Get(inc.id).Fact("concealed").as_bool());
  std::vector<Ticket> before = c.Of("oversight_case");
  c.AdvanceTo(Shanghai(2026, 3, 3, 10), kHour);
  Report(c, "ACC-R7", "explosion", {5, 0, 0}, R"({"key": "revision", "value": "correction"})");
  inc = c.Get(inc.id);
  CHECK(inc.Fact("concealed").as_bool());
  CHECK(inc.Fact("deaths").as_int() == 5);
  CHECK(inc.Fact("level").as_string() == "large");
  bool found = false;
  for (const auto& o : c.Of("oversight_case")) {
    if (o.parent_id == inc.id && Contains(o.Fact("reason").as_string(), "瞒报")) found = true;
  }
  CHECK(found);
}

TEST_CASE(
    "a unit that reports its accident more than an hour after it happened has reported late "
    "(art. 9): an enforcement case against it (art. 35)") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-R8", "explosion", {0, 1, 0}, R"({"key": "reporter", "value": "unit"})",
         Shanghai(2026, 3, 2, 12, 30));
  Ticket inc = c.Only("incident_response");
  CHECK(inc.Fact("unit_report_late").as_bool());
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.parent_id == inc.id);
  CHECK(Contains(kase.Fact("reason").as_string(), "迟报"));
  // Within the hour: nothing.
  Report(c, "ACC-R9", "explosion", {0, 1, 0}, R"({"key": "reporter", "value": "unit"})",
         Shanghai(2026, 3, 2, 13, 20));
  CHECK(c.Of("enforcement_case").size() == 1);
}

// A 较大 accident through its response to the stand-down.
Ticket StoodDown(City& c, const std::string& subject) {
  Report(c, subject, "explosion", {4, 6, 12000000});
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.emb");
  c.Act(inc.id, "arrive", "commander", "nj.emb");
  c.Act(inc.id, "stand_down", "commander", "nj.emb");
  return c.Get(inc.id);
}

TEST_CASE(
    "a 较大 accident is investigated by the city within 60 days of the accident, once extended "
    "by the government in charge") {
  City c(Shanghai(2026, 3, 2, 14));
  Ticket inc = StoodDown(c, "ACC-I1");
  CHECK(inc.state == "reviewing");
  Ticket inv = c.Only("accident_investigation");
  CHECK(inv.parent_id == inc.id);
  CHECK(inv.lead == "nj.emb");  // art. 19: 较大 by the city
  CHECK(inv.deadline_at == Shanghai(2026, 3, 2, 14) + 60 * kDay);  // art. 29: from the accident
  c.Act(inv, "request_extension", "staff", "nj.emb",
        R"("days": 40, "reason": "技术鉴定尚未完成")");
  c.Act(inv.id, "approve_extension", "head", "nj.emb",
        R"("fields": [{"key": "authority", "value": "南京市人民政府"}])");
  inv = c.Get(inv.id);
  CHECK(inv.extensions == 1);
  CHECK(inv.Fact("extension_authority").as_string() == "南京市人民政府");
  CHECK(inv.deadline_at > Shanghai(2026, 3, 2, 14) + 60 * kDay);
  // A second extension is not the rule's.
  std::string again = c.Act(inv.id, "request_extension", "staff", "nj.emb",
                            R"("days": 5, "reason": "再次延期")");
  CHECK(!c.h.RejectionOf(again).empty());
}

TEST_CASE("a general accident is not investigated by this workflow") {
  City c(Shanghai(2026, 3, 2, 14));
  Report(c, "ACC-I2", "explosion", {1, 0, 0});
  Ticket inc = c.Only("incident_response");
  c.Act(inc, "sign_for", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "dispatch", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "arrive", "commander", "nj.liuhe.emb");
  c.Act(inc.id, "stand_down", "commander", "nj.liuhe.emb");
  CHECK(c.Get(inc.id).state == "reviewing");
  CHECK(c.Of("accident_investigation").empty());
}

TEST_CASE(
    "the investigation's answer is carried out as chained tickets (a penalty case, "
    "accountability, a rectification order) and looked back on a year later") {
  City c(Shanghai(2026, 3, 2, 14));
  StoodDown(c, "ACC-I3");
  Ticket inv = c.Only("accident_investigation");
  c.AdvanceTo(Shanghai(2026, 4, 20, 10), 6 * kHour);
  c.Act(inv, "submit_report", "staff", "nj.emb",
        R"("reason": "违规动火作业引发爆炸","evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])");
  inv = c.Get(inv.id);
  CHECK(inv.state == "answering");
  CHECK(inv.deadline_at == Shanghai(2026, 5, 5, 10));  // art. 32: 15 days
  c.Act(inv, "record_answer", "head", "nj.emb", R"("note": "同意调查报告")");
  CHECK(c.Get(inv.id).state == "implementing");
  // The measures must be ordered before the answer counts as carried out.
  std::string early = c.Act(inv.id, "implemented", "head", "nj.emb");
  CHECK(!c.h.RejectionOf(early).empty());
  c.Act(inv.id, "refer_case", "staff", "nj.emb", R"("reason": "对事故企业处以罚款")");
  c.Act(inv.id, "refer_accountability", "staff", "nj.emb",
        R"("reason": "属地监管人员未履行检查职责")");
  c.Act(inv.id, "order_measures", "staff", "nj.emb", R"("reason": "动火作业审批制度整改")");
  bool kase = false, accountability = false, order = false;
  for (const auto& t : c.h.Tickets()) {
    if (t.parent_id != inv.id) continue;
    if (t.workflow == "enforcement_case") kase = Contains(t.Fact("reason").as_string(), "罚款");
    if (t.workflow == "oversight_case")
      accountability = Contains(t.Fact("reason").as_string(), "监管人员");
    if (t.workflow == "hazard_disposal") order = t.severity == "major";
  }
  CHECK(kase);
  CHECK(accountability);
  CHECK(order);
  c.Act(inv.id, "implemented", "head", "nj.emb");
  CHECK(c.Get(inv.id).state == "awaiting_lookback");
  c.AdvanceTo(Shanghai(2027, 4, 21, 10), kDay);
  inv = c.Get(inv.id);
  REQUIRE(inv.state == "lookback");
  c.Act(inv, "lookback_pass", "supervisor", "nj.awb",
        R"("note": "整改措施已落实","evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])");
  CHECK(c.Get(inv.id).outcome == "measures_in_place");
}

TEST_CASE("an investigation past its 60 days is overdue, and then the discipline inspectors'") {
  City c(Shanghai(2026, 3, 2, 14));
  StoodDown(c, "ACC-I4");
  Ticket inv = c.Only("accident_investigation");
  c.AdvanceTo(Shanghai(2026, 5, 1, 15), 6 * kHour);
  CHECK(c.Get(inv.id).overdue);
  c.AdvanceTo(Shanghai(2026, 5, 20, 15), 6 * kHour);
  bool found = false;
  for (const auto& o : c.Of("oversight_case")) {
    if (o.parent_id == inv.id) found = Contains(o.Fact("reason").as_string(), "investigation");
  }
  CHECK(found);
}

}  // namespace
}  // namespace closeloop::workflows
