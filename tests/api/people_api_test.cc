// People, not only departments (承办人): the head of the lead department assigns a ticket to a
// person of it and reassigns it; "my tickets" and a person's load follow from the engine's
// index; the boundary refuses, as an attacker would try them, a person of another
// department, a disabled one, a stranger, a publisher's token, another department's head, a
// clerk claiming to be head; a return to another department ends the assignment on the
// record.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

std::string Note(const Reply& r) { return std::to_string(r.status) + " " + r.text; }

struct People {
  ApiFixture api{"people"};
  std::string id;
  People() {
    api.AddUser({{"name", "firehead"},
                 {"role", "staff"},
                 {"department", "nj.xuanwu.fire"},
                 {"acts_as", {"head"}},
                 {"display_name", "Zhou Qiang"}});
    api.AddUser({{"name", "clerk2"},
                 {"role", "staff"},
                 {"department", "nj.xuanwu.fire"},
                 {"display_name", "Li Na"}});
    id = api.OpenFireTicket("ent-people-1");
    REQUIRE(api.WaitTicket(id)["ticket"]["lead"] == "nj.xuanwu.fire");
  }
  Reply Assign(const std::string& user, const json& extra) {
    json body = extra;
    body["verb"] = "assign";
    return api.Post(user, "/v1/tickets/" + id + "/actions", body);
  }
  std::vector<std::string> Listed(const std::string& user, const std::string& query) {
    Reply r = api.Get(user, "/v1/tickets?" + query);
    REQUIRE_MESSAGE(r.status == 200, Note(r));
    std::vector<std::string> ids;
    for (const auto& t : r.body["tickets"]) ids.push_back(t["id"]);
    return ids;
  }
};

