// Enterprises as users of the API (role enterprise, docs/api.md "Enterprises"): an enterprise's
// own token sees and acts on the tickets about itself, of the workflows that give it a part,
// and nothing else. Everything else it tries is refused (403 for what the role may not do at
// all, 404 for a ticket outside its scope, so nobody learns what exists) and recorded: on the
// access log, and for a command the engine decides, as a CommandRejected on the log.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

std::string Note(const Reply& r) { return std::to_string(r.status) + " " + r.text; }

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(1500, 'e');

// The two malls (shipped reference data, Xuanwu) and their safety managers.
void AddMalls(ApiFixture& api) {
  api.AddUser({{"name", "tongchuang"},
               {"role", "enterprise"},
               {"enterprise", "ENT-00060"},
               {"display_name", "南京同创商业管理有限公司 安全管理员"}});
  api.AddUser({{"name", "tianheng"}, {"role", "enterprise"}, {"enterprise", "ENT-00058"}});
}

// A fire-safety order about `subject`, signed for and ordered rectified by the brigade.
std::string Rectifying(ApiFixture& api, const std::string& subject) {
  const std::string id = api.OpenFireTicket(subject);
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  Reply r = api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "order_rectification"}});
  REQUIRE_MESSAGE(r.status == 200, Note(r));
  return id;
}

bool Lists(const Reply& r, const std::string& id) {
  for (const auto& t : r.body["tickets"]) {
    if (t["id"] == id) return true;
  }
  return false;
}

TEST_CASE(
    "a mall's safety manager lists its own orders, signs for one and reports it rectified with "
    "a photo; the verbs offered are its own and the brigade's are not") {
  ApiFixture api("enterprise-own");
  AddMalls(api);
  const std::string mine = Rectifying(api, "ENT-00060");
  const std::string theirs = Rectifying(api, "ENT-00058");

  Reply list = api.Get("tongchuang", "/v1/tickets?open=true");
  REQUIRE_MESSAGE(list.status == 200, Note(list));
  CHECK(Lists(list, mine));
  CHECK_FALSE(Lists(list, theirs));

  Reply seen = api.Get("tongchuang", "/v1/tickets/" + mine);
  REQUIRE_MESSAGE(seen.status == 200, Note(seen));
  std::set<std::string> offered;
  for (const auto& a : seen.body["actions"]) {
    offered.insert(a["verb"].get<std::string>());
    CHECK(a["as_role"] == "enterprise");
  }
  CHECK(offered == std::set<std::string>{"sign_order", "submit_evidence"});

  Reply signed_for = api.Post("tongchuang", "/v1/tickets/" + mine + "/actions",
                              {{"verb", "sign_order"}, {"as_role", "enterprise"}});
  CHECK_MESSAGE(signed_for.status == 200, Note(signed_for));
  Reply photo = api.Call("tongchuang", "POST", "/v1/attachments", kPng, "image/png");
  REQUIRE_MESSAGE(photo.status == 201, Note(photo));
  const std::string ref = "sha256:" + photo.body["sha256"].get<std::string>();
  Reply done = api.Post("tongchuang", "/v1/tickets/" + mine + "/actions",
                        {{"verb", "submit_evidence"},
                         {"note", "chain removed from the north fire exit"},
                         {"evidence", {ref}}});
  CHECK_MESSAGE(done.status == 200, Note(done));
  CHECK(done.body["ticket"]["state"] == "rectifying");  // the brigade checks it next
  // The brigade reads the photo the mall attached.
  CHECK(api.Get("fire", "/v1/attachments/" + photo.body["sha256"].get<std::string>()).status ==
        200);
}

