// The assign staff action (承办人): the head of the lead department names a person of that
// department from the staff directory on the log; a reassignment records who had it; a
// person of another department, a disabled one or one the directory lacks is refused; a
// move of the lead department clears the assignment on the record; replay reproduces it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "engine/queries.h"
#include "engine/testing/harness.h"

namespace closeloop::engine {
namespace {

using nlohmann::json;
using testing::Harness;
using testing::MemoryStore;
using testing::Shanghai;

const std::string kCgj = "nj.liuhe.cgj";  // leads a gas hazard at ENT-00002

std::string StaffTable(uint32_t version, const json& people) {
  json body = {{"table_name", "staff"},
               {"version", version},
               {"content_json", json{{"people", people}}.dump()}};
  return json{{"source", "admin"}, {"body_type", "ReferenceDataUpdated"}, {"body", body}}.dump();
}

struct City {
  Harness h;
  Ticket t;
  City() {
    h.Clock(Shanghai(2026, 3, 2, 9));
    testing::LoadTestCity(h);
    h.Publish(StaffTable(1, json::array({
                                {{"user", "wang"}, {"department", kCgj}, {"name", "王芳"}},
                                {{"user", "li"}, {"department", kCgj}},
                                {{"user", "zhao"}, {"department", kCgj}, {"enabled", false}},
                                {{"user", "chen"}, {"department", "nj.liuhe.emb"}},
                            })));
    h.Publish(
        R"({"source": "hotline-12345","subject": "ENT-00002","jurisdiction": "liuhe.getang.g02",)"
        R"("occurred_at": )" +
        std::to_string(h.now()) +
        R"(,"body_type": "HazardReport","body": {"category": "gas","severity": "general"}})");
    auto all = h.TicketsOf("hazard_disposal");
    REQUIRE(all.size() == 1);
    t = all[0];
    REQUIRE(t.lead == kCgj);
  }
  std::string Assign(const std::string& extra, const std::string& role = "head",
                     const std::string& dept = kCgj) {
    return h.Act(t.id, "assign", "head." + dept, role, dept, extra);
  }
  std::string Refusal(const std::string& command) {
    std::string r = h.RejectionOf(command);
    return r.empty() ? "" : json::parse(r)["body"].value("message", "");
  }
  std::vector<json> Assigned() {
    std::vector<json> out;
    for (const auto& r : h.RecordsOfType("TicketAssigned")) out.push_back(json::parse(r));
    return out;
  }
};

TEST_CASE("the head assigns a ticket to a person of the department, then reassigns it") {
  City c;
  c.Assign(R"("assignee": "wang", "reason": "gas is hers")");
  Ticket a = *c.h.Find(c.t.id);
  CHECK(a.assignee == "wang");
  CHECK(a.state == c.t.state);  // no transition
  CHECK(a.version == c.t.version + 1);
  c.Assign(R"("assignee": "li", "reason": "wang is on leave")");
  CHECK(c.h.Find(c.t.id)->assignee == "li");
  auto recs = c.Assigned();
  REQUIRE(recs.size() == 2);
  CHECK(recs[1]["body"]["assignee"] == "li");
  CHECK(recs[1]["body"]["previous"] == "wang");
  CHECK(recs[1]["body"]["department"] == kCgj);
  CHECK(recs[1]["body"]["reason"] == "wang is on leave");
  CHECK(recs[1]["actor"] == "head." + kCgj);
  // "My tickets" and the load come from the assignee index.
  TicketFilter mine;
  mine.assignee = "li";
  auto listed = ListTickets(c.h.store(), c.h.partitions(), mine);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].id == c.t.id);
  mine.assignee = "wang";
  CHECK(ListTickets(c.h.store(), c.h.partitions(), mine)->empty());
  auto load = LoadOf(c.h.store(), c.h.partitions(), "li", c.h.now(), c.h.now() + 86400000);
  REQUIRE(load.ok());
  CHECK(load->open == 1);
  CHECK(load->overdue == 0);
  CHECK(load->due_today == 1);  // 2 hours to sign for
  CHECK(LoadOf(c.h.store(), c.h.partitions(), "wang", c.h.now(), c.h.now() + 1)->open == 0);
}

TEST_CASE("assign is refused for another department's person, a disabled one, a stranger") {
  City c;
  std::string other = c.Assign(R"("assignee": "chen")");
  CHECK(c.Refusal(other) ==
        "assignee: chen works for nj.liuhe.emb, not the lead department nj.liuhe.cgj");
  std::string disabled = c.Assign(R"("assignee": "zhao")");
  CHECK(c.Refusal(disabled) == "assignee: zhao is disabled");
  std::string stranger = c.Assign(R"("assignee": "nobody")");
  CHECK(c.Refusal(stranger) == "assignee: nobody is not in the staff directory");
  std::string none = c.Assign("");
  CHECK(c.Refusal(none).starts_with("assignee: required"));
  CHECK(json::parse(c.h.RejectionOf(none))["body"]["field"] == "assignee");
  CHECK(c.h.Find(c.t.id)->assignee.empty());
  CHECK(c.Assigned().empty());
}

