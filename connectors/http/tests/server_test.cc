#include "connectors/http/server.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

TEST_CASE("with a certificate the server speaks HTTPS, TLS 1.2 at least, and refuses TLS 1.1") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("cl-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string make =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
      " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(make.c_str()) == 0);
  HttpServer server({.host = "127.0.0.1", .port = 0, .tls_cert = cert, .tls_key = key});
  REQUIRE(server.valid());
  REQUIRE(server.Start().ok());
  httplib::SSLClient client("127.0.0.1", server.port());
  client.enable_server_certificate_verification(false);
  auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  std::string old = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) +
                    " -tls1_1 >/dev/null 2>&1";
  CHECK(std::system(old.c_str()) != 0);
  std::string current =
      "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) +
      " -tls1_2 >/dev/null 2>&1";
  CHECK(std::system(current.c_str()) == 0);
  server.Stop();
  HttpServer broken({.host = "127.0.0.1", .port = 0, .tls_cert = key, .tls_key = cert});
  CHECK_FALSE(broken.Start().ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace closeloop::http
