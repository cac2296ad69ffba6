// Loop 2, violation / oversight: enforcement_case.wf, key_enforcement.wf, oversight_case.wf.
#include <doctest/doctest.h>

#include <map>

#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

std::string Finding(City& c, const std::string& law_ref,
                    const std::string& inspection = "INSP-2026-031",
                    const std::string& severity = "major") {
  return c.h.Publish(
      R"({"source": "enforcement-inspection","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
      R"("occurred_at": )" +
      std::to_string(c.h.now()) +
      R"(,"body_type": "InspectionFinding","body": {"inspection_id": ")" + inspection +
      R"(","kind": "special","category": "hazardous_chemicals","severity": ")" + severity +
      R"(","law_ref": ")" + law_ref + R"("}})");
}

// The enforcement system reports a step of case `case_id` of ENT-00002.
std::string CaseStep(City& c, const std::string& case_id, const std::string& step,
                     const std::string& extra = "") {
  return c.h.Publish(
      R"({"source": "enforcement-system","subject": "ENT-00002","jurisdiction": "liuhe.changlu.g09",)"
      R"("occurred_at": )" +
      std::to_string(c.h.now()) + R"(,"body_type": "EnforcementStep","body": {"case_id": ")" +
      case_id + R"(","step": ")" + step + R"(")" + extra + "}}");
}

const char* kEvidence =
    R"("evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])";

std::string Measure(const std::string& measure, const std::string& reason) {
  return R"("reason": ")" + reason + R"(", "fields": [{"key": "measure", "value": ")" + measure +
         R"("}])";
}

std::string Authority(const std::string& authority) {
  return R"("fields": [{"key": "authority", "value": ")" + authority + R"("}])";
}

TEST_CASE("an enforcement case runs filing, investigation, decision, execution and closure") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  CHECK(c.Of("hazard_disposal").size() == 1);  // the finding is also a disposal order
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.lead == "nj.liuhe.emb");
  CHECK(kase.Fact("law_ref").as_string() == "安全生产法 第一百零一条");
  CHECK(kase.deadline_at == Shanghai(2026, 3, 23, 17));  // 15 working days to file
  std::string unnumbered = c.Act(kase, "file_case", "staff", "nj.liuhe.emb");
  CHECK(c.h.RejectionOf(unnumbered) != "");  // a case is filed under its number
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-031")");
  kase = c.Get(kase.id);
  CHECK(kase.state == "investigating");
  CHECK(kase.Fact("case_id").as_string() == "LH-2026-031");
  // 行政处罚法 art. 60: the decision within 90 days of filing, calendar time: 31 May.
  CHECK(kase.deadline_at == Shanghai(2026, 5, 31, 9));
  c.Act(kase.id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
  c.Act(kase.id, "request_hearing", "staff", "nj.liuhe.emb");
  CHECK(c.Get(kase.id).Fact("hearing_requested").as_bool());
  CHECK(c.Get(kase.id).state == "hearing");
  c.Act(kase.id, "record_hearing", "staff", "nj.liuhe.emb");
  std::string no_measure =
      c.Act(kase.id, "decide_penalty", "staff", "nj.liuhe.emb", R"("reason": "fine")");
  CHECK(Contains(c.h.RejectionOf(no_measure), "measure"));  // the penalty is named
  c.Act(kase.id, "decide_penalty", "staff", "nj.liuhe.emb", Measure("fine", "fine 50,000 yuan"));
  CHECK(c.Get(kase.id).state == "executing");
  CHECK(c.Get(kase.id).Fact("measure").as_string() == "fine");
  c.Act(kase.id, "record_execution", "staff", "nj.liuhe.emb");
  std::string staff_close = c.Act(kase.id, "close", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(staff_close), "needs role head"));
  c.Act(kase.id, "close", "head", "nj.liuhe.emb");
  kase = c.Get(kase.id);
  CHECK(kase.closed);
  CHECK(kase.outcome == "penalty");  // a fine: the penalty outcome (closures counted apart)
}

TEST_CASE(
    "an enforcement case is due 90 days after filing whatever each stage takes, then escalated "
    "and sent to the discipline inspectors") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-032")");
  // A long investigation (70 days) and a short decision stage: on time by art. 60, so no
  // stage marks the case late (per-stage limits of 60 + 30 days did).
  c.AdvanceTo(Shanghai(2026, 5, 11, 9), 6 * 3600 * 1000);
  c.Act(kase.id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
  kase = c.Get(kase.id);
  CHECK(kase.state == "deciding");
  CHECK_FALSE(kase.overdue);
  CHECK(c.RecordsAbout("TicketOverdue", kase.id).empty());
  CHECK(kase.deadline_at == Shanghai(2026, 5, 31, 9));  // the same clock, not a new stage limit
  // Nobody decides.
  c.AdvanceTo(Shanghai(2026, 5, 31, 10), 6 * 3600 * 1000);
  kase = c.Get(kase.id);
  CHECK(kase.overdue);
  CHECK(c.RecordsAbout("TicketOverdue", kase.id).size() == 1);
  auto from = [&](const std::string& parent) {
    size_t n = 0;
    for (const auto& o : c.Of("oversight_case")) n += o.parent_id == parent;
    return n;
  };
  CHECK(from(kase.id) == 0);
  // 10 working days past the limit (Sunday 31 May): 1-5 and 8-12 June, the close of 12 June.
  c.AdvanceTo(Shanghai(2026, 6, 12, 12), 6 * 3600 * 1000);
  CHECK(from(kase.id) == 0);
  c.AdvanceTo(Shanghai(2026, 6, 13, 9), 6 * 3600 * 1000);
  CHECK(from(kase.id) == 1);
  bool from_case = false;
  for (const auto& o : c.Of("oversight_case")) {
    if (o.parent_id == kase.id) {
      from_case = true;
      CHECK(o.Fact("reason").as_string() ==
            "enforcement case past its statutory limit in deciding");
      CHECK(o.lead == "nj.liuhe.jw");
    }
  }
  CHECK(from_case);
}

