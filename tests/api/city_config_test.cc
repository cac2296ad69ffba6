// A city configuring closeloop through the admin API, as issue 17 asks: what the engine
// cannot use is refused when it is given (422 with the reason), never recorded and then
// silently ignored; and overdue as history (ever overdue, closed late), as a city reports it.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

// Waits until the engine shows `id` in `state`.
json WaitState(ApiFixture& api, const std::string& id, const std::string& state) {
  json t;
  for (int i = 0; i < 500; ++i) {
    t = api.WaitTicket(id)["ticket"];
    if (t["state"] == state) return t;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("ticket " << id << " never reached " << state << ": " << t.dump());
  return t;
}

bool Lists(const Reply& r, const std::string& id) {
  for (const auto& t : r.body["tickets"]) {
    if (t["id"] == id) return true;
  }
  return false;
}

TEST_CASE("a routing table the deployed workflows cannot route by is refused with its reason") {
  ApiFixture api("cityconfig");
  // The deployed workflows route by (category, district): a version keyed on the street
  // would never match a ticket of it.
  json table = {
      {"source", "nanjing-ems-admin"},
      {"body_type", "RoutingTableUpdated"},
      {"body",
       {{"table_name", "hazard_routing"},
        {"version", 2},
        {"fallback", "nj.awb"},
        {"rows",
         {{{"match", {{{"key", "street"}, {"value", "meiyuan"}}}}, {"lead", "nj.xuanwu.emb"}}}}}}};
  // Wait until the engine has the workflows the fixture deployed (the refusal depends on them).
  api.WaitTicket(api.OpenFireTicket("ent-xw-cfg-0"));
  Reply refused = api.Post("admin", "/v1/admin/reference-data", json::array({table}));
  REQUIRE_MESSAGE(refused.status == 422, refused.text);
  CHECK(refused.body["error"]["code"] == "refused");
  std::string why = refused.body["error"]["message"];
  CHECK(why.find("record 0: ") == 0);
  CHECK(why.find("matches on 'street'") != std::string::npos);
  CHECK(why.find("does not give (it routes by category, district)") != std::string::npos);
  // Nothing was recorded: tickets still route by version 1.
  json t = api.WaitTicket(api.OpenFireTicket("ent-xw-cfg-1"))["ticket"];
  CHECK(t["lead"] == "nj.xuanwu.fire");
  // A table that does not decode is the boundary's 400, with the record's field.
  Reply bad = api.Post("admin", "/v1/admin/reference-data",
                       json::array({{{"source", "x"},
                                     {"body_type", "RoutingTableUpdated"},
                                     {"body", {{"table_name", 7}}}}}));
  CHECK(bad.status == 400);
  // A workflow version already deployed is refused before it is recorded, not after.
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/oversight_case.wf");
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(!source.empty());
  Reply again = api.Post("admin", "/v1/admin/workflows", {{"source", source}});
  CHECK(again.status == 422);
  CHECK(again.body["error"]["message"].get<std::string>().find("is not newer") !=
        std::string::npos);
}

TEST_CASE("a ticket closed late stays countable: overdue=open, ever and closed_late") {
  ApiFixture api("latehistory");
  std::string id = api.OpenFireTicket("ent-xw-late");
  api.WaitTicket(id);
  // Two hours to sign for (hazard_disposal): three hours later the ladder marked it overdue.
  api.Advance("2026-03-02T12:00");
  for (int i = 0; i < 500; ++i) {
    if (api.WaitTicket(id)["ticket"].value("overdue", false)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(Lists(api.Get("admin", "/v1/tickets?overdue=open"), id));
  CHECK(Lists(api.Get("admin", "/v1/tickets?overdue=true"), id));  // the old spelling
  CHECK(Lists(api.Get("admin", "/v1/tickets?overdue=ever"), id));
  CHECK(!Lists(api.Get("admin", "/v1/tickets?overdue=closed_late"), id));
  // The department signs for it late and finds no hazard: the order closes, late.
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  Reply closed = api.Post("fire", "/v1/tickets/" + id + "/actions",
                          {{"verb", "dismiss"}, {"reason", "the exit was clear on arrival"}});
  REQUIRE_MESSAGE(closed.status == 200, closed.text);
  WaitState(api, id, "closed");
  CHECK(!Lists(api.Get("admin", "/v1/tickets?overdue=open"), id));
  CHECK(Lists(api.Get("admin", "/v1/tickets?overdue=ever"), id));
  CHECK(Lists(api.Get("admin", "/v1/tickets?overdue=closed_late"), id));
  // The department's own staff see it too (a queue holds open tickets only; this is history).
  CHECK(Lists(api.Get("fire", "/v1/tickets?overdue=closed_late"), id));
  CHECK(!Lists(api.Get("other", "/v1/tickets?overdue=closed_late"), id));
  Reply bad = api.Get("admin", "/v1/tickets?overdue=sometimes");
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "overdue");
  // The engine's counters, in the metrics and the overview.
  Reply metrics = api.Get("admin", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.text.find("closeloop_tickets_closed_late{loop=\"prevention\"} 1") !=
        std::string::npos);
  CHECK(metrics.text.find("closeloop_tickets_overdue_ever{loop=\"prevention\"} 1") !=
        std::string::npos);
  Reply overview = api.Get("admin", "/v1/overview");
  REQUIRE(overview.status == 200);
  CHECK(overview.body["closed_late_tickets"] == 1);
  CHECK(overview.body["ever_overdue_tickets"] == 1);
}

// Runs `closeloop args...`; its stderr joins the output (for the failure messages).
ChildRun Closeloop(const std::filesystem::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), CLOSELOOP_BIN);
  const auto err = (dir / "cli.err").string();
  auto r = RunChild(args, err, std::nullopt);
  REQUIRE(r.ok());
  std::ifstream in(err);
  r->out += std::string(std::istreambuf_iterator<char>(in), {});
  return *r;
}

