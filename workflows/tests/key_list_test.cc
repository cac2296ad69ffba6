// Loop 2, the way in: the key enforcement list's triggers of seed 004 (key_enforcement.wf, fed
// by hazard_disposal.wf and periodic inspections), its screening, and removal only once the
// cause is cleared.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

const char* kPlant = "ENT-00002";  // Nanjing Xinyuan New Materials, Liuhe
const char* kGrid = "liuhe.changlu.g09";

std::string Envelope(City& c, const std::string& source) {
  return R"({"source": ")" + source + R"(","subject": ")" + kPlant + R"(","jurisdiction": ")" +
         kGrid + R"(","occurred_at": )" + std::to_string(c.h.now()) + ",";
}

// A special inspection finds a hazard at the plant (no law cited).
void Finding(City& c, const std::string& severity) {
  c.h.Publish(Envelope(c, "inspection-platform") +
              R"("body_type": "InspectionFinding","body": {"inspection_id": "INSP-2026-090",)"
              R"("kind": "special","category": "hazardous_chemicals","severity": ")" +
              severity + R"("}})");
}

// The safety officer's periodic inspection, which checks the principal's training certificate.
void OfficerInspection(City& c, const std::string& principal_trained) {
  c.h.Publish(Envelope(c, "self-inspection-system") +
              R"("body_type": "SelfInspection","body": {"period": "2026-03",)"
              R"("inspector_role": "safety_officer","items_checked": 40,"hazards_found": 0,)"
              R"("attrs": [{"key": "principal_trained", "value": ")" +
              principal_trained + R"("}]}})");
}

TEST_CASE(
    "a major hazard an inspection finds that the enterprise never reported puts it on the key "
    "enforcement list after screening, and it comes off only once the cause is cleared") {
  City c;  // Monday 2 March 2026
  Finding(c, "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.liuhe.emb");
  CHECK(c.Of("key_enforcement").empty());
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.emb",
        R"("fields": [{"key": "severity", "value": "major"}], "note": "tank farm without bunds")");
  Ticket entry = c.Only("key_enforcement");
  CHECK(entry.parent_id == order.id);
  CHECK(entry.state == "screening");
  CHECK(entry.lead == "nj.liuhe.emb");
  CHECK(entry.Fact("trigger").as_string() == "unreported_major_risk");
  CHECK(entry.deadline_at == Shanghai(2026, 3, 5, 17));  // 3 working days to screen

  // Screened: the plant's risk report omits the tank farm. Listed.
  c.Act(entry, "confirm_listing", "staff", "nj.liuhe.emb",
        R"("note": "risk report of 2026 lists no tank farm")");
  CHECK(c.Get(entry.id).state == "listed");
  // Inspected, nothing unlawful today, but the cause is not cleared: it stays on the list.
  std::string early =
      c.Act(entry.id, "inspect_clear", "staff", "nj.liuhe.emb", R"("note": "site visit 9 March")");
  CHECK(Contains(c.h.RejectionOf(early), "condition not met"));
  std::string bare = c.Act(entry.id, "clear_cause", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(bare), "note: required by clear_cause"));
  c.Act(entry.id, "clear_cause", "staff", "nj.liuhe.emb",
        R"("note": "the tank farm is in the amended risk report, graded major")");
  c.Act(entry.id, "inspect_clear", "staff", "nj.liuhe.emb", R"("note": "site visit 9 March")");
  entry = c.Get(entry.id);
  CHECK(entry.closed);
  CHECK(entry.outcome == "no_violation");
  CHECK(entry.Fact("cleared_how").as_string() ==
        "the tank farm is in the amended risk report, graded major");
}

TEST_CASE(
    "a general hazard the enterprise reported itself is not a warning; rectified late on its own "
    "plan, it is: the enterprise is listed for overdue rectification") {
  City c;  // Monday 2 March 2026
  c.h.Publish(Envelope(c, "enterprise-portal") +
              R"("body_type": "EnterpriseSelfReport", "body": {"category": "fire_safety",)"
              R"("severity": "general", "rectification_plan": "replace the extinguishers"}})");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.state == "self_rectifying");
  c.AdvanceTo(Shanghai(2026, 3, 20, 18), 4 * 3600 * 1000);  // 14 working days: still in time
  CHECK(c.Of("key_enforcement").empty());
  c.AdvanceTo(Shanghai(2026, 3, 24, 10), 4 * 3600 * 1000);  // past the 15 working days
  CHECK(c.Get(order.id).state == "verifying");
  Ticket entry = c.Only("key_enforcement");
  CHECK(entry.Fact("trigger").as_string() == "overdue_rectification");
  CHECK(entry.Fact("reason").as_string() == "hazard not rectified on time");
}

TEST_CASE(
    "a rectification an inspection ordered and the enterprise lets run past its limit lists the "
    "enterprise; a hotline report about a place does not") {
  City c;  // Monday 2 March 2026
  Finding(c, "general");
  c.HazardReport("ADDR-LH-0007", kGrid, "fire_safety", "general");
  for (const auto& t : c.Of("hazard_disposal")) {
    c.Act(t, "sign_for", "staff", t.lead);
    c.Act(t.id, "order_rectification", "staff", t.lead);
  }
  c.AdvanceTo(Shanghai(2026, 3, 9, 16), 3600 * 1000);
  CHECK(c.Of("key_enforcement").empty());  // due at the close of Monday 9 March
  c.AdvanceTo(Shanghai(2026, 3, 9, 18), 3600 * 1000);
  Ticket entry = c.Only("key_enforcement");
  CHECK(entry.subject == kPlant);
  CHECK(entry.Fact("trigger").as_string() == "overdue_rectification");
}

TEST_CASE(
    "an untrained principal reported by the safety officer's inspection is a warning; screened "
    "out with a reason it closes, and repeats within 90 days join it") {
  City c;
  OfficerInspection(c, "yes");
  CHECK(c.Of("key_enforcement").empty());
  OfficerInspection(c, "no");
  Ticket entry = c.Only("key_enforcement");
  CHECK(entry.Fact("trigger").as_string() == "untrained_principal");
  CHECK(entry.lead == "nj.liuhe.emb");
  OfficerInspection(c, "no");
  CHECK(c.Of("key_enforcement").size() == 1);
  CHECK(c.RecordsAbout("EventAttached", entry.id).size() == 1);
  std::string bare = c.Act(entry, "screen_out", "staff", "nj.liuhe.emb");
  CHECK(Contains(c.h.RejectionOf(bare), "reason: required by screen_out"));
  c.Act(
      entry, "screen_out", "staff", "nj.liuhe.emb",
      R"("reason": "the principal changed on 1 March; the new one is booked for the April course")");
  entry = c.Get(entry.id);
  CHECK(entry.closed);
  CHECK(entry.outcome == "screened_out");
}

TEST_CASE("a warning nobody screens in 3 working days stands: the enterprise is listed") {
  City c;  // Monday 2 March 2026, 09:00
  OfficerInspection(c, "no");
  Ticket entry = c.Only("key_enforcement");
  c.AdvanceTo(Shanghai(2026, 3, 5, 16), 3600 * 1000);
  CHECK(c.Get(entry.id).state == "screening");
  c.AdvanceTo(Shanghai(2026, 3, 5, 18), 3600 * 1000);
  entry = c.Get(entry.id);
  CHECK(entry.state == "listed");
  CHECK(entry.deadline_at == Shanghai(2026, 4, 2, 17));  // 20 working days to inspect it
}

}  // namespace
}  // namespace closeloop::workflows
