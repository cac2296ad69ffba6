// Loop 1, prevention: the assisting departments (协办) of a disposal order and the office's
// arbitration, hazard_disposal.wf on the Nanjing reference data.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

// ENT-00002 in the Jiangbei chemical park (Liuhe). A gas hazard there is urban management's
// (nj.liuhe.cgj) with market regulation (nj.liuhe.amr) and fire rescue (nj.liuhe.fire)
// assisting (workflows/reference/hazard_routing.jsonl).
const char* kPlant = "ENT-00002";
const char* kGrid = "liuhe.changlu.g09";

// A gas order, signed for and rectification ordered on Monday 2 March 2026 at 09:00.
Ticket GasOrderRectifying(City& c) {
  c.HazardReport(kPlant, kGrid, "gas", "general");
  Ticket order = c.Only("hazard_disposal");
  REQUIRE(order.lead == "nj.liuhe.cgj");
  REQUIRE(order.assist == std::vector<std::string>{"nj.liuhe.amr", "nj.liuhe.fire"});
  CHECK(order.Fact("assists").as_int() == 2);
  c.Act(order, "sign_for", "staff", "nj.liuhe.cgj");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.cgj",
        R"("note": "the canteen's gas hose is cracked; the alarm is not wired")");
  return c.Get(order.id);
}

size_t Escalations(const City& c, const std::string& id, const std::string& rule) {
  size_t n = 0;
  for (const auto& e : c.RecordsAbout("TicketEscalated", id)) n += BodyField(e, "rule") == rule;
  for (const auto& e : c.RecordsAbout("TicketReminded", id)) n += BodyField(e, "rule") == rule;
  return n;
}

TEST_CASE(
    "each assisting department answers once, in writing; the lead reads every answer and a "
    "second answer from the same department is refused") {
  City c;  // Monday 2 March 2026, 09:00
  Ticket order = GasOrderRectifying(c);
  std::string bare = c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.amr");
  CHECK(Contains(c.h.RejectionOf(bare), "note: required by assist_feedback"));
  std::string outsider = c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.emb",
                               R"("note": "not asked, answering anyway")");
  CHECK(Contains(c.h.RejectionOf(outsider), "does not assist on this ticket"));

  c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.amr",
        R"("note": "the hose and the regulator are uncertified; seized")");
  std::string again = c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.amr",
                            R"("note": "and the cooker too")");
  CHECK(Contains(c.h.RejectionOf(again), "condition not met"));
  c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.fire",
        R"("note": "gas detector to be wired to the fire control room")");
  order = c.Get(order.id);
  CHECK(order.Fact("assist_replies").as_int() == 2);
  CHECK(order.Fact("assist_answered").as_string() == ";nj.liuhe.amr;;nj.liuhe.fire;");
  CHECK(order.Fact("assist_feedback").as_string() ==
        "nj.liuhe.fire: gas detector to be wired to the fire control room");

  // Both answered: their deadline passes without a word from the ladder.
  c.AdvanceTo(Shanghai(2026, 3, 6, 18), 4 * 3600 * 1000);
  CHECK_FALSE(c.Get(order.id).Fact("assist_silent").truthy());
  CHECK(Escalations(c, order.id, "assist_silent") == 0);
  CHECK(c.Of("oversight_case").empty());
}

