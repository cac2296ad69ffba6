// What the web console reads besides the ticket routes: the overview's aggregates, working
// time on the official calendar, the demo's credentials, and the console's own files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

// Shanghai wall time "2026-03-06T16:00" as ms since the epoch (UTC+8, no DST).
int64_t Shanghai(int y, int mo, int d, int h, int mi = 0) {
  // Days from civil (Howard Hinnant's algorithm), then shift by eight hours.
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  return ((days * 24 + h - 8) * 60 + mi) * 60 * 1000;
}

json Trend(ApiFixture& api, const std::string& user) {
  Reply r = api.Get(user, "/v1/overview");
  REQUIRE_MESSAGE(r.status == 200, r.text);
  return r.body["overdue_trend"];
}

}  // namespace

TEST_CASE(
    "the overview counts open tickets by loop, state and department within the caller's scope") {
  ApiFixture api("overview");
  std::string a = api.OpenFireTicket("ent-xw-301");
  std::string b = api.OpenFireTicket("ent-xw-302");
  api.WaitTicket(a);
  api.WaitTicket(b);
  Reply all = api.Get("auditor", "/v1/overview");
  REQUIRE_MESSAGE(all.status == 200, all.text);
  CHECK(all.body["open_tickets"] == 2);
  CHECK(all.body["by_loop"]["prevention"] == 2);
  CHECK(all.body["by_department"]["nj.xuanwu.fire"] == 2);
  REQUIRE(all.body["by_state"].size() == 1);
  CHECK(all.body["by_state"][0]["workflow"] == "hazard_disposal");
  CHECK(all.body["by_state"][0]["state"] == "dispatched");
  CHECK(all.body["by_state"][0]["count"] == 2);
  CHECK(all.body["overdue_tickets"] == 0);
  CHECK(all.body["tickets"] == 2);
  int64_t colours = 0;
  for (const char* c : {"red", "orange", "yellow", "blue"}) {
    colours += all.body["enterprises_by_colour"][c].get<int64_t>();
  }
  CHECK(all.body["enterprises"].get<int64_t>() > 0);
  CHECK(colours == all.body["enterprises"].get<int64_t>());

  // Staff of another district's brigade see none of it; the brigade itself sees both.
  Reply other = api.Get("other", "/v1/overview");
  REQUIRE(other.status == 200);
  CHECK(other.body["open_tickets"] == 0);
  CHECK(other.body["by_department"].empty());
  CHECK(api.Get("fire", "/v1/overview").body["open_tickets"] == 2);
  CHECK(api.Get("hotline", "/v1/overview").status == 403);
  CHECK(api.Get("", "/v1/overview").status == 401);
}