TEST_CASE("one way to load a city: publish --server takes control records and events in order") {
  ApiFixture api("publishcity");
  // A routing table, a workflow routing by it, the clock two hours on, then a report: the
  // order matters (the report needs the workflow, the workflow the table's columns).
  json table = {
      {"source", "city-admin"},
      {"body_type", "RoutingTableUpdated"},
      {"body",
       {{"table_name", "site_routing"},
        {"version", 1},
        {"fallback", "nj.awb"},
        {"rows",
         {{{"match", {{{"key", "site"}, {"value", "quay"}}}}, {"lead", "nj.xuanwu.emb"}}}}}}};
  const std::string source =
      "workflow site_probe version 1 loop prevention\n"
      "uses table site_routing keys (site)\n"
      "fact site: string\n"
      "start on HazardReport when event.attrs[\"site\"] != \"\"\n"
      "  set site = event.attrs[\"site\"]\n"
      "  enter open\n"
      "route by site_routing (site = site) fallback \"nj.awb\"\n"
      "state open\n"
      "  on resolve by assignee -> done\n"
      "state done terminal\n";
  json deploy = {{"source", "city-admin"},
                 {"body_type", "WorkflowDeployed"},
                 {"body", {{"name", "site_probe"}, {"version", 1}, {"source", source}}}};
  json tick = {{"source", "city-admin"},
               {"body_type", "ClockTick"},
               {"body", {{"now", 1772420400000}}}};  // 2026-03-02 11:00 Shanghai
  json report = {{"source", "hotline-12345"},
                 {"subject", "quay-7"},
                 {"jurisdiction", "xuanwu.meiyuan"},
                 {"occurred_at", 1772420000000},
                 {"body_type", "HazardReport"},
                 {"body",
                  {{"category", "other"},
                   {"severity", "general"},
                   {"attrs", {{{"key", "site"}, {"value", "quay"}}}}}}};
  const auto file = (api.dir / "city.jsonl").string();
  std::ofstream(file) << table.dump() << "\n"
                      << deploy.dump() << "\n"
                      << tick.dump() << "\n"
                      << report.dump() << "\n";
  // A publisher's token cannot load a city: the first control record is refused, by line.
  ChildRun refused = Closeloop(
      api.dir, {"publish", "--server", api.server.url(), "--token", api.token("hotline"), file});
  CHECK(refused.exit_code != 0);
  CHECK(refused.out.find(file + ":1: HTTP 403") != std::string::npos);
  ChildRun loaded = Closeloop(
      api.dir, {"publish", "--server", api.server.url(), "--token", api.token("admin"), file});
  REQUIRE_MESSAGE(loaded.exit_code == 0, loaded.out);
  CHECK(loaded.out.find("recorded 4 record(s)") != std::string::npos);
  Reply workflows = api.Get("admin", "/v1/workflows");
  CHECK(workflows.text.find("site_probe") != std::string::npos);
  json ticket;
  for (int i = 0; i < 500 && ticket.is_null(); ++i) {
    Reply list = api.Get("admin", "/v1/tickets?subject=quay-7&workflow=site_probe");
    if (list.status == 200 && !list.body["tickets"].empty()) ticket = list.body["tickets"][0];
    if (ticket.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(!ticket.is_null());
  CHECK(ticket["lead"] == "nj.xuanwu.emb");     // routed by the city's own column
  CHECK(ticket["opened_at"] == 1772420400000);  // after the tick in the file
}

}  // namespace
}  // namespace closeloop::testing
