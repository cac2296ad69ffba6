// What the console's administration and busy queues ask of the API: a workflow checked
// without deploying, users refused for a department the directory lacks, queues sorted and
// filtered beyond the indexes with totals and cursor pages, the access log filtered.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

std::string ReadSource(const std::string& name) {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int VersionOf(ApiFixture& api, const std::string& name) {
  Reply r = api.Get("admin", "/v1/workflows");
  for (const auto& wf : r.body["workflows"]) {
    if (wf["name"] == name) return wf["version"];
  }
  return 0;
}

// Publishes a hazard of `severity` for `subject` in Xuanwu and waits for its routed ticket.
std::string OpenHazard(ApiFixture& api, const std::string& subject, const std::string& severity) {
  json ev = {{"source", "hotline-12345"},
             {"subject", subject},
             {"jurisdiction", "xuanwu.meiyuan"},
             {"occurred_at", 1772413200000},
             {"body_type", "HazardReport"},
             {"body",
              {{"category", "fire_safety"},
               {"severity", severity},
               {"description", "blocked exit at " + subject}}}};
  Reply r = api.Post("hotline", "/v1/events", ev);
  REQUIRE_MESSAGE(r.status == 201, r.text);
  for (int i = 0; i < 500; ++i) {
    Reply list = api.Get("admin", "/v1/tickets?subject=" + subject + "&open=true");
    if (list.status == 200) {
      for (const auto& t : list.body["tickets"]) {
        if (!t.value("lead", "").empty()) return t["id"];
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("no ticket for " << subject);
  return "";
}

std::vector<std::string> Ids(const Reply& r) {
  std::vector<std::string> out;
  for (const auto& t : r.body["tickets"]) out.push_back(t["id"]);
  return out;
}

}  // namespace

TEST_CASE(
    "a workflow is checked before deploying: diagnostics with line and column, nothing written") {
  ApiFixture api("wfcheck");
  const int before = VersionOf(api, "hazard_disposal");
  REQUIRE(before > 0);
  // Does not compile: 200 with the diagnostics, line and column, and nothing deployable.
  Reply bad = api.Post(
      "admin", "/v1/admin/workflows/check",
      {{"file", "broken.wf"},
       {"source", "workflow broken version 1 loop prevention\nstate a\n  limit 2 parsecs\n"}});
  REQUIRE_MESSAGE(bad.status == 200, bad.text);
  CHECK(bad.body["deployable"] == false);
  REQUIRE(!bad.body["diagnostics"].empty());
  CHECK(bad.body["diagnostics"][0]["severity"] == "error");
  CHECK(bad.body["diagnostics"][0]["line"].get<int>() >= 1);
  CHECK(bad.body["diagnostics"][0]["column"].get<int>() >= 1);
  // The deployed source again, one version on: deployable, listed beside the version in effect.
  std::string source = ReadSource("hazard_disposal.wf");
  const std::string from = "version " + std::to_string(before);
  REQUIRE(source.find(from) != std::string::npos);
  source.replace(source.find(from), from.size(), "version " + std::to_string(before + 1));
  Reply good = api.Post("admin", "/v1/admin/workflows/check",
                        {{"file", "hazard_disposal.wf"}, {"source", source}});
  REQUIRE_MESSAGE(good.status == 200, good.text);
  CHECK(good.body["deployable"] == true);
  REQUIRE(good.body["workflows"].size() == 1);
  const json& wf = good.body["workflows"][0];
  CHECK(wf["name"] == "hazard_disposal");
  CHECK(wf["version"] == before + 1);
  CHECK(wf["deployed_version"] == before);
  CHECK(wf["listing"].get<std::string>().find("hazard_disposal") != std::string::npos);
  CHECK(!wf["deployed_listing"].get<std::string>().empty());
  // A version that is not newer: compiles, but the engine's admission refuses it, as deploy
  // would; the check says so and still writes nothing.
  Reply same = api.Post("admin", "/v1/admin/workflows/check",
                        {{"source", ReadSource("hazard_disposal.wf")}});
  REQUIRE_MESSAGE(same.status == 200, same.text);
  CHECK(same.body["deployable"] == false);
  CHECK(!same.body["refused"].get<std::string>().empty());
  CHECK(api.Post("admin", "/v1/admin/workflows", {{"source", ReadSource("hazard_disposal.wf")}})
            .status == 422);
  CHECK(VersionOf(api, "hazard_disposal") == before);  // nothing was deployed by the checks
  // 4xx: no source, not JSON, not an admin.
  Reply none = api.Post("admin", "/v1/admin/workflows/check", json::object());
  CHECK(none.status == 400);
  CHECK(none.body["error"]["field"] == "source");
  CHECK(api.Call("admin", "POST", "/v1/admin/workflows/check", "x", "text/plain").status == 415);
  CHECK(api.Post("fire", "/v1/admin/workflows/check", {{"source", source}}).status == 403);
}

TEST_CASE("a user's department must be in the departments table in effect") {
  ApiFixture api("userdept");
  Reply nowhere = api.Post("admin", "/v1/admin/users",
                           {{"name", "ghost"}, {"role", "staff"}, {"department", "nj.nowhere"}});
  REQUIRE(nowhere.status == 422);
  CHECK(nowhere.body["error"]["code"] == "unknown_department");
  CHECK(nowhere.body["error"]["field"] == "department");
  CHECK(api.Get("admin", "/v1/admin/users").text.find("ghost") == std::string::npos);
  // Changing an existing user to an unknown department: refused, the user unchanged.
  Reply moved =
      api.Call("admin", "PUT", "/v1/admin/users/fire",
               json({{"name", "fire"}, {"role", "staff"}, {"department", "nj.nowhere"}}).dump());
  CHECK(moved.status == 422);
  CHECK(moved.body["error"]["field"] == "department");
  CHECK(api.Get("fire", "/v1/me").body["department"] == "nj.xuanwu.fire");
  Reply ok = api.Post("admin", "/v1/admin/users",
                      {{"name", "newclerk"}, {"role", "staff"}, {"department", "nj.xuanwu.fire"}});
  CHECK(ok.status == 201);
}

TEST_CASE("a queue sorted by opened time or severity, filtered, paged with its total") {
  ApiFixture api("sorted");
  const std::string a = OpenHazard(api, "ent-sort-a", "general");
  api.Advance("2026-03-02T09:10");
  const std::string b = OpenHazard(api, "ent-sort-b", "major");
  api.Advance("2026-03-02T09:20");
  const std::string c = OpenHazard(api, "ent-sort-c", "general");
  Reply opened = api.Get("fire", "/v1/tickets?open=true&sort=opened");
  REQUIRE_MESSAGE(opened.status == 200, opened.text);
  CHECK(opened.body["total"] == 3);
  CHECK(Ids(opened) == std::vector<std::string>{a, b, c});
  CHECK(Ids(api.Get("fire", "/v1/tickets?open=true&sort=-opened")) ==
        std::vector<std::string>{c, b, a});
  // Severity: the major one first, the rest by deadline.
  Reply sev = api.Get("fire", "/v1/tickets?open=true&sort=severity");
  REQUIRE(Ids(sev).size() == 3);
  CHECK(Ids(sev)[0] == b);
  // Pages by sort key: nothing repeated, nothing lost, the total on each.
  Reply p1 = api.Get("fire", "/v1/tickets?open=true&sort=-opened&limit=2");
  CHECK(Ids(p1) == std::vector<std::string>{c, b});
  CHECK(p1.body["total"] == 3);
  std::string cursor = p1.body["next_cursor"];
  Reply p2 = api.Get("fire", "/v1/tickets?open=true&sort=-opened&limit=2&cursor=" + cursor);
  CHECK(Ids(p2) == std::vector<std::string>{a});
  CHECK(!p2.body.contains("next_cursor"));
  // Flags: the fire brigade's tickets are assisted by the emergency bureau; none is returned
  // or waiting on an extension yet.
  Reply assisting = api.Get("emb", "/v1/tickets?open=true&assisting=true");
  REQUIRE_MESSAGE(assisting.status == 200, assisting.text);
  CHECK(assisting.body["total"] == 3);
  CHECK(api.Get("fire", "/v1/tickets?open=true&assisting=true").body["total"] == 0);
  CHECK(api.Get("fire", "/v1/tickets?open=true&returned=true").body["total"] == 0);
  CHECK(api.Get("fire", "/v1/tickets?open=true&extension=true").body["total"] == 0);
  CHECK(api.Get("office", "/v1/tickets?open=true&arbitration=true").body["total"] == 0);
  // 4xx: an unknown order, a flag that is not a boolean, assisting with no department, a
  // cursor of another listing.
  Reply badsort = api.Get("fire", "/v1/tickets?sort=colour");
  CHECK(badsort.status == 400);
  CHECK(badsort.body["error"]["field"] == "sort");
  CHECK(api.Get("fire", "/v1/tickets?returned=maybe").body["error"]["field"] == "returned");
  CHECK(api.Get("admin", "/v1/tickets?assisting=true").status == 400);
  CHECK(api.Get("fire", "/v1/tickets?sort=opened&cursor=abc").status == 400);
  // A cursor of another order, or of the unsorted listing, is not this listing's.
  CHECK(api.Get("fire", "/v1/tickets?sort=opened&cursor=1/T-1").status == 400);
  CHECK(api.Get("fire", "/v1/tickets?sort=deadline&cursor=0000000000/T-1").status == 400);
}

TEST_CASE("returned and arbitration: an order returned back and forth three times") {
  ApiFixture api("pingpong");
  const std::string id = api.OpenFireTicket("ent-pingpong");
  const std::string other = api.OpenFireTicket("ent-quiet");
  // fire -> emb -> fire -> emb: three returns, each by the department leading it then.
  const std::vector<std::pair<std::string, std::string>> hops = {
      {"fire", "nj.xuanwu.emb"}, {"emb", "nj.xuanwu.fire"}, {"fire", "nj.xuanwu.emb"}};
  for (const auto& [user, to] : hops) {
    json tk = api.WaitTicket(id);
    Reply r = api.Post(user, "/v1/tickets/" + id + "/actions",
                       {{"verb", "return"},
                        {"expected_version", tk["ticket"]["version"]},
                        {"reason", "not ours"},
                        {"to_department", to}});
    REQUIRE_MESSAGE(r.status < 300, r.text);
  }
  Reply returned = api.Get("admin", "/v1/tickets?open=true&returned=true");
  REQUIRE_MESSAGE(returned.status == 200, returned.text);
  CHECK(Ids(returned) == std::vector<std::string>{id});
  // The ladder's condition step sends it to the district's safety-committee office.
  Reply arb;
  for (int i = 0; i < 50; ++i) {
    arb = api.Get("office", "/v1/tickets?open=true&arbitration=true");
    if (arb.status == 200 && arb.body["total"] == 1) break;
    api.Advance("2026-03-02T09:" + std::to_string(10 + i));  // a clock tick, minutes on
  }
  REQUIRE_MESSAGE(arb.body["total"] == 1, arb.text);
  CHECK(arb.body["tickets"][0]["id"] == id);
  CHECK(arb.body["tickets"][0]["escalated_to"] == "nj.xuanwu.awb");
  CHECK(Ids(api.Get("admin", "/v1/tickets?open=true&arbitration=true")) ==
        std::vector<std::string>{id});
  CHECK(other != id);
}

TEST_CASE("the access log filtered by user, ticket and time, in cursor pages") {
  ApiFixture api("accessf");
  const std::string id = api.OpenFireTicket("ent-log-1");
  json tk = api.WaitTicket(id);
  Reply acted = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "sign_for"}, {"expected_version", tk["ticket"]["version"]}});
  REQUIRE_MESSAGE(acted.status < 300, acted.text);
  Reply stale = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "sign_for"}, {"expected_version", tk["ticket"]["version"]}});
  CHECK(stale.status == 409);  // a refused write is on the log too
  Reply mine = api.Get("admin", "/v1/admin/access-log?user=fire");
  REQUIRE_MESSAGE(mine.status == 200, mine.text);
  REQUIRE(!mine.body["entries"].empty());
  for (const auto& e : mine.body["entries"]) CHECK(e["user"] == "fire");
  Reply about = api.Get("auditor", "/v1/admin/access-log?ticket=" + id);
  REQUIRE(!about.body["entries"].empty());
  for (const auto& e : about.body["entries"]) {
    CHECK((e["target"].get<std::string>().find(id) != std::string::npos ||
           e["detail"].get<std::string>().find(id) != std::string::npos));
  }
  // A whole id, not a part of one: the id without its last character names no entry.
  Reply part = api.Get("auditor", "/v1/admin/access-log?ticket=" + id.substr(0, id.size() - 1));
  REQUIRE(part.status == 200);
  CHECK(part.body["entries"].empty());
  // Pages of one: each page a different entry, the cursor leading on.
  Reply first = api.Get("admin", "/v1/admin/access-log?user=fire&limit=1");
  REQUIRE(first.body["entries"].size() == 1);
  std::string cursor = first.body["next_cursor"];
  Reply second = api.Get("admin", "/v1/admin/access-log?user=fire&limit=1&cursor=" + cursor);
  REQUIRE(second.body["entries"].size() == 1);
  CHECK(second.body["entries"][0] != first.body["entries"][0]);
  // A time window before anything happened is empty.
  CHECK(api.Get("admin", "/v1/admin/access-log?until=2000-01-01T00:00").body["entries"].empty());
  CHECK(api.Get("admin", "/v1/admin/access-log?since=2026-03-02&until=2026-03-01").status == 400);
  CHECK(api.Get("admin", "/v1/admin/access-log?cursor=zz").body["error"]["field"] == "cursor");
  CHECK(api.Get("admin", "/v1/admin/access-log?until=soon").status == 400);
  CHECK(api.Get("fire", "/v1/admin/access-log").status == 403);
}

TEST_CASE("the routing tables the workflows route by, as rows") {
  ApiFixture api("routingview");
  Reply r = api.Get("admin", "/v1/admin/routing-tables");
  REQUIRE_MESSAGE(r.status == 200, r.text);
  bool hazard = false;
  for (const auto& t : r.body["routing_tables"]) {
    if (t.value("missing", false)) continue;
    CHECK(!t["fallback"].get<std::string>().empty());
    for (const auto& row : t["rows"]) CHECK(!row["lead"].get<std::string>().empty());
    hazard = hazard || !t["rows"].empty();
  }
  CHECK(hazard);
  CHECK(api.Get("fire", "/v1/admin/routing-tables").status == 403);
}

}  // namespace closeloop::testing