TEST_CASE("the overdue trend counts a ticket on the days it stood overdue, not before or after") {
  ApiFixture api("trend");
  std::string id = api.OpenFireTicket("ent-xw-311");
  api.WaitTicket(id);
  // Two hours to sign for; the engine learns it is overdue at the next clock record (Wed).
  api.Advance("2026-03-04T09:00");
  json trend;
  for (int i = 0; i < 200; ++i) {
    trend = Trend(api, "auditor");
    if (trend.back()["overdue"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(trend.size() == 14);
  CHECK(trend.back()["at"] == Shanghai(2026, 3, 4, 9));
  CHECK(trend.back()["overdue"] == 1);
  CHECK(trend[12]["at"] == Shanghai(2026, 3, 4, 0));  // the end of Tuesday
  CHECK(trend[12]["overdue"] == 0);
  CHECK(trend[0]["overdue"] == 0);

  // Signed for on Wednesday: a new state, no longer overdue; Wednesday's end still counted
  // it only if it was overdue then, which it was not (signed for at 09:00).
  Reply me = api.Get("fire", "/v1/tickets/" + id);
  Reply done = api.Post("fire", "/v1/tickets/" + id + "/actions",
                        {{"verb", "sign_for"}, {"expected_version", me.body["ticket"]["version"]}});
  REQUIRE_MESSAGE(done.status == 200, done.text);
  api.Advance("2026-03-05T09:00");
  for (int i = 0; i < 200; ++i) {
    trend = Trend(api, "auditor");
    if (trend.back()["at"] == Shanghai(2026, 3, 5, 9)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(trend.back()["overdue"] == 0);
  CHECK(trend[12]["at"] == Shanghai(2026, 3, 5, 0));
  CHECK(trend[12]["overdue"] == 0);
  Reply now = api.Get("auditor", "/v1/overview");
  CHECK(now.body["overdue_tickets"] == 0);
}

TEST_CASE(
    "working time between instants follows the official calendar, weekends, holidays and make-up "
    "days") {
  ApiFixture api("worktime");
  auto spans = [&](const std::vector<std::pair<int64_t, int64_t>>& s) {
    std::string q;
    for (const auto& [a, b] : s)
      q += (q.empty() ? "" : ",") + std::to_string(a) + ":" + std::to_string(b);
    Reply r = api.Get("fire", "/v1/working-time?spans=" + q);
    REQUIRE_MESSAGE(r.status == 200, r.text);
    CHECK(r.body["working_day_ms"] == 8 * 3600 * 1000);
    return r.body["working_ms"];
  };
  const int64_t hour = 3600 * 1000;
  json w = spans({{Shanghai(2026, 3, 6, 16), Shanghai(2026, 3, 9, 10)},   // Fri 16:00 -> Mon 10:00
                  {Shanghai(2026, 3, 9, 10), Shanghai(2026, 3, 6, 16)},   // the same, backwards
                  {Shanghai(2026, 2, 13, 17), Shanghai(2026, 2, 24, 9)},  // Spring Festival
                  {Shanghai(2026, 3, 7, 9), Shanghai(2026, 3, 8, 17)}});  // an ordinary weekend
  CHECK(w[0] == 2 * hour);
  CHECK(w[1] == -2 * hour);
  CHECK(w[2] == 8 * hour);  // only Saturday Feb 14, a make-up working day
  CHECK(w[3] == 0);
  Reply bad = api.Get("fire", "/v1/working-time?spans=12:x");
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "spans");
}

TEST_CASE("demo credentials are served only by a demo server") {
  ApiFixture api("nodemo");
  Reply r = api.Get("", "/v1/demo/credentials");
  CHECK(r.status == 404);
  CHECK(r.body["error"]["code"] == "not_found");

  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("cl-api-demo-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ServerProcess demo;
  Status s = demo.Start(
      CLOSELOOP_BIN,
      {"serve", "--demo", "--data", (dir / "data").string(), "--http", "127.0.0.1:0", "--no-sync"},
      (dir / "server.log").string());
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  httplib::Client client("127.0.0.1", demo.port());
  auto creds = demo.WaitForGet("/v1/demo/credentials");
  REQUIRE_MESSAGE(creds.ok(), creds.status().ToString());
  json body = json::parse(*creds);
  REQUIRE(!body["users"].empty());
  bool staff = false;
  for (const auto& u : body["users"]) {
    if (u["role"] != "staff") continue;
    staff = true;
    auto me = client.Get("/v1/me", {{"Authorization", "Bearer " + u["token"].get<std::string>()}});
    REQUIRE(me);
    CHECK(me->status == 200);
    CHECK(json::parse(me->body)["name"] == u["name"]);
    break;
  }
  CHECK(staff);
  CHECK(demo.Stop() == 0);
  fs::remove_all(dir);
}

TEST_CASE("the console is served at / from the binary with its type, ETag and security policy") {
  ApiFixture api("console");
  httplib::Client client("127.0.0.1", api.server.port());
  auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'self'") !=
        std::string::npos);
  CHECK(page->body.find("/console/js/main.js") != std::string::npos);
  std::string etag = page->get_header_value("ETag");
  REQUIRE(etag.size() > 2);
  auto again = client.Get("/", {{"If-None-Match", etag}});
  REQUIRE(again);
  CHECK(again->status == 304);
  auto js = client.Get("/console/js/main.js");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->get_header_value("Content-Type").rfind("text/javascript", 0) == 0);
  CHECK(js->get_header_value("Cache-Control") == "no-cache");
  // The file in the binary is the file in the tree.
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/web/app/js/main.js", std::ios::binary);
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(js->body == source);
  auto missing = client.Get("/console/js/missing.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  auto escape = client.Get("/console/../data/admin-token");
  REQUIRE(escape);
  CHECK(escape->status == 404);
}

}  // namespace closeloop::testing
