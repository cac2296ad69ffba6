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
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  auto self = Duties(c, "ENT-00002", "self_inspection");
  REQUIRE(self.size() == 1);
  CHECK(self[0].lead == "nj.liuhe.emb");
  CHECK(self[0].deadline_at == Shanghai(2026, 3, 20, 17));  // 15 working days
  // The safety officer's inspection is done; the enterprise's own is not.
  c.Inspection("ENT-00002", "safety_officer", 40, 2);
  c.AdvanceTo(Shanghai(2026, 3, 21, 9), 12 * 3600 * 1000);
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
  // The enforcement inspection finds a violation: a case is opened.
  c.Act(listed, "file_case", "staff", "nj.liuhe.emb");
  Ticket kase = c.Only("enforcement_case");
  CHECK(kase.parent_id == listed.id);
}

TEST_CASE("a perfunctory self-inspection puts the enterprise on the key enforcement list") {
  City c(Shanghai(2026, 2, 27, 18), {.periodic = true, .enterprises = false});
  PublishTwoEnterprises(c, 1, "blue");
  c.AdvanceTo(Shanghai(2026, 3, 1, 10), 12 * 3600 * 1000);
  c.Inspection("ENT-00058", "enterprise", 30, 1);  // a proper one: no listing
  c.Inspection("ENT-00002", "enterprise", 4, 0);   // four items of a chemical plant's 86
  auto self = Duties(c, "ENT-00002", "self_inspection");
  REQUIRE(self.size() == 1);
  CHECK(c.Get(self[0].id).state == "reviewing");
  Ticket listed = c.Only("key_enforcement");
  CHECK(listed.subject == "ENT-00002");
  CHECK(listed.Fact("reason").as_string() == "periodic self_inspection perfunctory");
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
  c.AdvanceTo(Shanghai(2026, 5, 28, 10), 12 * 3600 * 1000);
  auto sup = Duties(c, "ENT-00002", "supervisor_inspection");
  REQUIRE(sup.size() == 1);
  CHECK(sup[0].overdue);
  for (auto& o : c.Of("oversight_case")) {
    if (o.parent_id == sup[0].id) found = true;
  }
  CHECK(found);
}

}  // namespace
}  // namespace closeloop::workflows
