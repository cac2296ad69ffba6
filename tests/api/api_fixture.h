// A real `closeloop serve` on loopback with a manual clock, seeded through its own API as an
// administrator would: the Nanjing reference data, the prevention and oversight workflows,
// users of each role, and the clock at Monday 2026-03-02 09:00 (Shanghai).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/server_process.h"

namespace closeloop::testing {

using nlohmann::json;

struct Reply {
  int status = 0;
  json body;
  std::string text;
  httplib::Headers headers;
};

class ApiFixture {
 public:
  // `extra_args` go to `serve` (e.g. limits).
  explicit ApiFixture(const std::string& name, std::vector<std::string> extra_args = {});
  ~ApiFixture();

  // A request as `user` ("" = no token; "admin" = the bootstrap administrator).
  Reply Call(const std::string& user, const std::string& method, const std::string& path,
             const std::string& body = "", const std::string& content_type = "application/json");
  // The same with a raw bearer token ("" = none), for tokens no fixture user holds.
  Reply CallWithToken(const std::string& token, const std::string& method, const std::string& path,
                      const std::string& body = "",
                      const std::string& content_type = "application/json");
  Reply Get(const std::string& user, const std::string& path) { return Call(user, "GET", path); }
  Reply Post(const std::string& user, const std::string& path, const json& body) {
    return Call(user, "POST", path, body.dump());
  }

  // Creates a user with a token (kept by name).
  void AddUser(const json& user);
  const std::string& token(const std::string& user) { return tokens_.at(user); }

  // Publishes a fire-safety HazardReport in Xuanwu (routed to nj.xuanwu.fire, assisted by
  // nj.xuanwu.emb); returns the id of the ticket the engine opened.
  std::string OpenFireTicket(const std::string& subject = "ent-xw-001");
  // Waits until GET /v1/tickets/{id} as admin answers 200 (the engine processed it).
  json WaitTicket(const std::string& id);
  // Waits until GET /v1/workflows lists `name` (the engine processed its deployment: a
  // deploy answers once the record is durable, before the engine has read it).
  void WaitWorkflow(const std::string& name);

  void Advance(const std::string& to);  // POST /v1/admin/clock {"to": ...}

  std::filesystem::path dir;
  ServerProcess server;

 private:
  std::map<std::string, std::string> tokens_;
};

}  // namespace closeloop::testing