TEST_CASE("a head assigns and reassigns; my tickets and the load table follow") {
  People p;
  Reply seen = p.api.Get("firehead", "/v1/tickets/" + p.id);
  REQUIRE(seen.status == 200);
  json assign;
  for (const auto& a : seen.body["actions"]) {
    if (a["verb"] == "assign") assign = a;
  }
  REQUIRE_MESSAGE(assign.is_object(), seen.body["actions"].dump());
  CHECK(assign["as_role"] == "head");
  std::set<std::string> offered;
  for (const auto& c : assign["fields"][0]["choices"]) offered.insert(c["value"]);
  CHECK(offered.contains("fire"));
  CHECK(offered.contains("clerk2"));
  CHECK_FALSE(offered.contains("other"));  // Gulou's clerk
  CHECK_FALSE(offered.contains("emb"));    // the assisting department's

  Reply first = p.Assign("firehead", {{"assignee", "fire"}, {"as_role", "head"}});
  REQUIRE_MESSAGE(first.status == 200, Note(first));
  CHECK(first.body["ticket"]["assignee"] == "fire");
  CHECK(first.body["records"] == json::array({"TicketAssigned"}));
  CHECK(p.Listed("fire", "assignee=me") == std::vector<std::string>{p.id});
  CHECK(p.Listed("clerk2", "assignee=me").empty());

  Reply again = p.Assign(
      "firehead", {{"assignee", "clerk2"}, {"as_role", "head"}, {"reason", "fire is on leave"}});
  REQUIRE_MESSAGE(again.status == 200, Note(again));
  CHECK(again.body["ticket"]["assignee"] == "clerk2");
  CHECK(again.body["ticket"]["names"]["assignee"]["zh"] == "Li Na");
  CHECK(p.Listed("fire", "assignee=me").empty());
  CHECK(p.Listed("clerk2", "assignee=me") == std::vector<std::string>{p.id});
  CHECK(p.Listed("firehead", "assignee=clerk2") == std::vector<std::string>{p.id});
  Reply nosy = p.api.Get("fire", "/v1/tickets?assignee=clerk2");
  CHECK_MESSAGE(nosy.status == 403, Note(nosy));

  // The reassignment is on the record: who, from whom, to whom, why.
  Reply t = p.api.Get("firehead", "/v1/tickets/" + p.id);
  json last;
  for (const auto& r : t.body["history"]) {
    if (r["body_type"] == "TicketAssigned") last = r;
  }
  REQUIRE(last.is_object());
  CHECK(last["actor"] == "firehead");
  CHECK(last["body"]["previous"] == "fire");
  CHECK(last["body"]["assignee"] == "clerk2");
  CHECK(last["body"]["assignee_name"] == "Li Na");
  CHECK(last["body"]["reason"] == "fire is on leave");

  Reply load = p.api.Get("firehead", "/v1/departments/nj.xuanwu.fire/people");
  REQUIRE_MESSAGE(load.status == 200, Note(load));
  std::map<std::string, json> rows;
  for (const auto& r : load.body["people"]) rows[r["user"]] = r;
  REQUIRE(rows.contains("clerk2"));
  CHECK(rows["clerk2"]["open"] == 1);
  CHECK(rows["clerk2"]["due_today"] == 1);  // 2 hours to sign for
  CHECK(rows["clerk2"]["overdue"] == 0);
  CHECK(rows["fire"]["open"] == 0);
  CHECK_FALSE(rows.contains("other"));
  for (const char* who : {"fire", "other", "office", "hotline"}) {
    Reply r = p.api.Get(who, "/v1/departments/nj.xuanwu.fire/people");
    CHECK_MESSAGE(r.status == 403, who << ": " << Note(r));
  }
  CHECK(p.api.Get("admin", "/v1/departments/nj.xuanwu.fire/people").status == 200);
  CHECK(p.api.Get("admin", "/v1/departments/nj.nowhere/people").status == 404);

  // Overdue once the deadline passes: the engine's mark, read from the index.
  p.api.Advance("2026-03-02T12:30");
  for (int i = 0; i < 200; ++i) {
    Reply later = p.api.Get("firehead", "/v1/departments/nj.xuanwu.fire/people");
    for (const auto& r : later.body["people"]) {
      if (r["user"] == "clerk2") rows["clerk2"] = r;
    }
    if (rows["clerk2"]["overdue"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(rows["clerk2"]["overdue"] == 1);
}

TEST_CASE("assignments the boundary refuses, as an attacker would try them") {
  People p;
  p.api.AddUser({{"name", "gone"}, {"role", "staff"}, {"department", "nj.xuanwu.fire"}});
  REQUIRE(p.api.Call("admin", "DELETE", "/v1/admin/users/gone").status == 200);
  p.api.AddUser({{"name", "gulouhead"},
                 {"role", "staff"},
                 {"department", "nj.gulou.fire"},
                 {"acts_as", {"head"}}});
  p.api.AddUser({{"name", "embhead"},
                 {"role", "staff"},
                 {"department", "nj.xuanwu.emb"},
                 {"acts_as", {"head"}}});

  struct Case {
    const char* user;
    json body;
    int status;
    std::string code, field, message;
  };
  const std::vector<Case> cases = {
      {"firehead",
       {{"assignee", "other"}, {"as_role", "head"}},
       422,
       "invalid_field",
       "assignee",
       "assignee: other works for nj.gulou.fire, not the lead department nj.xuanwu.fire"},
      {"firehead",
       {{"assignee", "emb"}, {"as_role", "head"}},
       422,
       "invalid_field",
       "assignee",
       "assignee: emb works for nj.xuanwu.emb, not the lead department nj.xuanwu.fire"},
      {"firehead",
       {{"assignee", "gone"}, {"as_role", "head"}},
       422,
       "invalid_field",
       "assignee",
       "assignee: gone is disabled"},
      {"firehead",
       {{"assignee", "nobody"}, {"as_role", "head"}},
       422,
       "invalid_field",
       "assignee",
       "assignee: nobody is not in the staff directory"},
      {"firehead", {{"as_role", "head"}}, 422, "invalid_field", "assignee", ""},
      {"firehead", {{"assignee", 7}, {"as_role", "head"}}, 400, "invalid", "assignee", ""},
      // A publisher's token never acts on tickets.
      {"hotline", {{"assignee", "fire"}}, 403, "forbidden", "", ""},
      // Another district's head does not even see the ticket.
      {"gulouhead", {{"assignee", "fire"}, {"as_role", "head"}}, 404, "not_found", "", ""},
      // The assisting department's head sees it but does not direct the lead's people.
      {"embhead",
       {{"assignee", "fire"}, {"as_role", "head"}},
       403,
       "wrong_department",
       "",
       "the ticket is led by nj.xuanwu.fire, not nj.xuanwu.emb"},
      // A clerk of the lead claiming to be its head.
      {"fire", {{"assignee", "fire"}, {"as_role", "head"}}, 403, "forbidden", "as_role", ""},
      {"fire", {{"assignee", "fire"}}, 403, "wrong_role", "", "needs role head, acting as staff"},
      {"office",
       {{"assignee", "fire"}},
       403,
       "wrong_role",
       "",
       "needs role head, acting as supervisor"},
      {"auditor", {{"assignee", "fire"}}, 403, "forbidden", "", ""},
  };
  for (const auto& c : cases) {
    INFO(c.user << " " << c.body.dump());
    Reply r = p.Assign(c.user, c.body);
    CHECK_MESSAGE(r.status == c.status, Note(r));
    CHECK(r.body["error"]["code"] == c.code);
    if (!c.field.empty()) CHECK(r.body["error"]["field"] == c.field);
    if (!c.message.empty()) CHECK(r.body["error"]["message"] == c.message);
  }
  // Another verb does not carry a person.
  Reply stray = p.api.Post("fire", "/v1/tickets/" + p.id + "/actions",
                           {{"verb", "sign_for"}, {"assignee", "fire"}});
  CHECK_MESSAGE(stray.status == 400, Note(stray));
  CHECK(stray.body["error"]["field"] == "assignee");
  Reply t = p.api.Get("admin", "/v1/tickets/" + p.id);
  CHECK(t.body["ticket"]["assignee"] == "");
  for (const auto& r : t.body["history"]) CHECK(r["body_type"] != "TicketAssigned");
}

TEST_CASE("a return to another department ends the assignment, on the record") {
  People p;
  REQUIRE(p.Assign("firehead", {{"assignee", "fire"}, {"as_role", "head"}}).status == 200);
  Reply back = p.api.Post("fire", "/v1/tickets/" + p.id + "/actions",
                          {{"verb", "return"},
                           {"reason", "chemicals are emergency management's"},
                           {"to_department", "nj.xuanwu.emb"}});
  REQUIRE_MESSAGE(back.status == 200, Note(back));
  CHECK(back.body["ticket"]["lead"] == "nj.xuanwu.emb");
  CHECK(back.body["ticket"]["assignee"] == "");
  auto types = back.body["records"].get<std::vector<std::string>>();
  auto at = std::find(types.begin(), types.end(), "TicketReturned");
  REQUIRE(at != types.end());
  REQUIRE(at + 1 != types.end());
  CHECK(*(at + 1) == "TicketAssigned");
  Reply t = p.api.Get("admin", "/v1/tickets/" + p.id);
  json last;
  for (const auto& r : t.body["history"]) {
    if (r["body_type"] == "TicketAssigned") last = r;
  }
  CHECK(last["body"]["previous"] == "fire");
  CHECK(last["body"].value("assignee", "") == "");
  CHECK(last["body"]["reason"] == "the lead moved from nj.xuanwu.fire to nj.xuanwu.emb");
  CHECK(p.Listed("fire", "assignee=me").empty());
}

}  // namespace
}  // namespace closeloop::testing
