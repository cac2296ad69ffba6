// The figures a bureau reports (engine/figures.h, engine/figure_report.h), on the shipped
// workflows: a week of Liuhe and Xuanwu counted by hand, the week after changing nothing of
// it, and a replay (rebuilt, and re-decided) giving the past week's figures byte for byte.
#include <doctest/doctest.h>

#include "engine/figure_report.h"
#include "engine/queries.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using engine::FigureDimension;
using engine::FigureGroups;
using engine::FigureTotals;
using engine::Mode;
using engine::Processor;
using engine::testing::MemoryStore;

const char* kGrid = "liuhe.changlu.g09";
const char* kEvidence =
    R"("evidence": ["sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"])";

FigureGroups Tally(const engine::StateReader& state, uint32_t partitions, const std::string& week,
                   std::vector<FigureDimension> by = {}) {
  auto days = engine::ParseWeek(week);
  REQUIRE(days.has_value());
  auto groups = engine::TallyFigures(state, partitions, days->first, days->second, by, nullptr);
  REQUIRE(groups.ok());
  return *groups;
}

FigureTotals Whole(City& c, const std::string& week) {
  auto groups = Tally(c.h.store(), c.h.partitions(), week);
  return groups.empty() ? FigureTotals{} : groups.begin()->second;
}

// An inspection of ENT-00002 citing the law: a disposal order and an enforcement case.
std::string Finding(City& c, const std::string& inspection) {
  return c.h.Publish(
      R"({"source": "enforcement-inspection","subject": "ENT-00002","jurisdiction": ")" +
      std::string(kGrid) + R"(","occurred_at": )" + std::to_string(c.h.now()) +
      R"(,"body_type": "InspectionFinding","body": {"inspection_id": ")" + inspection +
      R"(","kind": "special","category": "hazardous_chemicals","severity": "general",)"
      R"("law_ref": "安全生产法 第一百零二条"}})");
}