TEST_CASE(
    "an enterprise token cannot read or act on another enterprise's ticket, list queues, claim "
    "another role or publish events: each is refused and on the access log") {
  ApiFixture api("enterprise-attack");
  AddMalls(api);
  const std::string mine = Rectifying(api, "ENT-00060");
  const std::string theirs = Rectifying(api, "ENT-00058");

  // Another enterprise's ticket: not found, to read or to act on, and its chain too.
  CHECK(api.Get("tianheng", "/v1/tickets/" + mine).status == 404);
  CHECK(api.Get("tianheng", "/v1/chains/" + mine).status == 404);
  Reply act = api.Post("tianheng", "/v1/tickets/" + mine + "/actions",
                       {{"verb", "sign_order"}, {"as_role", "enterprise"}});
  CHECK_MESSAGE(act.status == 404, Note(act));
  // Its own ticket is fine, so the 404 above is the scope, not the id.
  CHECK(api.Get("tianheng", "/v1/tickets/" + theirs).status == 200);

  // Queues and searches beyond its own subject.
  CHECK(api.Get("tianheng", "/v1/tickets?subject=ENT-00060").status == 403);
  CHECK(api.Get("tianheng", "/v1/tickets?department=nj.xuanwu.fire").status == 403);
  CHECK(api.Get("tianheng", "/v1/tickets?sort=deadline").status == 403);
  CHECK_FALSE(Lists(api.Get("tianheng", "/v1/tickets?q=blocked"), mine));
  CHECK(api.Get("tianheng", "/v1/overview").status == 403);
  CHECK(api.Get("tianheng", "/v1/places/enterprises").status == 403);
  CHECK(api.Get("tianheng", "/v1/departments/nj.xuanwu.fire/people").status == 403);
  CHECK(api.Post("tianheng", "/v1/stream/ticket", json::object()).status == 403);

  // Another role: as a claim it does not hold, and as the role the verb needs.
  Reply as_office = api.Post("tianheng", "/v1/tickets/" + theirs + "/actions",
                             {{"verb", "approve_extension"}, {"as_role", "supervisor"}});
  CHECK(as_office.status == 403);
  CHECK(as_office.body["error"]["field"] == "as_role");
  Reply as_staff = api.Post("tianheng", "/v1/tickets/" + theirs + "/actions",
                            {{"verb", "progress"}, {"note", "all fixed, close it"}});
  CHECK_MESSAGE(as_staff.status == 403, Note(as_staff));
  CHECK(as_staff.body["error"]["code"] == "wrong_department");  // the engine's refusal, recorded
  Reply timeline = api.Get("admin", "/v1/tickets/" + theirs);
  bool rejected = false;
  for (const auto& r : timeline.body["history"]) rejected |= r["body_type"] == "CommandRejected";
  CHECK(rejected);

  // Publishing as an agency: not a role of theirs.
  json ev = {{"source", "enterprise-portal"},
             {"subject", "ENT-00058"},
             {"jurisdiction", "xuanwu.meiyuan"},
             {"occurred_at", 1772413200000},
             {"body_type", "EnterpriseSelfReport"},
             {"body", {{"category", "fire_safety"}, {"severity", "general"}}}};
  CHECK(api.Post("tianheng", "/v1/events", ev).status == 403);

  // Every refusal above is on the access log, with who asked.
  Reply log = api.Get("admin", "/v1/admin/access-log?limit=1000");
  REQUIRE(log.status == 200);
  int read_refused = 0, act_refused = 0, publish_refused = 0;
  for (const auto& e : log.body["entries"]) {
    if (e["user"] != "tianheng") continue;
    const std::string target = e["target"];
    if (e["status"] == 404 && target == "/v1/tickets/" + mine) ++read_refused;
    if (e["status"] == 404 && target == "/v1/tickets/" + mine + "/actions") ++act_refused;
    if (e["status"] == 403 && target == "/v1/events") ++publish_refused;
    CHECK(e["role"] == "enterprise");
  }
  CHECK(read_refused == 1);
  CHECK(act_refused == 1);
  CHECK(publish_refused == 1);
}

