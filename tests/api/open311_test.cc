// Open311 GeoReport v2 conformance, endpoint by endpoint in both formats, as the spec's text
// describes them (http://wiki.open311.org/GeoReport_v2): XML is parsed with pugixml and
// both formats go through the same shape checks (tests/api/open311_support.h).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/api/open311_support.h"

namespace closeloop::testing {
namespace {

using open311::Call;
using open311::CheckError;
using open311::CheckRequest;
using open311::Got;
using open311::Submit;

void DeployServiceRequests(ApiFixture& api) {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/service_request.wf");
  std::stringstream s;
  s << in.rdbuf();
  Reply d = api.Post("admin", "/v1/admin/workflows", {{"source", s.str()}});
  REQUIRE_MESSAGE(d.status == 201, d.text);
  api.WaitWorkflow("service_request");
}

httplib::Params Form(ApiFixture& api) {
  return {{"api_key", api.token("hotline")},
          {"service_code", "training"},
          {"lat", "32.0415"},
          {"long", "118.7845"},
          {"address_string", "玄武区 梅园新村 1 号"},
          {"zipcode", "210018"},
          {"media_url", "https://photos.example.cn/drill.jpg"},
          {"description", "Fire drill training for 40 staff"},
          {"attribute[complex]", "yes"},
          {"email", "safety@example.cn"},
          {"first_name", "Li"},
          {"last_name", "Wei"}};
}

httplib::Params With(httplib::Params form, const std::string& key, const std::string& value) {
  form.erase(key);
  if (!value.empty()) form.emplace(key, value);
  return form;
}

TEST_CASE("Open311 conformance: discovery, services, definitions, requests, tokens, errors") {
  ApiFixture api("open311");
  DeployServiceRequests(api);

  for (const std::string ext : {"json", "xml"}) {
    CAPTURE(ext);
    // Service discovery.
    Got d = Call(api, "GET", "/open311/discovery." + ext);
    REQUIRE(d.status == 200);
    if (ext == "xml") CHECK(d.root == "discovery");
    for (const char* f : {"changeset", "contact", "key_service", "endpoints"})
      CHECK_MESSAGE(d.doc.contains(f), f);
    REQUIRE(d.doc["endpoints"].size() == 1);
    const json& ep = d.doc["endpoints"][0];
    CHECK(ep["specification"] == "http://wiki.open311.org/GeoReport_v2");
    CHECK(ep["url"].get<std::string>().find("/open311/v2") != std::string::npos);
    CHECK(ep["type"] == "production");
    CHECK(open311::IsW3cDatetime(ep["changeset"]));
    CHECK(ep["formats"] == json::array({"text/xml", "application/json"}));

    // GET services.
    Got services = Call(api, "GET", "/open311/v2/services." + ext);
    REQUIRE(services.status == 200);
    if (ext == "xml") CHECK(services.root == "services");
    REQUIRE(services.doc.is_array());
    bool has_training = false;
    for (const auto& s : services.doc) {
      for (const char* f :
           {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"})
        CHECK_MESSAGE(s.contains(f), f);
      std::string metadata = s["metadata"].is_boolean() ? (s["metadata"] ? "true" : "false")
                                                        : s["metadata"].get<std::string>();
      CHECK(metadata == "true");  // the request workflow declares an attribute
      CHECK(s["type"] == "realtime");
      has_training |= s["service_code"] == "training";
    }
    CHECK(has_training);

    // GET a service definition: attributes from the workflow's declared fact `complex`.
    Got def = Call(api, "GET", "/open311/v2/services/training." + ext);
    REQUIRE(def.status == 200);
    if (ext == "xml") CHECK(def.root == "service_definition");
    CHECK(def.doc["service_code"] == "training");
    REQUIRE(def.doc["attributes"].is_array());
    REQUIRE(def.doc["attributes"].size() == 1);
    const json& attr = def.doc["attributes"][0];
    for (const char* f : {"variable", "code", "datatype", "required", "order", "description"})
      CHECK_MESSAGE(attr.contains(f), f);
    CHECK(attr["code"] == "complex");
    CHECK(attr["datatype"] == "singlevaluelist");
    REQUIRE(attr["values"].size() == 2);
    CHECK(attr["values"][0]["key"] == "yes");
    for (const char* code : {"ABC-1", "Training", "nope"}) {
      CheckError(Call(api, "GET", "/open311/v2/services/" + std::string(code) + "." + ext), 404,
                 std::string("services/") + code);
    }

    // jurisdiction_id: a jurisdiction of the reference data is accepted; others are 400.
    CHECK(Call(api, "GET", "/open311/v2/services." + ext + "?jurisdiction_id=xuanwu").status ==
          200);
    CheckError(Call(api, "GET", "/open311/v2/services." + ext + "?jurisdiction_id=atlantis"), 400,
               "services?jurisdiction_id=atlantis");
    CheckError(Call(api, "GET", "/open311/v2/requests." + ext + "?jurisdiction_id=atlantis"), 400,
               "requests?jurisdiction_id=atlantis");

    // POST a request; then GET it: what was submitted comes back, in the spec's fields.
    httplib::Params form = With(Form(api), "description", "Fire drill training (" + ext + ")");
    Got posted = Call(api, "POST", "/open311/v2/requests." + ext, form);
    REQUIRE_MESSAGE(posted.status == 201, posted.body);
    if (ext == "xml") CHECK(posted.root == "service_requests");
    REQUIRE(posted.doc.size() == 1);
    std::string id = posted.doc[0]["service_request_id"];
    std::string token = posted.doc[0]["token"];
    CHECK(!id.empty());

    Got one = Call(api, "GET", "/open311/v2/requests/" + id + "." + ext);
    REQUIRE(one.status == 200);
    if (ext == "xml") CHECK(one.root == "service_requests");
    REQUIRE(one.doc.size() == 1);
    const json& r = one.doc[0];
    CheckRequest(r, "requests/" + id);
    CHECK(r["service_request_id"] == id);
    CHECK(r["status"] == "open");
    CHECK(r["service_code"] == "training");
    CHECK(r["description"] == "Fire drill training (" + ext + ")");
    CHECK(r["address"] == "玄武区 梅园新村 1 号");
    CHECK(r["zipcode"] == "210018");
    CHECK(r["media_url"] == "https://photos.example.cn/drill.jpg");
    auto num = [](const json& v) {
      return v.is_number() ? v.get<double>() : std::stod(v.get<std::string>());
    };
    CHECK(num(r["lat"]) == doctest::Approx(32.0415));
    CHECK(num(r["long"]) == doctest::Approx(118.7845));
    CHECK(r["status_notes"] == "Open: Reply due.");  // the reply clock runs from dispatch
    CHECK(r["requested_datetime"] == "2026-03-02T09:00:00+08:00");  // the city's zone
    CHECK(r.contains("expected_datetime"));
    CHECK(r.contains("agency_responsible"));
    CHECK(one.body.find("safety@example.cn") == std::string::npos);  // no personal data
    CHECK(one.body.find("Wei") == std::string::npos);

    // tokens/{token} resolves to the request id.
    Got tok = Call(api, "GET", "/open311/v2/tokens/" + token + "." + ext);
    REQUIRE_MESSAGE(tok.status == 200, tok.body);
    if (ext == "xml") CHECK(tok.root == "service_requests");
    CHECK(tok.doc[0]["service_request_id"] == id);
    CHECK(tok.doc[0]["token"] == token);
    CheckError(Call(api, "GET", "/open311/v2/tokens/01JUNKJUNKJUNKJUNKJUNKJUNK." + ext), 404,
               "unknown token");
    CheckError(Call(api, "GET", "/open311/v2/requests/NOPE." + ext), 404, "unknown request");

    // address_id alone is a location.
    httplib::Params by_id =
        With(With(With(Form(api), "lat", ""), "long", ""), "address_string", "");
    by_id = With(With(by_id, "address_id", "nj-addr-4711"), "description", "by address id " + ext);
    std::string id2 = Submit(api, by_id, ext);
    Got two = Call(api, "GET", "/open311/v2/requests/" + id2 + "." + ext);
    CHECK(two.doc[0]["address_id"] == "nj-addr-4711");
    CHECK(!two.doc[0].contains("lat"));
    CheckRequest(two.doc[0], "requests/" + id2);

    // GET requests: comma lists, and service_request_id overriding every other argument.
    Got both = Call(api, "GET",
                    "/open311/v2/requests." + ext + "?service_request_id=" + id + "," + id2 +
                        "&status=closed&service_code=insurance");
    REQUIRE(both.status == 200);
    CHECK(both.doc.size() == 2);
    for (const auto& x : both.doc) CheckRequest(x, "requests?service_request_id");
    Got listed =
        Call(api, "GET",
             "/open311/v2/requests." + ext + "?service_code=insurance,training&status=open,closed");
    REQUIRE(listed.status == 200);
    CHECK(listed.doc.size() >= 2);
    CheckError(Call(api, "GET", "/open311/v2/requests." + ext + "?status=pending"), 400, "status");
    CheckError(Call(api, "GET", "/open311/v2/requests." + ext + "?start_date=yesterday"), 400,
               "start_date");
    CheckError(Call(api, "GET", "/open311/v2/requests." + ext + "?service_code=teleport"), 400,
               "service_code");

    // POST errors, each naming its field.
    auto refused = [&](const httplib::Params& f, int status, const std::string& starts) {
      Got g = Call(api, "POST", "/open311/v2/requests." + ext, f);
      CheckError(g, status, starts);
      if (g.doc.is_array() && !g.doc.empty()) {
        std::string desc = g.doc[0]["description"];
        CHECK_MESSAGE(desc.rfind(starts, 0) == 0, desc);
      }
    };
    refused(With(Form(api), "api_key", ""), 403, "api_key");
    refused(With(Form(api), "api_key", "not-a-key"), 403, "api_key");
    refused(With(Form(api), "service_code", "teleportation"), 400, "service_code");
    refused(With(Form(api), "service_code", "ABC-1"), 400, "service_code");
    refused(With(Form(api), "lat", "nan"), 400, "lat");
    refused(With(Form(api), "long", ""), 400, "long");
    refused(With(Form(api), "long", "190"), 400, "long");
    refused(With(Form(api), "jurisdiction_id", "atlantis"), 400, "jurisdiction_id");
    refused(With(Form(api), "attribute[colour]", "red"), 400, "attribute[colour]");
    refused(With(Form(api), "attribute[complex]", "maybe"), 400, "attribute[complex]");
    refused(With(Form(api), "media_url", "javascript:alert(1)"), 400, "media_url");
    refused(With(With(With(Form(api), "lat", ""), "long", ""), "address_string", ""), 400,
            "a location");

    // Methods the spec does not define: 405 with Allow.
    for (const char* method : {"PUT", "DELETE"}) {
      Got g = Call(api, method, "/open311/v2/requests/" + id + "." + ext);
      CheckError(g, 405, method);
      CHECK(httplib::detail::get_header_value(g.headers, "Allow", 0, "") == std::string("GET"));
      Got all = Call(api, method, "/open311/v2/requests." + ext);
      CheckError(all, 405, method);
      CHECK(httplib::detail::get_header_value(all.headers, "Allow", 0, "") ==
            std::string("GET, POST"));
    }
  }
}

TEST_CASE("Open311: a resent POST does not open a second ticket") {
  ApiFixture api("open311-resend");
  DeployServiceRequests(api);
  auto count = [&] {
    return Call(api, "GET", "/open311/v2/requests.json?status=open,closed").doc.size();
  };
  httplib::Params form = With(Form(api), "client_request_id", "app-7f3a-0001");
  std::string first = Submit(api, form);
  // Same client id, even with a changed field (a client retrying after a timeout).
  CHECK(Submit(api, With(form, "description", "retry")) == first);
  CHECK(count() == 1);
  // Another publisher key with the same client id is another request.
  api.AddUser({{"name", "app2"},
               {"role", "publisher"},
               {"agency", "citizen-app"},
               {"event_types", {"ServiceRequest"}}});
  std::string other = Submit(api, With(form, "api_key", api.token("app2")));
  CHECK(other != first);
  // Without a client id: identical content within the window is the same request.
  httplib::Params plain = With(Form(api), "description", "no client id");
  std::string a = Submit(api, plain, "xml");
  CHECK(Submit(api, plain, "xml") == a);
  CHECK(Submit(api, With(plain, "description", "no client id, second issue")) != a);
  CHECK(count() == 4);
}

}  // namespace
}  // namespace closeloop::testing