// The case of `inspection` runs to its decision (`measure`) and is closed by the head.
void Decide(City& c, const std::string& inspection, const std::string& case_no,
            const std::string& measure) {
  Ticket kase;
  for (const auto& t : c.Of("enforcement_case")) {
    if (!t.closed && t.state == "filing") kase = t;
  }
  REQUIRE_MESSAGE(!kase.id.empty(), "no case waiting to be filed for " << inspection);
  c.Act(kase, "file_case", "staff", "nj.liuhe.emb", R"("note": ")" + case_no + R"(")");
  c.Act(kase.id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
  c.Act(kase.id, "decide_penalty", "staff", "nj.liuhe.emb",
        R"("reason": "art. 102", "fields": [{"key": "measure", "value": ")" + measure + R"("}])");
  c.Act(kase.id, "record_execution", "staff", "nj.liuhe.emb");
  c.Act(kase.id, "close", "head", "nj.liuhe.emb");
  REQUIRE(c.Get(kase.id).closed);
  REQUIRE(c.Get(kase.id).outcome == measure);
}

Ticket OrderOf(City& c, const std::string& subject) {
  for (const auto& t : c.Of("hazard_disposal")) {
    if (t.subject == subject) return t;
  }
  FAIL("no disposal order about " << subject);
  return {};
}

// Week 10 of 2026 (Monday 2 to Sunday 8 March), by hand:
//  - two 12345 calls (reactive): a fire exit in Liuhe, rectified and passed the same day; a
//    gas smell in Xuanwu, dismissed as a false alarm on site;
//  - two special inspections of ENT-00002 citing the law (proactive): each a disposal order
//    nobody signs for (late at 11:00) and an enforcement case, decided and closed, one
//    closure (关闭), one suspension (停产整顿);
//  - a grid inspector's report (proactive) the street clears on the spot.
// 7 opened (5 proactive, 2 reactive); 5 closed, all on time; 2 late; hazards: 2 found (one
// ordered rectified, one cleared on the spot), 2 rectified, 1 dismissed.
void LiveWeekTen(City& c) {
  c.HazardReport("ENT-00002", kGrid, "fire_safety", "general");
  Ticket exit = OrderOf(c, "ENT-00002");
  CHECK(exit.lead == "nj.liuhe.fire");
  c.Act(exit, "sign_for", "staff", "nj.liuhe.fire");
  c.Act(exit.id, "order_rectification", "staff", "nj.liuhe.fire");
  c.Act(exit.id, "submit_evidence", "staff", "nj.liuhe.fire", kEvidence);
  c.Act(exit.id, "review_pass", "supervisor", "nj.liuhe.awb");
  REQUIRE(c.Get(exit.id).outcome == "rectified");

  c.HazardReport("CITIZEN-7", "xuanwu.meiyuan.g03", "gas", "general");
  Ticket smell = OrderOf(c, "CITIZEN-7");
  c.Act(smell, "sign_for", "staff", smell.lead);
  c.Act(smell.id, "dismiss", "staff", smell.lead, R"("reason": "a neighbour's cooking")");
  REQUIRE(c.Get(smell.id).outcome == "false_alarm");

  Finding(c, "INSP-2026-W10-1");
  Decide(c, "INSP-2026-W10-1", "LH-2026-101", "closure");
  Finding(c, "INSP-2026-W10-2");
  Decide(c, "INSP-2026-W10-2", "LH-2026-102", "suspension");

  c.HazardReport("ADDR-LH-0007", kGrid, "fire_safety", "general", "grid_inspector");
  Ticket grid = c.Only("grid_report");
  const char* photo =
      R"("note": "bikes moved", "evidence": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])";
  c.Act(grid, "handle_on_site", "staff", grid.lead, photo);
  c.Act(grid.id, "recheck_pass", "grid", kGrid, R"("note": "clear")");  // the grid's own inspector
  REQUIRE(c.Get(grid.id).outcome == "handled_by_street");

  c.AdvanceTo(Shanghai(2026, 3, 8, 23));  // Sunday night: the week is over
}

void CheckWeekTen(const FigureTotals& w) {
  CHECK(w.opened == 7);
  CHECK(w.proactive == 5);
  CHECK(w.reactive == 2);
  CHECK(w.follow_up == 0);
  CHECK(w.by_origin.at("hotline_12345") == 2);
  CHECK(w.by_origin.at("inspection") == 2);
  CHECK(w.by_origin.at("violation") == 2);  // the cases the findings opened
  CHECK(w.closed == 5);
  CHECK(w.closed_on_time == 5);
  CHECK(w.late == 2);
  CHECK(*w.OnTimeRate() == doctest::Approx(5.0 / 7.0));
  CHECK(w.hazards_found == 2);
  CHECK(w.hazards_rectified == 2);
  CHECK(w.hazards_rectified_on_time == 2);
  CHECK(w.hazards_dismissed == 1);
  CHECK(*w.RectificationRate() == doctest::Approx(1.0));
  CHECK(w.closures == 1);
  CHECK(w.suspensions == 1);
  CHECK(*w.ProactiveShare() == doctest::Approx(5.0 / 7.0));
  CHECK_FALSE(w.DutyCompletionRate().has_value());  // no periodic duty deployed here
}

TEST_CASE("a week's figures are what the bureau counts by hand, by district, street and department") {
  City c(Shanghai(2026, 3, 2, 9));  // Monday of week 10
  LiveWeekTen(c);
  CheckWeekTen(Whole(c, "2026-W10"));

  auto by_district = Tally(c.h.store(), c.h.partitions(), "2026-W10", {FigureDimension::kDistrict});
  REQUIRE(by_district.size() == 2);
  CHECK(by_district.at({"liuhe"}).opened == 6);
  CHECK(by_district.at({"xuanwu"}).opened == 1);
  CHECK(by_district.at({"xuanwu"}).hazards_dismissed == 1);
  CHECK(by_district.at({"xuanwu"}).reactive == 1);

  auto by_street = Tally(c.h.store(), c.h.partitions(), "2026-W10", {FigureDimension::kStreet});
  CHECK(by_street.at({"liuhe.changlu"}).opened == 6);  // the grid is cut to its street
  CHECK(by_street.at({"xuanwu.meiyuan"}).opened == 1);

  auto by_department =
      Tally(c.h.store(), c.h.partitions(), "2026-W10", {FigureDimension::kDepartment});
  const FigureTotals& emb = by_department.at({"nj.liuhe.emb"});
  CHECK(emb.opened == 4);  // two disposal orders, two cases
  CHECK(emb.late == 2);
  CHECK(emb.closures == 1);
  CHECK(emb.suspensions == 1);
  CHECK(*emb.OnTimeRate() == doctest::Approx(0.5));
  const FigureTotals& fire = by_department.at({"nj.liuhe.fire"});
  CHECK(fire.hazards_rectified == 1);
  CHECK(*fire.OnTimeRate() == doctest::Approx(1.0));

  auto by_day = Tally(c.h.store(), c.h.partitions(), "2026-W10", {FigureDimension::kDay});
  REQUIRE(by_day.size() == 1);  // everything happened on Monday
  CHECK(by_day.begin()->first == std::vector<std::string>{"2026-03-02"});
}

Result<FigureTotals> Replayed(City& c, Mode mode, const std::string& week, uint64_t* mismatches) {
  MemoryStore fresh(c.h.partitions(), "figures-replay");
  for (uint32_t p = 0; p < c.h.partitions(); ++p) {
    Processor proc(p, c.h.store().log(), fresh, {.mode = mode, .records_per_commit = 7});
    CL_RETURN_IF_ERROR(proc.Open());
    CL_RETURN_IF_ERROR(proc.ProcessAvailable().status());
    *mismatches += proc.stats().mismatches;
  }
  auto groups = Tally(fresh, c.h.partitions(), week, {FigureDimension::kDepartment,
                                                       FigureDimension::kStreet});
  FigureTotals all;
  for (const auto& [k, t] : groups) all.Add(t);
  // The cells themselves, not only their sums: the same keys and values as live.
  auto live = Tally(c.h.store(), c.h.partitions(), week,
                    {FigureDimension::kDepartment, FigureDimension::kStreet});
  CHECK(groups.size() == live.size());
  for (const auto& [k, t] : live) {
    REQUIRE(groups.count(k) == 1);
    CHECK(groups.at(k).opened == t.opened);
    CHECK(groups.at(k).closed == t.closed);
    CHECK(groups.at(k).late == t.late);
    CHECK(groups.at(k).by_outcome == t.by_outcome);
    CHECK(groups.at(k).by_origin == t.by_origin);
  }
  CHECK(*engine::StateDigest(fresh) == *engine::StateDigest(c.h.store()));
  return all;
}

TEST_CASE(
    "a past week's figures do not move with the next week, and replay (rebuilt or re-decided) "
    "gives them again") {
  City c(Shanghai(2026, 3, 2, 9));
  LiveWeekTen(c);
  const FigureTotals at_sunday = Whole(c, "2026-W10");

  // Week 11: an order of week 10 is finally rectified (late); a new call goes unanswered.
  c.AdvanceTo(Shanghai(2026, 3, 9, 9));
  Ticket stale;
  for (const auto& t : c.Of("hazard_disposal")) {
    if (t.Fact("channel").as_string() == "inspection" && !t.closed) stale = t;
  }
  REQUIRE(!stale.id.empty());
  c.Act(stale, "sign_for", "staff", "nj.liuhe.emb");
  c.Act(stale.id, "order_rectification", "staff", "nj.liuhe.emb");
  c.Act(stale.id, "submit_evidence", "staff", "nj.liuhe.emb", kEvidence);
  c.Act(stale.id, "review_pass", "supervisor", "nj.liuhe.awb");
  REQUIRE(c.Get(stale.id).outcome == "rectified");
  c.HazardReport("CITIZEN-8", "xuanwu.meiyuan.g03", "fire_safety", "general");
  // 16:00, before the other unsigned order's inspectors' step (the close of Monday 9 March).
  c.AdvanceTo(Shanghai(2026, 3, 9, 16));

  const FigureTotals week_ten = Whole(c, "2026-W10");
  CheckWeekTen(week_ten);
  CHECK(week_ten.by_outcome == at_sunday.by_outcome);
  const FigureTotals w11 = Whole(c, "2026-W11");
  CHECK(w11.opened == 1);
  CHECK(w11.reactive == 1);
  CHECK(w11.closed == 1);
  CHECK(w11.closed_on_time == 0);  // it had been overdue since Monday of week 10
  CHECK(w11.hazards_found == 1);
  CHECK(w11.hazards_rectified == 1);
  CHECK(w11.hazards_rectified_on_time == 0);
  CHECK(w11.late == 1);  // the new call's 2 hours to sign for passed at 11:00

  for (Mode mode : {Mode::kRebuild, Mode::kReprocess}) {
    uint64_t mismatches = 0;
    auto again = Replayed(c, mode, "2026-W10", &mismatches);
    REQUIRE(again.ok());
    CHECK(mismatches == 0);
    CheckWeekTen(*again);
  }
}

}  // namespace
}  // namespace closeloop::workflows
