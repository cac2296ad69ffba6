// Loop 1, prevention: grid and street (grid_report.wf, and hazard_disposal.wf's re-check by the
// grid inspector) on the Nanjing reference data.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

// A residential block in grid 03 of Meiyuan Xincun street, Xuanwu district.
const char* kBlock = "ADDR-XW-0101";
const char* kGrid = "xuanwu.meiyuan.g03";
const char* kStreetOffice = "nj.xuanwu.meiyuan.office";
const char* kNextGrid = "xuanwu.meiyuan.g04";  // the grid beside it, another inspector's
const char* kPhoto =
    R"("evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])";

TEST_CASE(
    "a grid inspector's report of a blocked stairwell goes to the street's work-safety office, "
    "which clears it on the spot; the grid inspector re-checks before it closes") {
  City c;  // Monday 2 March 2026, 09:00
  c.HazardReport(kBlock, kGrid, "fire_safety", "general", "grid_inspector");
  c.HazardReport(kBlock, kGrid, "fire_safety", "general", "grid_inspector");  // the same, again
  CHECK(c.Of("hazard_disposal").empty());  // the street first, not the fire brigade
  Ticket report = c.Only("grid_report");
  CHECK(report.lead == kStreetOffice);
  CHECK(c.RecordsAbout("EventAttached", report.id).size() == 1);
  CHECK(report.deadline_at == Shanghai(2026, 3, 3, 17));  // 1 working day

  std::string no_photo = c.Act(report, "handle_on_site", "staff", kStreetOffice,
                               R"("note": "bikes moved out of the stairwell")");
  CHECK(Contains(c.h.RejectionOf(no_photo), "evidence: required by handle_on_site"));
  c.Act(report.id, "handle_on_site", "staff", kStreetOffice,
        std::string(R"("note": "bikes moved out of the stairwell", )") + kPhoto);
  report = c.Get(report.id);
  CHECK(report.state == "rechecking");
  CHECK_FALSE(report.closed);  // not before the grid inspector has looked
  std::string office = c.Act(report.id, "recheck_pass", "staff", kStreetOffice);
  CHECK(Contains(c.h.RejectionOf(office), "needs role grid"));
  c.Act(report.id, "recheck_pass", "grid", kGrid, R"("note": "stairwell clear")");
  report = c.Get(report.id);
  CHECK(report.closed);
  CHECK(report.outcome == "handled_by_street");
}

TEST_CASE(
    "a hazard the street cannot clear is referred to the sector's department as a chained "
    "disposal order; a failed re-check leaves the street nothing but to refer it") {
  City c;
  c.HazardReport(kBlock, kGrid, "gas", "general", "grid_inspector");
  Ticket report = c.Only("grid_report");
  c.Act(report, "handle_on_site", "staff", kStreetOffice,
        std::string(R"("note": "residents told to close the valve", )") + kPhoto);
  c.Act(report.id, "recheck_fail", "grid", kGrid,
        R"("reason": "the hose is still cracked; gas smell in the kitchen")");
  report = c.Get(report.id);
  CHECK(report.state == "first_level");
  CHECK(report.reopens == 1);
  std::string again = c.Act(report.id, "handle_on_site", "staff", kStreetOffice,
                            std::string(R"("note": "told them again", )") + kPhoto);
  CHECK(Contains(c.h.RejectionOf(again), "condition not met"));
  c.Act(report.id, "refer", "staff", kStreetOffice,
        R"("reason": "the gas pipe needs the gas company and urban management")");
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.parent_id == report.id);
  CHECK(order.chain_id == report.chain_id);
  CHECK(order.lead == "nj.xuanwu.cgj");  // gas: urban management, by the routing table
  CHECK(order.state == "dispatched");
  CHECK(order.Fact("channel").as_string() == "grid_inspector");
  CHECK(order.Fact("referral").as_string() ==
        "the gas pipe needs the gas company and urban management");
  c.AdvanceTo(c.h.now() + 5 * 60 * 1000, 60 * 1000);
  CHECK(c.Get(report.id).outcome == "referred");
}

