// Periodic duties ("1+2+3") and the four-colour rating: periodic_inspection.wf, and the way
// into loop 2 through the key enforcement list (key_enforcement.wf).
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

using nlohmann::json;

json ShippedEnterprises() {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/reference/enterprises.jsonl");
  std::string line;
  json items = json::array();
  while (std::getline(in, line)) {
    auto doc = json::parse(json::parse(line)["body"]["content_json"].get<std::string>());
    for (auto& i : doc["items"]) items.push_back(i);
  }
  return items;
}

// Publishes version `version` of the enterprises table holding the shipped ENT-00002 (a key
// enterprise in Liuhe) with colour `colour`, and the shipped ENT-00058 (Xuanwu, not key).
void PublishTwoEnterprises(City& c, uint32_t version, const std::string& colour) {
  json items = json::array();
  for (auto& e : ShippedEnterprises()) {
    if (e["id"] == "ENT-00002") {
      e["risk_colour"] = colour;
      items.push_back(e);
    }
    if (e["id"] == "ENT-00058") items.push_back(e);
  }
  json rec = {{"source", "admin"},
              {"body_type", "ReferenceDataUpdated"},
              {"body",
               {{"table_name", "enterprises"},
                {"version", version},
                {"content_json", json{{"items", items}}.dump()}}}};
  c.h.Publish(rec.dump());
}

std::vector<Ticket> Duties(City& c, const std::string& subject, const std::string& category) {
  std::vector<Ticket> out;
  for (auto& t : c.Of("periodic_inspection")) {
    if (t.subject == subject && t.category == category) out.push_back(t);
  }
  return out;
}

TEST_CASE("on the first of the month every enterprise of the city owes its self-inspection") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true});
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  auto all = ShippedEnterprises();
  size_t self = 0, officer = 0;
  for (auto& t : c.Of("periodic_inspection")) {
    self += t.category == "self_inspection";
    officer += t.category == "officer_inspection";
  }
  CHECK(self == all.size());     // monthly
  CHECK(officer == all.size());  // every two months: January, March, ...
  // Supervisors on the 5th: key enterprises quarterly (not in March), orange every two
  // months (March is one), red monthly.
  c.AdvanceTo(Shanghai(2026, 3, 5, 10), 12 * 3600 * 1000);
  size_t expected = 0, supervisor = 0;
  for (auto& e : all) expected += e["risk_colour"] == "red" || e["risk_colour"] == "orange";
  for (auto& t : c.Of("periodic_inspection")) supervisor += t.category == "supervisor_inspection";
  CHECK(supervisor == expected);
}

TEST_CASE("a missed self-inspection puts the enterprise on the key enforcement list") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  c.AdvanceTo(Shanghai(2026, 3, 1, 9), 12 * 3600 * 1000);  // the clock at the issue time
  auto self = Duties(c, "ENT-00002", "self_inspection");
  REQUIRE(self.size() == 1);
  CHECK(self[0].lead == "nj.liuhe.emb");
  CHECK(self[0].deadline_at == Shanghai(2026, 4, 1, 9));  // the end of the month's cycle
  // The safety officer's inspection is done; the enterprise's own is not.
  c.Inspection("ENT-00002", "safety_officer", 40, 2);
  c.AdvanceTo(Shanghai(2026, 3, 31, 18), 12 * 3600 * 1000);
  CHECK(!c.Get(self[0].id).overdue);  // the whole month was the enterprise's
  c.AdvanceTo(Shanghai(2026, 4, 1, 10), 3600 * 1000);
  CHECK(c.Get(self[0].id).overdue);
  std::vector<Ticket> entries;
  for (auto& t : c.Of("key_enforcement")) {
    if (t.subject == "ENT-00002") entries.push_back(t);
  }
  REQUIRE(entries.size() == 1);  // the officer's inspection was done: only the self-inspection
  Ticket listed = entries[0];
  CHECK(listed.parent_id == self[0].id);
  CHECK(listed.subject == "ENT-00002");
  CHECK(listed.lead == "nj.liuhe.emb");
  CHECK(listed.Fact("reason").as_string() == "periodic self_inspection missed");
  CHECK(listed.Fact("trigger").as_string() == "missed_self_inspection");
  // Screened first (seed 004, 先研判、再执法), then the enforcement inspection finds a
  // violation: a case is opened.
  CHECK(listed.state == "screening");
  c.Act(listed, "confirm_listing", "staff", "nj.liuhe.emb");
  c.Act(listed.id, "file_case", "staff", "nj.liuhe.emb");
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.parent_id == listed.id);
}

