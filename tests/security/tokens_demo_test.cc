// The demo's credentials endpoint against a real `closeloop serve --demo` (issue 13, part 7):
// it answered everyone, admin token included. Now: loopback clients only, never the admin.
//
// "Not loopback" is tested for real when this machine has a non-loopback address: the server
// listens on 0.0.0.0 and the test connects to that address, so the server sees a peer that is
// not 127.0.0.0/8 or ::1 (the kernel uses the interface's address as the source). Without such
// an address that part is skipped with a message, and the predicate's unit test
// (tokens_unit_test.cc) still covers the decision.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/server_process.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// An IPv4 address of an interface that is up and not loopback; "" when there is none.
std::string NonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  freeifaddrs(list);
  return found;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("demo credentials: loopback clients only, never the administrator's token") {
  fs::path dir = fs::temp_directory_path() / ("cl-sec-demo-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ServerProcess demo;
  Status s = demo.Start(
      CLOSELOOP_BIN,
      {"serve", "--demo", "--data", (dir / "data").string(), "--http", "0.0.0.0:0", "--no-sync"},
      (dir / "server.log").string());
  REQUIRE_MESSAGE(s.ok(), s.ToString());

  httplib::Client local("127.0.0.1", demo.port());
  auto creds = demo.WaitForGet("/v1/demo/credentials");
  REQUIRE_MESSAGE(creds.ok(), creds.status().ToString());
  json body = json::parse(*creds);
  REQUIRE(!body["users"].empty());

  // The operator's file keeps every persona, the administrator's token included ...
  json file = json::parse(Slurp(dir / "data" / "demo-credentials.json"));
  std::string admin_token;
  for (const auto& u : file["users"]) {
    if (u["role"] == "admin") admin_token = u["token"];
  }
  REQUIRE_MESSAGE(!admin_token.empty(), "the demo has an administrator persona");
  // ... the endpoint none: the finding was the admin's token handed to anyone.
  for (const auto& u : body["users"]) CHECK(u["role"] != "admin");
  CHECK(creds->find(admin_token) == std::string::npos);
  CHECK(body["users"].size() + 1 == file["users"].size());
  // Nor does the server's log print it.
  CHECK(Slurp(dir / "server.log").find(admin_token) == std::string::npos);
  // The admin token works, it is just not handed out.
  auto me = local.Get("/v1/me", {{"Authorization", "Bearer " + admin_token}});
  REQUIRE(me);
  CHECK(me->status == 200);

  // A request relayed by a proxy on this machine is not local.
  auto proxied = local.Get("/v1/demo/credentials", {{"X-Forwarded-For", "203.0.113.9"}});
  REQUIRE(proxied);
  CHECK(proxied->status == 403);
  CHECK(proxied->body.find("token") == std::string::npos);

  // Demo tokens last the documented 30 days.
  auto tokens =
      local.Get("/v1/admin/users/" + body["users"][0]["name"].get<std::string>() + "/tokens",
                {{"Authorization", "Bearer " + admin_token}});
  REQUIRE(tokens);
  REQUIRE(tokens->status == 200);
  json list = json::parse(tokens->body)["tokens"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["expires_at"].get<int64_t>() - list[0]["created_at"].get<int64_t>() ==
        30 * 86400000LL);

  std::string address = NonLoopbackAddress();
  if (address.empty()) {
    MESSAGE(
        "no non-loopback IPv4 address on this machine: the remote-client check is skipped "
        "(the predicate is unit-tested)");
  } else {
    httplib::Client remote(address, demo.port());
    remote.set_connection_timeout(5, 0);
    auto far = remote.Get("/v1/demo/credentials");
    REQUIRE_MESSAGE(far, "could not reach the server on " << address);
    CHECK(far->status == 403);
    CHECK(json::parse(far->body)["error"]["code"] == "not_local");
    CHECK(far->body.find("token\"") == std::string::npos);
    for (const auto& u : file["users"]) {
      CHECK(far->body.find(u["token"].get<std::string>()) == std::string::npos);
    }
    // The same client may use the API with a token: only the credentials list is local.
    auto hz = remote.Get("/healthz");
    REQUIRE(hz);
    CHECK(hz->status == 200);
  }
  CHECK(demo.Stop() == 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace closeloop::testing
