// Open311 GeoReport v2 as a civic client drives it: form-encoded POST with api_key, JSON
// answers in the spec's shapes, errors as [{code, description}].
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

TEST_CASE("Open311: services, a posted request routed to a ticket, and its status") {
  ApiFixture api("open311");
  for (const char* wf : {"service_request"}) {
    std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/" + wf + ".wf");
    std::stringstream s;
    s << in.rdbuf();
    REQUIRE(api.Post("admin", "/v1/admin/workflows", {{"source", s.str()}}).status == 201);
  }
  Reply services = api.Get("", "/open311/v2/services.json");
  REQUIRE(services.status == 200);
  REQUIRE(services.body.is_array());
  bool has_training = false;
  for (const auto& s : services.body) {
    for (const char* f :
         {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}) {
      CHECK_MESSAGE(s.contains(f), f);
    }
    has_training |= s["service_code"] == "training";
  }
  CHECK(has_training);
  CHECK(api.Get("", "/open311/v2/services/training.json").body["service_code"] == "training");
  CHECK(api.Get("", "/open311/v2/services/nope.json").status == 404);

  httplib::Client c("127.0.0.1", api.server.port());
  httplib::Params form = {{"api_key", api.token("hotline")},
                          {"service_code", "training"},
                          {"lat", "32.0415"},
                          {"long", "118.7845"},
                          {"address_string", "玄武区 梅园新村 1 号"},
                          {"description", "Fire drill training for 40 staff"},
                          {"email", "safety@example.cn"},
                          {"first_name", "Li"},
                          {"last_name", "Wei"}};
  auto posted = c.Post("/open311/v2/requests.json", form);
  REQUIRE(posted);
  REQUIRE_MESSAGE(posted->status == 201, posted->body);
  json created = json::parse(posted->body);
  REQUIRE(created.is_array());
  REQUIRE(created[0].contains("service_request_id"));
  std::string id = created[0]["service_request_id"];

  auto one = c.Get("/open311/v2/requests/" + id + ".json");
  REQUIRE(one);
  REQUIRE(one->status == 200);
  json r = json::parse(one->body)[0];
  CHECK(r["service_request_id"] == id);
  CHECK(r["status"] == "open");
  CHECK(r["service_code"] == "training");
  CHECK(!r["agency_responsible"].get<std::string>().empty());
  CHECK(!r["requested_datetime"].get<std::string>().empty());
  CHECK(r.dump().find("safety@example.cn") == std::string::npos);  // no personal data

  auto listed = c.Get("/open311/v2/requests.json?service_request_id=" + id + "&status=open");
  REQUIRE(listed);
  CHECK(json::parse(listed->body).size() == 1);

  httplib::Params no_key = form;
  no_key.erase("api_key");
  auto refused = c.Post("/open311/v2/requests.json", no_key);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(json::parse(refused->body)[0].contains("description"));
  httplib::Params bad_code = form;
  bad_code.erase("service_code");
  bad_code.emplace("service_code", "teleportation");
  CHECK(c.Post("/open311/v2/requests.json", bad_code)->status == 400);
  CHECK(c.Get("/open311/v2/requests/NOPE.json")->status == 404);
}

}  // namespace
}  // namespace closeloop::testing
