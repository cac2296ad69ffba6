// docs/openapi.yaml and the server's routes describe the same API: every route the server
// registers is documented, and every documented path and method is served.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "connectors/http/api.h"
#include "connectors/http/server.h"
#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/rocks_store.h"

namespace closeloop::http {
namespace {

namespace fs = std::filesystem;

// "/v1/tickets/([0-9A-Za-z_.:\-]+)/actions" and "/v1/tickets/{id}/actions" both become
// "/v1/tickets/{}/actions".
std::string Normalise(std::string path) {
  path = std::regex_replace(path, std::regex(R"(\([^)]*\)\+?)"), "{}");
  path = std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}");
  path = std::regex_replace(path, std::regex(R"(\\\.)"), ".");
  return path;
}

std::set<std::string> Documented() {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(in);
  std::set<std::string> out;
  std::string line, path;
  bool in_paths = false;
  const std::regex path_line(R"(^  (/[^:]*):\s*$)"), method_line(R"(^    (get|post|put|delete):)");
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_line))
      path = Normalise(m[1]);
    else if (std::regex_search(line, m, method_line)) {
      std::string method = m[1];
      for (auto& ch : method) ch = static_cast<char>(toupper(ch));
      out.insert(method + " " + path);
    }
  }
  return out;
}

TEST_CASE("docs/openapi.yaml documents every route the server registers, and only those") {
  fs::path dir = fs::temp_directory_path() / ("cl-openapi-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::set<std::string> served;
  {
    auto db = rocks::RocksDb::Open(dir.string(), {.sync = false, .extra_families = {"state"}});
    REQUIRE(db.ok());
    auto log = rocks::EmbeddedLog::Open(db->get(), 2);
    REQUIRE(log.ok());
    rocks::RocksStore store(db->get(), log->get());
    ApiBackend b;
    b.log = log->get();
    b.state = &store;
    b.db = db->get();
    Api api(b, {});
    HttpServer server({.port = 0});
    api.Register(server);
    for (const auto& [method, pattern] : api.Routes())
      served.insert(method + " " + Normalise(pattern));
    api.Stop();
  }
  fs::remove_all(dir);
  std::set<std::string> documented = Documented();
  for (const auto& r : served) CHECK_MESSAGE(documented.count(r), "undocumented route: " << r);
  for (const auto& r : documented)
    CHECK_MESSAGE(served.count(r), "documented but not served: " << r);
  CHECK(served.size() > 25);
}

}  // namespace
}  // namespace closeloop::http
