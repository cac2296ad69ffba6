// Request bodies' JSON (json_body.h) and the route guard (route_guard.h): what reaches a
// handler is strict JSON within limits, and what a handler throws never reaches the client.
#include "connectors/http/json_body.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "connectors/http/route_guard.h"

namespace closeloop::http {
namespace {

TEST_CASE("a body within the limits parses; its errors name line and column in our words") {
  JsonSyntaxError err;
  auto j = ParseJsonBody(R"({"verb": "assign", "days": 3})", &err);
  REQUIRE(j.has_value());
  CHECK((*j)["days"] == 3);
  CHECK_FALSE(ParseJsonBody("{\"verb\":\n  \"assign\",}", &err).has_value());
  CHECK(err.ToString() == "2:12: a trailing comma is not JSON");
  CHECK_FALSE(ParseJsonBody("[\"x\", tru]", &err).has_value());
  CHECK(err.message == "expected a value, found 't'");  // never nlohmann's "[json.exception..."
}

TEST_CASE("a hundred thousand levels of nesting are refused at the 33rd") {
  JsonSyntaxError err;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_FALSE(ParseJsonBody(deep, &err).has_value());
  CHECK(err.ToString() == "1:33: nesting deeper than 32 levels");
  std::string ok = std::string(32, '[') + std::string(32, ']');
  CHECK(ParseJsonBody(ok, &err).has_value());
}

TEST_CASE("a body over the size limit is refused before it is scanned") {
  JsonSyntaxError err;
  std::string big = "[\"" + std::string(kBodyJsonLimits.max_bytes, 'x') + "\"]";
  CHECK_FALSE(ParseJsonBody(big, &err).has_value());
  CHECK(err.message.find("the limit is 4194304") != std::string::npos);
}

TEST_CASE("an exception escaping a handler answers a generic 500 with no header of its own") {
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/x";
  httplib::Response res;
  Call call{req, res, std::nullopt, ""};
  RunGuarded(
      [](Call& c) {
        c.res.set_header("X-Partial", "1");
        nlohmann::json j = 5;
        (void)j.value("body_type", "");  // type_error: "cannot use value() with number"
      },
      call);
  CHECK(res.status == 500);
  CHECK(res.headers.count("X-Partial") == 0);
  CHECK(res.body.find("internal error; the server log has the details") != std::string::npos);
  CHECK(res.body.find("value()") == std::string::npos);
  CHECK(res.body.find("json.exception") == std::string::npos);
  for (const auto& [k, v] : res.headers) CHECK(v.find("value()") == std::string::npos);

  httplib::Response ok;
  Call fine{req, ok, std::nullopt, ""};
  RunGuarded([](Call& c) { c.Json(201, {{"recorded", 1}}); }, fine);
  CHECK(ok.status == 201);
  httplib::Response odd;
  Call other{req, odd, std::nullopt, ""};
  RunGuarded([](Call&) { throw 42; }, other);
  CHECK(odd.status == 500);
}

}  // namespace
}  // namespace closeloop::http