TEST_CASE(
    "a self-inspection is measured against the enterprise's own checklist: 30 items of a key "
    "chemical plant's 86 is perfunctory and lists it, 20 items of an ordinary enterprise's 20 "
    "is complete") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  c.Inspection("ENT-00058", "enterprise", 20, 1);  // its whole template: no listing
  c.Inspection("ENT-00002", "enterprise", 30, 0);  // 30 of the 86 items: perfunctory
  auto self = Duties(c, "ENT-00002", "self_inspection");
  REQUIRE(self.size() == 1);
  CHECK(c.Get(self[0].id).state == "reviewing");
  Ticket listed = c.Only("key_enforcement");
  CHECK(listed.subject == "ENT-00002");
  CHECK(listed.Fact("reason").as_string() == "periodic self_inspection perfunctory");
  CHECK(listed.Fact("checklist_items").as_int() == 86);
  // Listed; the inspection finds nothing unlawful, but the entry stays until the cause is
  // cleared: here the plant's next self-inspection, against its whole checklist.
  c.Act(listed, "confirm_listing", "staff", "nj.liuhe.emb");
  std::string early = c.Act(listed.id, "inspect_clear", "staff", "nj.liuhe.emb",
                            R"("note": "visited: paperwork in order")");
  CHECK(Contains(c.h.RejectionOf(early), "condition not met"));
  c.Inspection("ENT-00002", "enterprise", 60, 0);  // still short of 86: not cleared
  CHECK_FALSE(c.Get(listed.id).Fact("cause_cleared").truthy());
  c.Inspection("ENT-00002", "enterprise", 86, 1);
  CHECK(c.Get(listed.id).Fact("cause_cleared").truthy());
  c.Act(listed.id, "inspect_clear", "staff", "nj.liuhe.emb",
        R"("note": "visited: paperwork in order")");
  CHECK(c.Get(listed.id).outcome == "no_violation");
}