TEST_CASE("only the head of the lead department assigns") {
  City c;
  std::string staff = c.Assign(R"("assignee": "wang")", "staff");
  CHECK(c.Refusal(staff) == "needs role head, acting as staff");
  std::string other_head = c.Assign(R"("assignee": "wang")", "head", "nj.liuhe.emb");
  CHECK(c.Refusal(other_head) == "the ticket is led by nj.liuhe.cgj, not nj.liuhe.emb");
  std::string supervisor = c.Assign(R"("assignee": "wang")", "supervisor", "nj.liuhe.awb");
  CHECK(c.Refusal(supervisor) == "needs role head, acting as supervisor");
  CHECK(c.h.Find(c.t.id)->assignee.empty());
}

TEST_CASE("a directory change takes effect for the next assignment, not the ones made") {
  City c;
  c.Assign(R"("assignee": "wang")");
  c.h.Publish(
      StaffTable(2, json::array({{{"user", "wang"}, {"department", kCgj}, {"enabled", false}},
                                 {{"user", "li"}, {"department", kCgj}}})));
  CHECK(c.h.Find(c.t.id)->assignee == "wang");
  std::string again = c.Assign(R"("assignee": "zhao")");
  CHECK(c.Refusal(again) == "assignee: zhao is not in the staff directory");
  // An older version of the directory is refused by the World; the one in effect stays.
  c.h.Publish(StaffTable(1, json::array({{{"user", "zhao"}, {"department", kCgj}}})));
  CHECK(c.Refusal(c.Assign(R"("assignee": "zhao")")) ==
        "assignee: zhao is not in the staff directory");
  // Unassigning (no assignee) clears it.
  c.Assign("");
  CHECK(c.h.Find(c.t.id)->assignee.empty());
  TicketFilter mine;
  mine.assignee = "wang";
  CHECK(ListTickets(c.h.store(), c.h.partitions(), mine)->empty());
}

TEST_CASE("a transfer clears the assignment, on the record, right after the transfer") {
  City c;
  c.Assign(R"("assignee": "wang")");
  c.h.Act(c.t.id, "transfer", "s", "supervisor", "nj.liuhe.awb",
          R"("to_department": "nj.liuhe.emb", "reason": "LPG storage is emergency management's")");
  Ticket moved = *c.h.Find(c.t.id);
  CHECK(moved.lead == "nj.liuhe.emb");
  CHECK(moved.assignee.empty());
  auto types = c.h.HistoryTypes(c.t.id);
  auto at = std::find(types.begin(), types.end(), "TicketTransferred");
  REQUIRE(at != types.end());
  REQUIRE(at + 1 != types.end());
  CHECK(*(at + 1) == "TicketAssigned");
  auto recs = c.Assigned();
  REQUIRE(recs.size() == 2);
  CHECK(recs[1]["body"].value("assignee", "") == "");
  CHECK(recs[1]["body"]["previous"] == "wang");
  CHECK(recs[1]["body"]["department"] == "nj.liuhe.emb");
  CHECK(recs[1]["body"]["reason"] == "the lead moved from nj.liuhe.cgj to nj.liuhe.emb");
  TicketFilter mine;
  mine.assignee = "wang";
  CHECK(ListTickets(c.h.store(), c.h.partitions(), mine)->empty());
  // The new lead's head assigns its own person.
  c.h.Act(c.t.id, "assign", "h", "head", "nj.liuhe.emb", R"("assignee": "chen")");
  CHECK(c.h.Find(c.t.id)->assignee == "chen");
}

TEST_CASE("a transfer of an unassigned ticket writes no assignment record") {
  City c;
  c.h.Act(c.t.id, "transfer", "s", "supervisor", "nj.liuhe.awb",
          R"("to_department": "nj.liuhe.emb", "reason": "not ours")");
  CHECK(c.h.Find(c.t.id)->lead == "nj.liuhe.emb");
  CHECK(c.Assigned().empty());
}

TEST_CASE("replay rebuilds and reprocessing reproduces assignments byte for byte") {
  City c;
  c.Assign(R"("assignee": "wang")");
  c.Assign(R"("assignee": "chen")");  // refused
  c.Assign(R"("assignee": "li")");
  c.h.Act(c.t.id, "transfer", "s", "supervisor", "nj.liuhe.awb",
          R"("to_department": "nj.liuhe.emb", "reason": "not ours")");
  c.h.Act(c.t.id, "assign", "h", "head", "nj.liuhe.emb", R"("assignee": "chen")");
  auto live = c.h.store().Snapshot();
  for (Mode mode : {Mode::kRebuild, Mode::kReprocess}) {
    MemoryStore fresh(c.h.partitions(), "replay");
    uint64_t mismatches = 0;
    for (uint32_t p = 0; p < c.h.partitions(); ++p) {
      Processor proc(p, c.h.store().log(), fresh, {.mode = mode, .records_per_commit = 3});
      REQUIRE(proc.Open().ok());
      REQUIRE(proc.ProcessAvailable().ok());
      mismatches += proc.stats().mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(fresh.Snapshot() == live);
  }
}

}  // namespace
}  // namespace closeloop::engine