TEST_CASE(
    "an appraisal and a hearing pause the decision clock: the time they take is not counted") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-035")");
  c.AdvanceTo(Shanghai(2026, 3, 12, 9), 6 * 3600 * 1000);  // 80 days left
  std::string unsaid = c.Act(kase.id, "commission_appraisal", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(unsaid), "reason"));  // the decision to pause is recorded
  c.Act(kase.id, "commission_appraisal", "staff", "nj.liuhe.emb",
        R"("reason": "tank wall thickness, provincial special equipment institute")");
  kase = c.Get(kase.id);
  CHECK(kase.state == "appraisal");
  CHECK(kase.deadline_at == 0);  // paused: no deadline runs
  // The appraisal takes until 5 June, past the original 31 May: no overdue mark.
  c.AdvanceTo(Shanghai(2026, 6, 5, 9), 6 * 3600 * 1000);
  CHECK(c.RecordsAbout("TicketOverdue", kase.id).empty());
  CHECK(c.RecordsAbout("TicketChained", kase.id).empty());  // (the disposal order's are its own)
  c.Act(kase.id, "receive_appraisal", "staff", "nj.liuhe.emb");
  kase = c.Get(kase.id);
  CHECK(kase.state == "investigating");
  CHECK(kase.deadline_at == Shanghai(2026, 8, 24, 9));  // 5 June + the 80 days left
  c.Act(kase.id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
  CHECK(c.Get(kase.id).deadline_at == Shanghai(2026, 8, 24, 9));
  c.AdvanceTo(Shanghai(2026, 6, 15, 9), 6 * 3600 * 1000);
  // The enforcement system reports the party asked for a hearing: paused again, 10 days.
  CaseStep(c, "LH-2026-035", "hearing");
  CHECK(c.Get(kase.id).state == "hearing");
  c.AdvanceTo(Shanghai(2026, 6, 25, 9), 6 * 3600 * 1000);
  c.Act(kase.id, "record_hearing", "staff", "nj.liuhe.emb");
  kase = c.Get(kase.id);
  CHECK(kase.state == "deciding");
  CHECK(kase.deadline_at == Shanghai(2026, 9, 3, 9));  // moved by the hearing's 10 days
  c.AdvanceTo(Shanghai(2026, 9, 3, 8), 6 * 3600 * 1000);
  CHECK(c.RecordsAbout("TicketOverdue", kase.id).empty());
  CHECK(c.RecordsAbout("TicketReminded", kase.id).size() == 1);  // 80%: one clock, one reminder
  c.AdvanceTo(Shanghai(2026, 9, 3, 10), 3600 * 1000);
  CHECK(c.RecordsAbout("TicketOverdue", kase.id).size() == 1);
  // The records say what the clock had left when it paused.
  bool paused_seen = false;
  for (const auto& r : c.RecordsAbout("TicketTransitioned", kase.id)) {
    if (BodyField(r, "to_state") == "appraisal") {
      paused_seen = true;
      CHECK(BodyField(r, "clock_left") == std::to_string(80LL * 24 * 3600 * 1000));
    }
  }
  CHECK(paused_seen);
}

TEST_CASE(
    "the first extension is the head's, a further one needs the heads' collective decision, and "
    "no more than two") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条");
  Ticket kase = c.Only("enforcement_case");
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-033")");
  int64_t before = c.Get(kase.id).deadline_at;
  c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb",
        R"("days": 20, "reason": "expert appraisal of the tank pending")");
  std::string by_office =
      c.Act(kase.id, "approve_extension", "supervisor", "nj.liuhe.awb", Authority("head"));
  CHECK(Contains(c.h.RejectionOf(by_office), "needs role head"));
  std::string unsaid = c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(unsaid), "authority"));  // who approved is recorded
  c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb", Authority("head"));
  kase = c.Get(kase.id);
  CHECK(kase.deadline_at > before);
  CHECK(kase.Fact("extension_authority").as_string() == "head");
  c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb", R"("days": 10, "reason": "x")");
  std::string head_again =
      c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb", Authority("head"));
  CHECK(Contains(c.h.RejectionOf(head_again), "condition not met"));
  c.Act(kase.id, "approve_extension", "head", "nj.liuhe.emb", Authority("collective"));
  kase = c.Get(kase.id);
  CHECK(kase.extensions == 2);
  CHECK(kase.Fact("extension_authority").as_string() == "collective");
  std::string third =
      c.Act(kase.id, "request_extension", "staff", "nj.liuhe.emb", R"("days": 10, "reason": "y")");
  CHECK(Contains(c.h.RejectionOf(third), "the most allowed"));
}