TEST_CASE("the risk colour changes how often supervisors inspect") {
  City c(Shanghai(2026, 3, 31, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "red");
  c.AdvanceTo(Shanghai(2026, 4, 6, 10), 12 * 3600 * 1000);
  CHECK(Duties(c, "ENT-00002", "supervisor_inspection").size() == 1);  // red: April
  c.AdvanceTo(Shanghai(2026, 5, 6, 10), 12 * 3600 * 1000);
  CHECK(Duties(c, "ENT-00002", "supervisor_inspection").size() == 2);  // red: May too
  // Re-rated blue (a new version of the table, a record on the log): a key enterprise is then
  // visited quarterly, so nothing in June, and July again.
  PublishTwoEnterprises(c, 2, "blue");
  c.AdvanceTo(Shanghai(2026, 6, 6, 10), 12 * 3600 * 1000);
  CHECK(Duties(c, "ENT-00002", "supervisor_inspection").size() == 2);
  c.AdvanceTo(Shanghai(2026, 7, 6, 10), 12 * 3600 * 1000);
  CHECK(Duties(c, "ENT-00002", "supervisor_inspection").size() == 3);
  CHECK(Duties(c, "ENT-00058", "supervisor_inspection").empty());  // neither key nor red/orange
}

TEST_CASE("a supervisor inspection never made goes to the discipline inspectors") {
  City c(Shanghai(2026, 3, 31, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "orange");
  c.AdvanceTo(Shanghai(2026, 4, 30, 10), 12 * 3600 * 1000);
  bool found = false;
  for (auto& o : c.Of("oversight_case")) {
    found =
        found || o.Fact("reason").as_string() == "supervisor inspection of a key enterprise missed";
  }
  CHECK(!found);  // orange: May is the month, nothing due in April
  c.AdvanceTo(Shanghai(2026, 5, 5, 9), 12 * 3600 * 1000);
  c.AdvanceTo(Shanghai(2026, 7, 5, 8), 12 * 3600 * 1000);
  auto sup = Duties(c, "ENT-00002", "supervisor_inspection");
  REQUIRE(sup.size() == 1);  // May's: due at the end of its two months, on 5 July
  CHECK(sup[0].deadline_at == Shanghai(2026, 7, 5, 9));
  CHECK(!sup[0].overdue);
  c.AdvanceTo(Shanghai(2026, 7, 5, 10), 3600 * 1000);
  sup[0] = c.Get(sup[0].id);
  CHECK(sup[0].overdue);
  for (auto& o : c.Of("oversight_case")) {
    if (o.parent_id == sup[0].id) found = true;
  }
  CHECK(found);
}

TEST_CASE(
    "each duty of the 1+2+3 is due at the end of its cycle: the self-inspection with the month, "
    "the safety officer's with the two months, the supervisor's with the quarter") {
  City c(Shanghai(2026, 3, 31, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  // The clock reaches each issue time (a duty is issued at the first tick at or after it).
  c.AdvanceTo(Shanghai(2026, 4, 1, 9), 12 * 3600 * 1000);
  c.AdvanceTo(Shanghai(2026, 4, 5, 9), 12 * 3600 * 1000);
  c.AdvanceTo(Shanghai(2026, 4, 6, 10), 12 * 3600 * 1000);
  auto self = Duties(c, "ENT-00002", "self_inspection");
  REQUIRE(self.size() == 1);
  CHECK(self[0].deadline_at == Shanghai(2026, 5, 1, 9));
  auto sup = Duties(c, "ENT-00002", "supervisor_inspection");  // key enterprise: quarterly
  REQUIRE(sup.size() == 1);
  CHECK(sup[0].deadline_at == Shanghai(2026, 7, 5, 9));
  c.AdvanceTo(Shanghai(2026, 5, 1, 9), 12 * 3600 * 1000);
  c.AdvanceTo(Shanghai(2026, 5, 2, 10), 12 * 3600 * 1000);
  auto officer = Duties(c, "ENT-00002", "officer_inspection");  // May, July, ...
  REQUIRE(officer.size() == 1);
  CHECK(officer[0].deadline_at == Shanghai(2026, 7, 1, 9));
  // A self-inspection sent back on review is redone within 10 working days, not a month.
  auto may = Duties(c, "ENT-00058", "self_inspection");
  Ticket duty;
  for (auto& t : may) {
    if (t.deadline_at == Shanghai(2026, 6, 1, 9)) duty = t;
  }
  REQUIRE(!duty.id.empty());
  c.Inspection("ENT-00058", "enterprise", 20, 0);
  c.Act(duty.id, "review_fail", "staff", duty.lead,
        R"("reason": "photos of the fire exits missing")");
  CHECK(c.Get(duty.id).deadline_at == Shanghai(2026, 5, 18, 17));
}

TEST_CASE(
    "an inspection the full-time safety officer misses is the officer's lapse, sent to the "
    "safety-committee office, and does not put the enterprise on the key enforcement list") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  c.Inspection("ENT-00002", "enterprise", 86, 0);  // March's self-inspection, complete
  c.AdvanceTo(Shanghai(2026, 4, 1, 10), 12 * 3600 * 1000);
  c.Inspection("ENT-00002", "enterprise", 86, 0);  // April's
  auto officer = Duties(c, "ENT-00002", "officer_inspection");
  REQUIRE(officer.size() == 1);
  c.AdvanceTo(Shanghai(2026, 5, 1, 10), 3600 * 1000);
  Ticket missed = c.Get(officer[0].id);
  CHECK(missed.overdue);
  bool lapse = false;
  for (const auto& e : c.RecordsAbout("TicketEscalated", missed.id)) {
    if (BodyField(e, "rule") != "officer_missed") continue;
    lapse = true;
    CHECK(BodyField(e, "action") == "escalate_parent");
    CHECK(BodyField(e, "to_department") == "nj.liuhe.awb");
  }
  CHECK(lapse);
  for (auto& t : c.Of("key_enforcement")) CHECK(t.subject != "ENT-00002");
}

// The enterprise's self-inspection report: `found` hazards, `rectified` of them; `duty` names
// the duty it answers (a follow-up report on the hazards of a reviewed one).
void SelfReport(City& c, const Ticket& duty, int items, int found, int rectified) {
  c.h.Publish(json{{"source", "self-inspection-system"},
                   {"subject", duty.subject},
                   {"jurisdiction", duty.jurisdiction},
                   {"occurred_at", c.h.now()},
                   {"body_type", "SelfInspection"},
                   {"body",
                    {{"period", "2026-03"},
                     {"inspector_role", "enterprise"},
                     {"duty_ticket_id", duty.id},
                     {"items_checked", items},
                     {"hazards_found", found},
                     {"hazards_rectified", rectified}}}}
                  .dump());
}

TEST_CASE(
    "hazards a self-inspection found are rectified to zero before the duty closes; an "
    "enterprise that leaves some open for 15 working days is overdue and goes on the key "
    "enforcement list") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  c.AdvanceTo(Shanghai(2026, 3, 2, 9), 12 * 3600 * 1000);  // Monday 2 March
  Ticket plant = Duties(c, "ENT-00002", "self_inspection").at(0);
  Ticket shop = Duties(c, "ENT-00058", "self_inspection").at(0);
  SelfReport(c, plant, 86, 3, 1);
  SelfReport(c, shop, 20, 2, 0);
  for (const Ticket& t : {plant, shop}) {
    c.Act(t.id, "review_pass", "staff", t.lead, R"("note": "complete, photos in order")");
  }
  plant = c.Get(plant.id);
  CHECK(plant.state == "clearing");  // 3 found, 1 rectified: not closed
  CHECK(plant.Fact("hazards_found").as_int() == 3);
  CHECK(plant.Fact("hazards_rectified").as_int() == 1);
  CHECK(plant.deadline_at == Shanghai(2026, 3, 23, 17));  // 15 working days
  // The plant reports the rest done; the duty closes. The shop reports one of two.
  SelfReport(c, plant, 86, 3, 3);
  SelfReport(c, shop, 20, 2, 1);
  plant = c.Get(plant.id);
  CHECK(plant.closed);
  CHECK(plant.outcome == "inspected");
  CHECK(c.Get(shop.id).state == "clearing");
  CHECK(c.Get(shop.id).Fact("hazards_rectified").as_int() == 1);
  CHECK(c.Of("key_enforcement").empty());
  c.AdvanceTo(Shanghai(2026, 3, 24, 9), 4 * 3600 * 1000);
  shop = c.Get(shop.id);
  CHECK(shop.overdue);
  Ticket entry = c.Only("key_enforcement");
  CHECK(entry.subject == "ENT-00058");
  CHECK(entry.Fact("trigger").as_string() == "overdue_rectification");
  CHECK(entry.Fact("reason").as_string() == "hazards found not rectified in 15 working days");
}

}  // namespace
}  // namespace closeloop::workflows