TEST_CASE(
    "an assisting department silent for 3 working days after rectification is ordered is "
    "reminded with the office and the lead's head told; silent at 5, the discipline inspectors "
    "get a work order naming who did answer") {
  City c;  // Monday 2 March 2026, 09:00
  Ticket order = GasOrderRectifying(c);
  c.Act(order.id, "assist_feedback", "staff", "nj.liuhe.amr",
        R"("note": "the hose and the regulator are uncertified; seized")");
  // Fire rescue says nothing. The close of Thursday 5 March is 3 working days on.
  c.AdvanceTo(Shanghai(2026, 3, 5, 16, 30), 1800 * 1000);
  CHECK_FALSE(c.Get(order.id).Fact("assist_silent").truthy());
  c.AdvanceTo(Shanghai(2026, 3, 5, 18), 1800 * 1000);
  order = c.Get(order.id);
  CHECK(order.Fact("assist_silent").truthy());
  CHECK(order.state == "rectifying");
  std::string reminder;
  for (const auto& r : c.RecordsAbout("TicketReminded", order.id)) {
    if (BodyField(r, "rule") == "assist_silent") reminder = r;
  }
  REQUIRE_FALSE(reminder.empty());
  CHECK(Contains(reminder, R"("assist")"));
  CHECK(Contains(reminder, R"("supervisor")"));
  CHECK(Escalations(c, order.id, "assist_silent") == 2);  // the reminder and the head told
  CHECK(c.Of("oversight_case").empty());

  // Still silent at the close of Monday 9 March (5 working days): the inspectors.
  c.AdvanceTo(Shanghai(2026, 3, 9, 16), 1800 * 1000);
  CHECK(c.Of("oversight_case").empty());
  c.AdvanceTo(Shanghai(2026, 3, 9, 18), 1800 * 1000);
  Ticket oversight = c.Only("oversight_case");
  CHECK(oversight.parent_id == order.id);
  CHECK(oversight.Fact("reason").as_string() ==
        "an assisting department gave no feedback in 5 working days (answered: ;nj.liuhe.amr;)");
  CHECK(oversight.Fact("origin_lead").as_string() == "nj.liuhe.cgj");
}

TEST_CASE("an order whose class has no assisting department owes no feedback and raises nothing") {
  City c;  // special equipment in Liuhe: market regulation alone
  c.HazardReport(kPlant, kGrid, "special_equipment", "general");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.assist.empty());
  c.Act(order, "sign_for", "staff", "nj.liuhe.amr");
  c.Act(order.id, "order_rectification", "staff", "nj.liuhe.amr");
  c.AdvanceTo(Shanghai(2026, 3, 6, 12), 4 * 3600 * 1000);
  CHECK_FALSE(c.Get(order.id).Fact("assist_silent").truthy());
  CHECK(Escalations(c, order.id, "assist_silent") == 0);
}

TEST_CASE(
    "an order the office assigned by arbitration cannot be returned again: only the office can "
    "move it") {
  City c;
  c.HazardReport(kPlant, kGrid, "gas", "general");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "return", "staff", "nj.liuhe.cgj",
        R"("reason": "a pipeline inside the plant", "to_department": "nj.liuhe.emb")");
  c.Act(order.id, "return", "staff", "nj.liuhe.emb",
        R"("reason": "town gas supply", "to_department": "nj.liuhe.cgj")");
  c.Act(order.id, "return", "staff", "nj.liuhe.cgj",
        R"("reason": "still not ours", "to_department": "nj.liuhe.emb")");
  REQUIRE(c.RecordsAbout("TicketEscalated", order.id).size() == 1);  // arbitration
  c.Act(
      order.id, "transfer", "supervisor", "nj.liuhe.awb",
      R"("reason": "arbitration: the supply line up to the meter", "to_department": "nj.liuhe.cgj")");
  order = c.Get(order.id);
  CHECK(order.lead == "nj.liuhe.cgj");
  CHECK(order.Fact("arbitrated").truthy());
  std::string fourth = c.Act(order.id, "return", "staff", "nj.liuhe.cgj",
                             R"("reason": "we still think not", "to_department": "nj.liuhe.emb")");
  CHECK(Contains(c.h.RejectionOf(fourth), "condition not met"));
  CHECK(c.Get(order.id).returns == 3);
  // The office may still move it on new facts (a new arbitration).
  c.Act(order.id, "transfer", "supervisor", "nj.liuhe.awb",
        R"("reason": "new survey: the pipe is the plant's", "to_department": "nj.liuhe.emb")");
  CHECK(c.Get(order.id).lead == "nj.liuhe.emb");
}

}  // namespace
}  // namespace closeloop::workflows
