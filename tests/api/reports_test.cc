// The bureau's reports over HTTP (GET /v1/reports/figures, /weekly, /town-scores): the
// figures of a week counted by hand, the caller's scope, the CSV a spreadsheet opens (a
// byte-order mark, Chinese headings on request), and precise errors for bad parameters.
#include <doctest/doctest.h>

#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

// Two 12345 fire-safety calls in Meiyuan street, Xuanwu, on Monday 2 March 2026: one signed
// for and dismissed on site (a false alarm, on time), one nobody signs for (late at 11:00).
void TwoCalls(ApiFixture& api) {
  std::string a = api.OpenFireTicket("ent-xw-401");
  std::string b = api.OpenFireTicket("ent-xw-402");
  api.WaitTicket(a);
  api.WaitTicket(b);
  Reply s = api.Post("fire", "/v1/tickets/" + a + "/actions", {{"verb", "sign_for"}});
  REQUIRE_MESSAGE(s.status == 200, s.text);
  Reply d = api.Post("fire", "/v1/tickets/" + a + "/actions",
                     {{"verb", "dismiss"}, {"reason", "the exit was clear when we came"}});
  REQUIRE_MESSAGE(d.status == 200, d.text);
  api.Advance("2026-03-02T12:00");
}

json Figures(ApiFixture& api, const std::string& user, const std::string& query) {
  json body;
  for (int i = 0; i < 200; ++i) {  // the engine applies the clock after the append
    Reply r = api.Get(user, "/v1/reports/figures" + query);
    REQUIRE_MESSAGE(r.status == 200, r.text);
    body = r.body;
    if (user != "auditor" || body["totals"]["late"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return body;
}

}  // namespace

TEST_CASE("a week's figures by department, street and district, within the caller's scope") {
  ApiFixture api("reports");
  TwoCalls(api);
  json all = Figures(api, "auditor", "?from=2026-03-02&to=2026-03-08&by=department");
  CHECK(all["from"] == "2026-03-02");
  CHECK(all["time_zone"] == "Asia/Shanghai");
  const json& t = all["totals"];
  CHECK(t["opened"] == 2);
  CHECK(t["reactive"] == 2);  // both brought to the bureau
  CHECK(t["proactive"] == 0);
  CHECK(t["closed"] == 1);
  CHECK(t["closed_on_time"] == 1);
  CHECK(t["late"] == 1);
  CHECK(t["on_time_rate"] == 0.5);
  CHECK(t["hazards_dismissed"] == 1);
  CHECK(t["hazards_found"] == 0);
  CHECK(t["rectification_rate"].is_null());  // nothing to measure
  CHECK(t["by_outcome"]["false_alarm"] == 1);
  CHECK(t["by_origin"]["other"] == 2);  // the fixture's reports name no channel
  REQUIRE(all["rows"].size() == 1);
  CHECK(all["rows"][0]["department"] == "nj.xuanwu.fire");
  CHECK(all["rows"][0]["department_name_zh"].get<std::string>().find("消防") !=
        std::string::npos);

  json streets = Figures(api, "auditor", "?from=2026-03-02&to=2026-03-08&by=street,day");
  REQUIRE(streets["rows"].size() == 1);
  CHECK(streets["rows"][0]["street"] == "xuanwu.meiyuan");
  CHECK(streets["rows"][0]["day"] == "2026-03-02");
  CHECK(streets["rows"][0]["opened"] == 2);

  // The week before counts nothing; a day before the calls, as_of, leaves them out.
  CHECK(Figures(api, "auditor", "?from=2026-02-23&to=2026-03-01")["totals"]["opened"] == 0);
  json before = Figures(api, "auditor", "?from=2026-02-23&to=2026-03-08&as_of=2026-03-01");
  CHECK(before["totals"]["opened"] == 0);
  CHECK(before["counted_to"] == "2026-03-01");

  // Scope: another district's brigade sees none of it; Xuanwu's office sees its district.
  CHECK(Figures(api, "other", "?from=2026-03-02&to=2026-03-08")["totals"]["opened"] == 0);
  CHECK(Figures(api, "office2", "?from=2026-03-02&to=2026-03-08")["totals"]["opened"] == 0);
  CHECK(Figures(api, "office", "?from=2026-03-02&to=2026-03-08")["totals"]["opened"] == 2);
  CHECK(Figures(api, "fire", "?from=2026-03-02&to=2026-03-08")["totals"]["opened"] == 2);
  CHECK(api.Get("hotline", "/v1/reports/figures").status == 403);
  CHECK(api.Get("", "/v1/reports/figures").status == 401);
}

TEST_CASE("reports download as CSV with a byte-order mark, headed in Chinese on request") {
  ApiFixture api("reports-csv");
  TwoCalls(api);
  Figures(api, "auditor", "?from=2026-03-02&to=2026-03-08");  // the clock applied
  Reply csv = api.Get("auditor", "/v1/reports/figures?from=2026-03-02&to=2026-03-08&by=district&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.text.rfind("\xEF\xBB\xBF" "district,district_name_zh,district_name_en,opened,", 0) == 0);
  CHECK(csv.text.find("\r\nxuanwu,玄武区,") != std::string::npos);
  std::string type;
  for (const auto& [k, v] : csv.headers) {
    if (k == "Content-Type") type = v;
    if (k == "Content-Disposition") CHECK(v == "attachment; filename=\"figures-2026-03-02-2026-03-08.csv\"");
  }
  CHECK(type == "text/csv; charset=utf-8");
  Reply zh = api.Get("auditor", "/v1/reports/weekly?week=2026-W10&format=csv&lang=zh");
  REQUIRE(zh.status == 200);
  CHECK(zh.text.rfind("\xEF\xBB\xBF" "部门,部门名称,部门名称(英文),新受理,", 0) == 0);
  CHECK(zh.text.find("\r\nnj.xuanwu.fire,") != std::string::npos);
  CHECK(zh.text.find("\r\ntotal,,,2,") != std::string::npos);
}

TEST_CASE("the weekly brief and the towns' quarterly scores") {
  ApiFixture api("reports-brief");
  TwoCalls(api);
  Figures(api, "auditor", "?from=2026-03-02&to=2026-03-08");
  Reply week = api.Get("office", "/v1/reports/weekly?week=2026-W10");
  REQUIRE_MESSAGE(week.status == 200, week.text);
  CHECK(week.body["from"] == "2026-03-02");
  CHECK(week.body["to"] == "2026-03-08");
  CHECK(week.body["totals"]["opened"] == 2);
  CHECK(week.body["previous_week"]["opened"] == 0);
  CHECK(week.body["year_to_date"]["opened"] == 2);
  REQUIRE(week.body["by_department"].size() == 1);
  CHECK(week.body["by_department"][0]["late"] == 1);
  CHECK(week.body["by_district"][0]["district"] == "xuanwu");

  Reply towns = api.Get("office", "/v1/reports/town-scores?quarter=2026-Q1");
  REQUIRE_MESSAGE(towns.status == 200, towns.text);
  CHECK(towns.body["weights"]["rectification"] == 30);
  const json& list = towns.body["towns"];
  REQUIRE(list.size() > 1);  // every street of Xuanwu, scored or not
  CHECK(list[0]["town"] == "xuanwu.meiyuan");
  CHECK(list[0]["rank"] == 1);
  // Only timeliness (1 on time of 2) and origin (none proactive) measure: (0.5 x 30 + 0 x
  // 15) / 45 = 33.3.
  CHECK(list[0]["score"] == 33.3);
  CHECK(list[0]["on_time"] == 0.5);
  CHECK(list[1]["score"].is_null());
  CHECK(list[1]["rank"].is_null());
  for (const auto& town : list) CHECK(town["district"] == "xuanwu");
  // Weights are the city's to set; the same cells scored again.
  Reply reweighed = api.Get("office", "/v1/reports/town-scores?quarter=2026-Q1&weights=proactive:0");
  REQUIRE(reweighed.status == 200);
  CHECK(reweighed.body["towns"][0]["score"] == 50.0);
}

TEST_CASE("bad report parameters are refused with the field") {
  ApiFixture api("reports-bad");
  auto field = [&](const std::string& path) {
    Reply r = api.Get("auditor", path);
    CHECK_MESSAGE(r.status == 400, path << ": " << r.text);
    return r.body["error"].value("field", std::string());
  };
  CHECK(field("/v1/reports/figures?from=2026-3-1") == "from");
  CHECK(field("/v1/reports/figures?from=2026-03-09&to=2026-03-01") == "from");
  CHECK(field("/v1/reports/figures?from=2020-01-01&to=2026-03-01") == "to");
  CHECK(field("/v1/reports/figures?by=grid") == "by");
  CHECK(field("/v1/reports/figures?by=day,week,month") == "by");
  CHECK(field("/v1/reports/figures?as_of=yesterday") == "as_of");
  CHECK(field("/v1/reports/weekly?week=2026-11") == "week");
  CHECK(field("/v1/reports/town-scores?quarter=2026-Q5") == "quarter");
  CHECK(field("/v1/reports/town-scores?weights=speed:10") == "weights");
}

}  // namespace closeloop::testing
