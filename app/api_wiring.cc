#include "app/api_wiring.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/wall_clock.h"
#include "connectors/http/auth.h"
#include "connectors/rocksdb/log_verify.h"
#include "connectors/rocksdb/record_index.h"

namespace closeloop::app {

std::unique_ptr<http::Api> MakeEmbeddedApi(Node& node, EngineRunner& engine,
                                           const ApiWiring& wiring) {
  http::ApiBackend b;
  b.log = node.log.get();
  b.state = node.store.get();
  b.db = node.db.get();
  bool sync = wiring.sync;
  b.publish = [&node, sync](const std::vector<rocks::IngressItem>& items) {
    return node.ingress->Append(items, sync);
  };
  b.processed = [&engine](uint32_t p) { return engine.position(p); };
  b.engine_now = [&node] { return node.EngineNow(); };
  b.wall_now = [] { return WallClockMillis(); };
  b.append_control = [&node](const std::vector<std::string>& jsons) {
    return node.AppendControl(jsons);
  };
  if (wiring.manual_clock) {
    b.advance_clock = [&node](int64_t to) { return node.AppendClockTick(to, "api-clock"); };
  }
  b.verify_log = [&node]() -> Result<std::string> {
    auto reports = rocks::VerifyLog(*node.log);
    if (reports.ok()) return std::string();
    if (reports.status().code() == Code::kCorruption) return reports.status().message();
    return reports.status();
  };
  b.tree = node.log.get();
  b.checkpoints = wiring.checkpoints;
  b.locate = [&node](std::string_view id) -> Result<std::optional<std::pair<uint32_t, uint64_t>>> {
    CL_ASSIGN_OR_RETURN(auto pos, rocks::LocateRecord(*node.db, id));
    if (!pos) return std::optional<std::pair<uint32_t, uint64_t>>();
    return std::optional<std::pair<uint32_t, uint64_t>>({pos->partition, pos->offset});
  };
  http::ApiOptions options;
  options.demo = wiring.demo;
  options.data_dir = wiring.data_dir;
  return std::make_unique<http::Api>(std::move(b), options);
}

namespace {

Status WritePrivate(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IOError("cannot write " + tmp);
    out << content;
    if (!out.flush()) return IOError("cannot write " + tmp);
  }
  chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IOError("cannot rename to " + path);
  return Status::Ok();
}

}  // namespace

std::string BootstrapAdmin(http::Api& api, const std::string& data_dir) {
  if (!api.auth().empty()) return "";
  http::User admin{.name = "admin", .role = http::Role::kAdmin, .display_name = "Administrator"};
  Status s = api.auth().PutUser(admin);
  auto token = s.ok() ? api.auth().IssueToken("admin", "bootstrap", WallClockMillis())
                      : Result<std::string>(s);
  if (!token.ok()) {
    spdlog::error("could not create the first administrator: {}", token.status().ToString());
    return "";
  }
  std::string path = data_dir + "/admin-token";
  Status w = WritePrivate(path, *token + "\n");
  if (!w.ok()) spdlog::error("{}", w.ToString());
  return path;
}

std::vector<std::string> WriteDemoCredentials(http::Api& api, const std::string& data_dir,
                                              const std::vector<DemoUser>& users,
                                              const std::string& base_url) {
  nlohmann::json out = {{"server", base_url}, {"users", nlohmann::json::array()}};
  std::vector<std::string> lines;
  for (const auto& d : users) {
    auto role = http::RoleFromName(d.role);
    if (!role) continue;
    http::User u{.name = d.name,
                 .role = *role,
                 .department = *role == http::Role::kPublisher ? "" : d.department,
                 .agency = *role == http::Role::kPublisher
                               ? (d.department.empty() ? "hotline-12345" : d.department)
                               : "",
                 .display_name = d.display_name};
    Status s = api.auth().PutUser(u);
    auto token =
        s.ok() ? api.auth().IssueToken(d.name, "demo", WallClockMillis()) : Result<std::string>(s);
    if (!token.ok()) {
      spdlog::error("demo user {}: {}", d.name, token.status().ToString());
      continue;
    }
    out["users"].push_back({{"name", u.name},
                            {"role", d.role},
                            {"department", u.department},
                            {"agency", u.agency},
                            {"display_name", u.display_name},
                            {"token", *token}});
    lines.push_back(fmt::format("  {:<11} {:<28} {}", d.role, d.name, *token));
  }
  Status w = WritePrivate(data_dir + "/demo-credentials.json", out.dump(2) + "\n");
  if (!w.ok()) spdlog::error("{}", w.ToString());
  return lines;
}

}  // namespace closeloop::app