TEST_CASE("an update from the enforcement system moves only the case it names") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条", "INSP-2026-041");
  Finding(c, "安全生产法 第三十六条", "INSP-2026-042");
  auto cases = c.Of("enforcement_case");
  REQUIRE(cases.size() == 2);  // two inspections of one enterprise: two cases
  c.Act(cases[0], "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-041")");
  c.Act(cases[1], "file_case", "staff", "nj.liuhe.emb", R"("note": "LH-2026-042")");
  CaseStep(c, "LH-2026-041", "evidence_collected");
  CHECK(c.Get(cases[0].id).state == "deciding");
  CHECK(c.Get(cases[1].id).state == "investigating");  // the other case stays where it was
  CaseStep(c, "LH-2026-042", "evidence_collected");
  CHECK(c.Get(cases[1].id).state == "deciding");
  // An update naming no case is refused at the boundary, with the field named.
  events::JsonCodec codec;
  auto raw = codec.FromJson(
      R"({"source": "enforcement-system","subject": "ENT-00002","occurred_at": 1772413200000,)"
      R"("body_type": "EnforcementStep","body": {"case_id": "","step": "executed"}})");
  REQUIRE(raw.ok());
  auto errors = events::ValidateIngress(**events::VerifyRecord(*raw));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "body.case_id");
}

TEST_CASE(
    "closures and suspensions are the cases' outcomes and joint punishment a recorded decision, "
    "so a bureau can count them") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零一条", "INSP-2026-051");
  Finding(c, "安全生产法 第一百一十三条", "INSP-2026-052");
  Finding(c, "安全生产法 第九十九条", "INSP-2026-053");
  auto cases = c.Of("enforcement_case");
  REQUIRE(cases.size() == 3);
  const char* measures[] = {"closure", "suspension", "fine"};
  for (size_t i = 0; i < 3; ++i) {
    const std::string id = cases[i].id;
    c.Act(id, "file_case", "staff", "nj.liuhe.emb",
          R"("note": "LH-2026-05)" + std::to_string(i) + R"(")");
    c.Act(id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
    c.Act(id, "decide_penalty", "staff", "nj.liuhe.emb", Measure(measures[i], "decision"));
  }
  c.Act(cases[0].id, "list_joint_punishment", "head", "nj.liuhe.emb",
        R"("reason": "closed for a major accident hazard it concealed")");
  // The enforcement system reports the suspension executed and the case closed.
  for (size_t i = 0; i < 3; ++i) {
    if (i == 1) {
      CaseStep(c, "LH-2026-051", "executed");
      CaseStep(c, "LH-2026-051", "closed");
      continue;
    }
    c.Act(cases[i].id, "record_execution", "staff", "nj.liuhe.emb");
    c.Act(cases[i].id, "close", "head", "nj.liuhe.emb");
  }
  std::map<std::string, int> by_outcome;
  int joint = 0;
  for (const auto& k : c.Of("enforcement_case")) {
    CHECK(k.closed);
    ++by_outcome[k.outcome];
    joint += k.Fact("joint_punishment").as_bool();
  }
  CHECK(by_outcome["closure"] == 1);
  CHECK(by_outcome["suspension"] == 1);
  CHECK(by_outcome["penalty"] == 1);
  CHECK(joint == 1);
  CHECK(c.Get(cases[0].id).Fact("joint_punishment").as_bool());
}

TEST_CASE(
    "one case per facts: a finding that cites a law is one case, also when the order it opened "
    "is verified major") {
  City c(Shanghai(2026, 3, 2, 9));
  Finding(c, "安全生产法 第一百零二条", "INSP-2026-061", "general");
  Ticket kase = c.Only("enforcement_case");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", order.lead);
  c.Act(order.id, "order_rectification", "staff", order.lead,
        R"("fields": [{"key": "severity", "value": "major"}])");
  order = c.Get(order.id);
  CHECK(order.severity == "major");
  CHECK(order.Fact("confirmed").as_bool());
  CHECK(c.Of("enforcement_case").size() == 1);  // 一事不再罚: no second case for the same facts
  CHECK(c.Only("enforcement_case").id == kase.id);
  // A major finding that cites no law is a case too (and only one).
  Finding(c, "", "INSP-2026-062", "major");
  CHECK(c.Of("enforcement_case").size() == 2);
  // A general finding that cites no law is a disposal order only.
  Finding(c, "", "INSP-2026-063", "general");
  CHECK(c.Of("enforcement_case").size() == 2);
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