TEST_CASE("who reported an enterprise is withheld from it, not masked") {
  ApiFixture api("enterprise-reporter");
  AddMalls(api);
  json ev = {{"source", "hotline-12345"},
             {"subject", "ENT-00060"},
             {"jurisdiction", "xuanwu.meiyuan"},
             {"occurred_at", 1772413200000},
             {"body_type", "HazardReport"},
             {"body",
              {{"category", "fire_safety"},
               {"severity", "general"},
               {"description", "the north fire exit is chained at night"},
               {"reporter", "王小明"},
               {"reporter_contact", "13912345678"}}}};
  REQUIRE(api.Post("hotline", "/v1/events", ev).status == 201);
  std::string id;
  for (int i = 0; i < 500 && id.empty(); ++i) {
    Reply l = api.Get("tongchuang", "/v1/tickets?open=true");
    if (l.status == 200 && !l.body["tickets"].empty()) id = l.body["tickets"][0]["id"];
    if (id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_FALSE(id.empty());
  Reply seen = api.Get("tongchuang", "/v1/tickets/" + id);
  REQUIRE(seen.status == 200);
  const std::string text = seen.body["case_file"].dump();
  CHECK(text.find("13912345678") == std::string::npos);
  CHECK(text.find("王") == std::string::npos);
  const json& content = seen.body["case_file"][0]["content"];
  CHECK_FALSE(content.contains("reporter"));
  CHECK_FALSE(content.contains("reporter_contact"));
  CHECK(seen.body["case_file"][0]["masked"].size() == 2);
  CHECK(content["description"] == "the north fire exit is chained at night");
}

TEST_CASE("an enterprise reads what is asked of it, not the department's own work about it") {
  ApiFixture api("enterprise-internal");
  AddMalls(api);
  api.AddUser({{"name", "firehead"},
               {"role", "staff"},
               {"department", "nj.xuanwu.fire"},
               {"acts_as", {"head"}}});
  const std::string id = Rectifying(api, "ENT-00060");
  // The brigade's head gives the order to a person: the department's own business.
  Reply assigned = api.Post("firehead", "/v1/tickets/" + id + "/actions",
                            {{"verb", "assign"}, {"assignee", "fire"}, {"as_role", "head"}});
  REQUIRE_MESSAGE(assigned.status == 200, Note(assigned));
  Reply staff = api.Get("fire", "/v1/tickets/" + id);
  REQUIRE(staff.status == 200);
  CHECK(staff.body["ticket"]["assignee"] == "fire");
  CHECK(staff.body["history"].dump().find("TicketAssigned") != std::string::npos);
  Reply seen = api.Get("tongchuang", "/v1/tickets/" + id);
  REQUIRE(seen.status == 200);
  CHECK_FALSE(seen.body["ticket"].contains("assignee"));
  CHECK_FALSE(seen.body["ticket"].contains("children"));
  CHECK_FALSE(seen.body["ticket"].contains("escalated_to"));
  for (const auto& r : seen.body["history"]) {
    const std::string type = r.value("body_type", "");
    CAPTURE(type);
    CHECK(type != "TicketAssigned");
    CHECK(type != "TicketChained");
    CHECK(type != "TicketEscalated");
    CHECK(type != "DutyPaged");
  }
  CHECK(seen.body["history"].size() + 1 == staff.body["history"].size());
}

TEST_CASE("an enterprise user belongs to one enterprise of the register and acts only as it") {
  ApiFixture api("enterprise-users");
  auto put = [&](const json& u) { return api.Post("admin", "/v1/admin/users", u); };
  Reply unknown = put({{"name", "ghost"}, {"role", "enterprise"}, {"enterprise", "ENT-99999"}});
  CHECK(unknown.status == 422);
  CHECK(unknown.body["error"]["field"] == "enterprise");
  Reply none = put({{"name", "ghost"}, {"role", "enterprise"}});
  CHECK(none.status == 400);
  CHECK(none.body["error"]["field"] == "enterprise");
  Reply with_dept = put({{"name", "ghost"},
                         {"role", "enterprise"},
                         {"enterprise", "ENT-00060"},
                         {"department", "nj.xuanwu.fire"}});
  CHECK(with_dept.status == 400);
  CHECK(with_dept.body["error"]["field"] == "department");
  Reply more_roles = put({{"name", "ghost"},
                          {"role", "enterprise"},
                          {"enterprise", "ENT-00060"},
                          {"acts_as", {"supervisor"}}});
  CHECK(more_roles.status == 400);
  CHECK(more_roles.body["error"]["field"] == "acts_as");
  // Staff cannot be made to act as an enterprise either.
  Reply staff_as = put({{"name", "ghost"},
                        {"role", "staff"},
                        {"department", "nj.xuanwu.fire"},
                        {"acts_as", {"enterprise"}}});
  CHECK(staff_as.status == 400);
  // A grid inspector walks one grid of the register.
  Reply no_grid = put({{"name", "gridder"},
                       {"role", "staff"},
                       {"department", "nj.xuanwu.meiyuan.office"},
                       {"acts_as", {"grid"}}});
  CHECK(no_grid.status == 400);
  CHECK(no_grid.body["error"]["field"] == "grid");
  Reply street = put({{"name", "gridder"},
                      {"role", "staff"},
                      {"department", "nj.xuanwu.meiyuan.office"},
                      {"acts_as", {"grid"}},
                      {"grid", "xuanwu.meiyuan"}});
  CHECK(street.status == 422);
  CHECK(street.body["error"]["field"] == "grid");
  Reply ok = put({{"name", "gridder"},
                  {"role", "staff"},
                  {"department", "nj.xuanwu.meiyuan.office"},
                  {"acts_as", {"grid"}},
                  {"grid", "xuanwu.meiyuan.g03"}});
  CHECK_MESSAGE(ok.status == 201, Note(ok));
  CHECK(ok.body["grid"] == "xuanwu.meiyuan.g03");
}

}  // namespace
}  // namespace closeloop::testing