TEST_CASE(
    "a major hazard a grid inspector reports is a disposal order at once, and it closes only "
    "after the grid inspector's re-check") {
  City c;
  c.HazardReport(kBlock, kGrid, "fire_safety", "major", "grid_inspector");
  CHECK(c.Of("grid_report").empty());
  Ticket order = c.Only("hazard_disposal");
  CHECK(order.lead == "nj.xuanwu.fire");
  c.Act(order, "sign_for", "staff", "nj.xuanwu.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.xuanwu.fire");
  c.Act(order.id, "assist_feedback", "staff", "nj.xuanwu.emb", R"("note": "no chemicals here")");
  c.Act(order.id, "submit_evidence", "staff", "nj.xuanwu.fire", kPhoto);
  c.Act(order.id, "review_pass", "supervisor", "nj.xuanwu.awb");
  order = c.Get(order.id);
  CHECK(order.state == "grid_recheck");
  CHECK(order.deadline_at == Shanghai(2026, 3, 4, 17));  // 2 working days
  c.Act(order.id, "recheck_fail", "grid", kGrid,
        R"("reason": "the fire door is propped open again")");
  order = c.Get(order.id);
  CHECK(order.state == "rectifying");
  CHECK(order.reopens == 1);
  c.Act(order.id, "submit_evidence", "staff", "nj.xuanwu.fire", kPhoto);
  c.Act(order.id, "review_pass", "supervisor", "nj.xuanwu.awb");
  c.Act(order.id, "recheck_pass", "grid", kGrid);
  order = c.Get(order.id);
  CHECK(order.closed);
  CHECK(order.outcome == "rectified");
}

TEST_CASE(
    "a re-check the grid inspector lets slip is reminded, then overdue with the office told") {
  City c;  // Monday 2 March 2026
  c.HazardReport(kBlock, kGrid, "fire_safety", "major", "grid_inspector");
  Ticket order = c.Only("hazard_disposal");
  c.Act(order, "sign_for", "staff", "nj.xuanwu.fire");
  c.Act(order.id, "order_rectification", "staff", "nj.xuanwu.fire");
  c.Act(order.id, "assist_feedback", "staff", "nj.xuanwu.emb", R"("note": "no chemicals here")");
  c.Act(order.id, "submit_evidence", "staff", "nj.xuanwu.fire", kPhoto);
  c.Act(order.id, "review_pass", "supervisor", "nj.xuanwu.awb");
  c.AdvanceTo(Shanghai(2026, 3, 5, 9), 3600 * 1000);
  order = c.Get(order.id);
  CHECK(order.overdue);
  std::vector<std::string> rules;
  for (const auto& r : c.RecordsAbout("TicketReminded", order.id))
    rules.push_back(BodyField(r, "rule"));
  CHECK(Has(rules, "grid_remind"));
  CHECK(Has(rules, "grid_late"));
  CHECK(c.Of("oversight_case").empty());  // the grid's lateness is not the department's
}

TEST_CASE(
    "a grid inspector re-checks only in their own grid: the inspector of the grid next door, "
    "or the street office claiming to be the grid, is refused and the refusal recorded") {
  City c;
  c.HazardReport(kBlock, kGrid, "fire_safety", "general", "grid_inspector");
  Ticket report = c.Only("grid_report");
  c.Act(report.id, "handle_on_site", "staff", kStreetOffice,
        std::string(R"("note": "bikes moved out of the stairwell", )") + kPhoto);
  std::string next_door = c.Act(report.id, "recheck_pass", "grid", kNextGrid);
  CHECK(Contains(c.h.RejectionOf(next_door),
                 "grid xuanwu.meiyuan.g04 does not cover xuanwu.meiyuan.g03: a grid inspector "
                 "acts only within their own grid"));
  std::string street = c.Act(report.id, "recheck_pass", "grid", "xuanwu.meiyuan");
  CHECK(Contains(c.h.RejectionOf(street), "which is not a grid in the reference data"));
  std::string office = c.Act(report.id, "recheck_pass", "grid", kStreetOffice);
  CHECK(Contains(c.h.RejectionOf(office), "which is not a grid in the reference data"));
  CHECK(c.RecordsAbout("CommandRejected", report.id).size() == 3);
  CHECK(c.Get(report.id).state == "rechecking");  // still waiting for its own grid
  c.Act(report.id, "recheck_pass", "grid", kGrid, R"("note": "stairwell clear")");
  CHECK(c.Get(report.id).closed);
}

}  // namespace
}  // namespace closeloop::workflows
