#include "connectors/http/server.h"

#include <doctest/doctest.h>
#include <httplib.h>

namespace closeloop::http {
namespace {

TEST_CASE("host and port parse, and bad ones are refused") {
  auto hp = ParseHostPort("127.0.0.1:8080");
  REQUIRE(hp.ok());
  CHECK(hp->first == "127.0.0.1");
  CHECK(hp->second == 8080);
  CHECK(ParseHostPort("[::1]:9").value().first == "::1");
  CHECK_FALSE(ParseHostPort("localhost").ok());
  CHECK_FALSE(ParseHostPort("h:99999").ok());
  CHECK_FALSE(ParseHostPort("h:80x").ok());
}

TEST_CASE("a started server answers healthz and readyz over real HTTP, then stops") {
  HttpServer server({.host = "127.0.0.1", .port = 0});
  bool ready = false;
  server.SetReadiness([&] { return ready; });
  REQUIRE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(client.Get("/readyz")->status == 503);
  ready = true;
  CHECK(client.Get("/readyz")->status == 200);
  server.Stop();
  httplib::Client after("127.0.0.1", server.port());
  after.set_connection_timeout(1, 0);
  CHECK_FALSE(after.Get("/healthz"));
}

TEST_CASE("a second server cannot take a port in use") {
  HttpServer first({.host = "127.0.0.1", .port = 0});
  REQUIRE(first.Start().ok());
  HttpServer second({.host = "127.0.0.1", .port = first.port()});
  CHECK(second.Start().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace closeloop::http
