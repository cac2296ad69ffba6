// Loop 2, violation / oversight: enforcement_case.wf, key_enforcement.wf, oversight_case.wf.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

std::string Finding(City& c, const std::string& law_ref) {
  return c.h.Publish(
      R"({"source": "enforcement-inspection","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
      R"("occurred_at": )" +
      std::to_string(c.h.now()) +
      R"(,"body_type": "InspectionFinding","body": {"inspection_id": "INSP-2026-031","kind": "special",)"
      R"("category": "hazardous_chemicals","severity": "major","law_ref": ")" +
      law_ref + R"("}})");
}

TEST_CASE("an enforcement case runs filing, investigation, decision, execution and closure") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  CHECK(c.Of("hazard_disposal").size() == 1);  // the finding is also a disposal order
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.lead == "nj.liuhe.emb");
  CHECK(kase.Fact("law_ref").as_string() == "安全生产法 第一百零一条");
  CHECK(kase.deadline_at == Shanghai(2026, 3, 23, 17));  // 15 working days to file
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-031")");
  kase = c.Get(kase.id);
  CHECK(kase.state == "investigating");
  CHECK(kase.Fact("case_id").as_string() == "LH-2026-031");
  CHECK(kase.deadline_at == Shanghai(2026, 5, 1, 9));  // 60 days, calendar time
  c.Act(
      kase.id, "submit_evidence", "staff", "nj.liuhe.emb",
      R"("evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])");
  c.Act(kase.id, "request_hearing", "staff", "nj.liuhe.emb");
  CHECK(c.Get(kase.id).Fact("hearing_requested").as_bool());
  c.Act(kase.id, "decide_penalty", "staff", "nj.liuhe.emb", R"("reason": "fine 50,000 yuan")");
  CHECK(c.Get(kase.id).state == "executing");
  c.Act(kase.id, "record_execution", "staff", "nj.liuhe.emb");
  std::string staff_close = c.Act(kase.id, "close", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(staff_close), "needs role head"));
  c.Act(kase.id, "close", "head", "nj.liuhe.emb");
  kase = c.Get(kase.id);
  CHECK(kase.closed);
  CHECK(kase.outcome == "executed");
}

TEST_CASE(
    "an enforcement case past its statutory limit is escalated and then goes to the discipline "
    "inspectors") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-032")");
  // Investigation limit: 60 days (to 1 May 09:00); with the 30 of the decision, the 90 days of
  // the Administrative Penalty Law art. 60. Nobody moves the case.
  c.AdvanceTo(Shanghai(2026, 5, 1, 10), 6 * 3600 * 1000);
  kase = c.Get(kase.id);
  CHECK(kase.overdue);
  auto from = [&](const std::string& parent) {
    size_t n = 0;
    for (const auto& o : c.Of("oversight_case")) n += o.parent_id == parent;
    return n;
  };
  CHECK(from(kase.id) == 0);
  // 10 working days past the limit (May Day 1-5 off, Saturday 9 May worked): close of 18 May.
  c.AdvanceTo(Shanghai(2026, 5, 18, 12), 6 * 3600 * 1000);
  CHECK(from(kase.id) == 0);
  c.AdvanceTo(Shanghai(2026, 5, 19, 9), 6 * 3600 * 1000);
  CHECK(from(kase.id) == 1);
  bool from_case = false;
  for (const auto& o : c.Of("oversight_case")) {
    if (o.parent_id == kase.id) {
      from_case = true;
      CHECK(o.Fact("reason").as_string() ==
            "enforcement case past its statutory limit in investigating");
      CHECK(o.lead == "nj.liuhe.jw");
    }
  }
  CHECK(from_case);
}

TEST_CASE("an investigation extension needs the head of the department and at most two are given") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-033")");
  int64_t before = c.Get(kase.id).deadline_at;
  c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb",
        R"("days": 20, "reason": "expert appraisal of the tank pending")");
  std::string by_office = c.Act(kase.id, "approve_extension", "supervisor", "nj.liuhe.awb");
  CHECK(Contains(c.h.RejectionOf(by_office), "needs role head"));
  c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb");
  CHECK(c.Get(kase.id).deadline_at > before);
  c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb", R"("days": 10, "reason": "x")");
  c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb");
  std::string third =
      c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb", R"("days": 10, "reason": "y")");
  CHECK(Contains(c.h.RejectionOf(third), "the most allowed"));
}

TEST_CASE("an oversight ticket escalates to the city commission when the district's sits on it") {
  City c(Shanghai(2026, 3, 2, 9));
  c.HazardReport("ENT-00002", "liuhe.changlu.g09", "hazardous_chemicals", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "report_dereliction", "supervisor", "nj.liuhe.awb",
        R"("reason": "the unit ignores orders from the park")");
  Ticket oversight = c.Only("oversight_case");
  CHECK(oversight.Fact("reason").as_string() ==
        "dereliction reported by the safety-committee office");
  CHECK(oversight.deadline_at == Shanghai(2026, 3, 4, 17));  // 2 working days to take it
  c.AdvanceTo(Shanghai(2026, 3, 10, 9), 4 * 3600 * 1000);
  auto escalated = c.RecordsAbout("TicketEscalated", oversight.id);
  REQUIRE(escalated.size() == 2);
  CHECK(BodyField(escalated[1], "to_department") == "nj.jw");
}

}  // namespace
}  // namespace closeloop::workflows
