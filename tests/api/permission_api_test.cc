// The actions a ticket offers are the engine's permission predicate (engine/permission.h),
// not a second opinion: for each user who can see a ticket, every verb of its state is
// offered exactly when the engine takes it from that user, and refused as 403 (wrong role,
// wrong department, or a role that may not act) exactly when it is not offered.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

std::string Note(const Reply& r) { return std::to_string(r.status) + " " + r.text; }

TEST_CASE("a ticket offers a user exactly the verbs the engine accepts from that user") {
  ApiFixture api("permission");
  api.AddUser({{"name", "firehead"},
               {"role", "staff"},
               {"department", "nj.xuanwu.fire"},
               {"acts_as", {"head"}}});
  api.AddUser({{"name", "cityoffice"}, {"role", "supervisor"}, {"department", "nj.awb"}});

  // Every verb of hazard_disposal's `verifying` state, each with the fields it requires
  // (workflows/hazard_disposal.wf), so that only who sends it decides the answer.
  const std::map<std::string, json> verbs = {
      {"progress", {{"note", "checked the exits"}}},
      {"dismiss", {{"reason", "no hazard found"}}},
      {"order_rectification", json::object()},
      {"report_dereliction", {{"reason", "no visit in a week"}}},
      // An assisting department's written answer (协办反馈), once per department.
      {"assist_feedback", {{"note", "the exits are the fire brigade's to check"}}},
      // The staff action every workflow has: the head of the lead names a person of it.
      {"assign", {{"assignee", "fire"}}},
  };
  // Who should be offered what, as docs/dsl.md defines the roles.
  const std::map<std::string, std::set<std::string>> expected = {
      {"fire", {"progress", "dismiss", "order_rectification"}},                // staff of the lead
      {"firehead", {"progress", "dismiss", "order_rectification", "assign"}},  // ... its head
      {"emb", {"progress", "assist_feedback"}},                                // staff assisting
      {"office", {"report_dereliction"}},                                      // Xuanwu's office
      {"cityoffice", {"report_dereliction"}},                                  // the city's office
      {"auditor", {}},                                                         // reads, never acts
  };

  int n = 0;
  auto fresh_ticket = [&] {
    std::string id = api.OpenFireTicket("ent-perm-" + std::to_string(n++));
    REQUIRE(api.WaitTicket(id)["ticket"]["state"] == "dispatched");
    Reply s = api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}});
    REQUIRE_MESSAGE(s.status == 200, Note(s));
    REQUIRE(s.body["ticket"]["state"] == "verifying");
    return id;
  };

  for (const auto& [user, wanted] : expected) {
    std::string id = fresh_ticket();
    Reply seen = api.Get(user, "/v1/tickets/" + id);
    REQUIRE_MESSAGE(seen.status == 200, user << ": " << Note(seen));
    std::map<std::string, std::string> offered;  // verb -> as_role
    for (const auto& a : seen.body["actions"]) {
      offered[a["verb"]] = a["as_role"];
      CHECK_MESSAGE(verbs.contains(a["verb"]), user << " offered " << a["verb"]);
    }
    std::set<std::string> offered_verbs;
    for (const auto& [v, role] : offered) offered_verbs.insert(v);
    CHECK_MESSAGE(offered_verbs == wanted, user << ": " << seen.body["actions"].dump());

    for (const auto& [verb, fields] : verbs) {
      INFO(user << " " << verb);
      Reply now = api.Get("admin", "/v1/tickets/" + id);
      if (now.body["ticket"]["state"] != "verifying") id = fresh_ticket();
      json body = fields;
      body["verb"] = verb;
      auto it = offered.find(verb);
      if (it != offered.end()) body["as_role"] = it->second;
      Reply r = api.Post(user, "/v1/tickets/" + id + "/actions", body);
      if (it != offered.end()) {
        CHECK_MESSAGE(r.status == 200, Note(r));
      } else {
        CHECK_MESSAGE(r.status == 403, Note(r));
        const std::string code = r.body["error"].value("code", "");
        CHECK_MESSAGE((code == "wrong_role" || code == "wrong_department" || code == "forbidden"),
                      Note(r));
      }
    }
  }
}

}  // namespace
}  // namespace closeloop::testing
