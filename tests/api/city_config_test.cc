// A city configuring closeloop through the admin API, as issue 17 asks: what the engine
// cannot use is refused when it is given (422 with the reason), never recorded and then
// silently ignored; and overdue as history (ever overdue, closed late), as a city reports it.
#include <doctest/doctest.h>
#include <httplib.h>

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

// A city's own services, in its own words: Open311 lists what its deployed workflows offer
// (`service` statements), not a table in the code; the workflow is deployed the one way a
// city loads everything, through the server (`closeloop deploy --server`).
TEST_CASE("a city's Open311 services are those its workflows offer, deployed through the server") {
  ApiFixture api("cityservices");
  const std::string source = R"(workflow street_request version 1 loop request
  title "Street request"
fact service: string
fact surface: one of ("asphalt", "gravel") = "asphalt"
service pothole title "Pothole" zh "道路坑槽"
  description "A hole in the road surface" zh "路面坑洼破损" group "Streets" zh "道路"
service streetlight title "Streetlight out" description "A streetlight that does not light"
start on ServiceRequest
  set category = event.service_code, service = event.service_code,
      surface = event.attrs["surface"]
  enter open
route to kind "emergency_management"
state open
  on resolve by assignee -> done
state done terminal
)";
  const auto file = (api.dir / "street_request.wf").string();
  std::ofstream(file) << source;
  ChildRun publisher = Closeloop(
      api.dir, {"deploy", "--server", api.server.url(), "--token", api.token("hotline"), file});
  CHECK(publisher.exit_code != 0);
  CHECK(publisher.out.find("HTTP 403") != std::string::npos);
  ChildRun deployed = Closeloop(
      api.dir, {"deploy", "--server", api.server.url(), "--token", api.token("admin"), file});
  REQUIRE_MESSAGE(deployed.exit_code == 0, deployed.out);
  CHECK(deployed.out.find("deployed street_request version 1 from " + file) != std::string::npos);
  api.WaitWorkflow("street_request");
  // The console shows times on the city's clock: the zone of the calendar the workflows use.
  json listed = api.Get("admin", "/v1/workflows").body;
  CHECK(listed["time_zone"] == "Asia/Shanghai");
  // And names what it shows in both languages: services (a request's category), declared
  // facts, and the reference data's hazard classes.
  json street;
  for (const json& w : listed["workflows"]) {
    if (w["name"] == "street_request") street = w;
  }
  REQUIRE(street.is_object());
  CHECK(street["services"][0] ==
        json({{"code", "pothole"}, {"title", "Pothole"}, {"title_zh", "道路坑槽"}}));
  CHECK(street["facts"] == json::array({"service", "surface"}));
  bool fire_safety = false;
  for (const json& c : listed["categories"]) {
    if (c["id"] == "fire_safety")
      fire_safety = c["name_zh"] == "消防安全" && c["name"] == "Fire safety";
  }
  CHECK(fire_safety);
  json disposal;
  for (const json& w : listed["workflows"]) {
    if (w["name"] == "hazard_disposal") disposal = w;
  }
  REQUIRE(disposal.is_object());
  bool sign_for = false;
  for (const json& v : disposal["verbs"]) {
    if (v["name"] == "sign_for") sign_for = v["title_zh"] == "签收";
  }
  CHECK(sign_for);

  httplib::Client client("127.0.0.1", api.server.port());
  auto services = [&](const std::string& language) {
    httplib::Headers headers;
    if (!language.empty()) headers.emplace("Accept-Language", language);
    auto r = client.Get("/open311/v2/services.json", headers);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  };
  json en = services("");
  REQUIRE_MESSAGE(en.size() == 2, en.dump());  // the fixture deploys no other request workflow
  CHECK(en[0]["service_code"] == "pothole");
  CHECK(en[0]["service_name"] == "Pothole");
  CHECK(en[0]["description"] == "A hole in the road surface");
  CHECK(en[0]["group"] == "Streets");
  CHECK(en[0]["metadata"] == true);  // `surface` is read from the request's attributes
  CHECK(en[1]["service_code"] == "streetlight");
  CHECK(en[1]["service_name"] == "Streetlight out");
  json zh = services("zh-CN,zh;q=0.9");
  CHECK(zh[0]["service_name"] == "道路坑槽");
  CHECK(zh[0]["group"] == "道路");
  CHECK(zh[1]["service_name"] == "Streetlight out");  // declared in English only

  auto definition = client.Get("/open311/v2/services/pothole.json");
  REQUIRE(definition);
  json def = json::parse(definition->body);
  REQUIRE(def["attributes"].size() == 1);
  CHECK(def["attributes"][0]["code"] == "surface");
  CHECK(def["attributes"][0]["datatype"] == "singlevaluelist");
  CHECK(def["attributes"][0]["values"].size() == 2);

  // A request for the city's service opens a ticket of the workflow that offers it; the
  // Nanjing services of workflows/service_request.wf are not this city's.
  httplib::Params form = {{"api_key", api.token("hotline")},
                          {"service_code", "pothole"},
                          {"lat", "32.0415"},
                          {"long", "118.7845"},
                          {"attribute[surface]", "gravel"},
                          {"description", "Deep hole by the bus stop"}};
  auto posted = client.Post("/open311/v2/requests.json", form);
  REQUIRE(posted);
  REQUIRE_MESSAGE(posted->status == 201, posted->body);
  const std::string id = json::parse(posted->body)[0]["service_request_id"];
  json t = api.WaitTicket(id)["ticket"];
  CHECK(t["workflow"] == "street_request");
  // The request reads in the client's language too: the service's and the agency's names.
  auto request = [&](const std::string& language) {
    httplib::Headers headers;
    if (!language.empty()) headers.emplace("Accept-Language", language);
    auto r = client.Get("/open311/v2/requests/" + id + ".json", headers);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)[0];
  };
  CHECK(request("")["service_name"] == "Pothole");
  const json in_zh = request("zh-CN");
  CHECK(in_zh["service_name"] == "道路坑槽");
  CHECK(request("")["agency_responsible"] == "Xuanwu District Emergency Management Bureau");
  CHECK(in_zh["agency_responsible"] == "玄武区应急管理局");  // the point lies in Xuanwu
  form.erase("service_code");
  form.emplace("service_code", "training");
  auto unknown = client.Post("/open311/v2/requests.json", form);
  REQUIRE(unknown);
  CHECK(unknown->status == 400);
  CHECK(unknown->body.find("service_code: unknown service code 'training'") != std::string::npos);

  // A second workflow offering the same service is refused with the reason, not deployed.
  std::string rival = source;
  rival.replace(rival.find("street_request"), 14, "road_request");
  const auto rival_file = (api.dir / "road_request.wf").string();
  std::ofstream(rival_file) << rival;
  ChildRun refused = Closeloop(
      api.dir, {"deploy", "--server", api.server.url(), "--token", api.token("admin"), rival_file});
  CHECK(refused.exit_code != 0);
  CHECK_MESSAGE(refused.out.find("HTTP 422") != std::string::npos, refused.out);
  CHECK(refused.out.find("service pothole is already offered by workflow street_request") !=
        std::string::npos);
  CHECK(api.Get("admin", "/v1/workflows").text.find("road_request") == std::string::npos);
}

}  // namespace
}  // namespace closeloop::testing
