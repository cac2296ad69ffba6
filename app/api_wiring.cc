#include "app/api_wiring.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/wall_clock.h"
#include "connectors/http/auth.h"
#include "connectors/rocksdb/log_verify.h"
#include "connectors/rocksdb/record_index.h"
#include "workflows/builtin_city.h"

namespace closeloop::app {

std::unique_ptr<http::Api> MakeEmbeddedApi(Node& node, EngineRunner& engine,
                                           const ApiWiring& wiring) {
  http::ApiBackend b;
  b.log = node.log.get();
  b.state = node.store.get();
  b.db = node.db.get();
  bool sync = wiring.sync;
  b.publish = [&node, sync](const std::vector<events::IngressItem>& items)
      -> Result<std::vector<events::IngressAck>> {
    if (node.read_only()) {  // serve started on a full disk (cmd_serve.cc)
      return rocks::DiskFull("serving read-only until space is freed on " + node.db->dir());
    }
    return node.ingress->Append(items, sync);
  };
  b.processed = [&engine](uint32_t p) { return engine.position(p); };
  b.engine_now = [&node] { return node.EngineNow(); };
  b.wall_now = [] { return WallClockMillis(); };
  b.append_control = [&node](const std::vector<std::string>& records) {
    return node.AppendControl(records);
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
  b.locate_record =
      [&node](std::string_view id) -> Result<std::optional<std::pair<uint32_t, uint64_t>>> {
    CL_ASSIGN_OR_RETURN(auto pos, rocks::LocateRecord(*node.db, id));
    if (!pos) return std::optional<std::pair<uint32_t, uint64_t>>();
    return std::optional<std::pair<uint32_t, uint64_t>>({pos->partition, pos->offset});
  };
  b.tree = node.log.get();
  b.checkpoints = wiring.checkpoints;
  b.notify = wiring.notify;
  http::ApiOptions options;
  options.demo = wiring.demo;
  options.data_dir = wiring.data_dir;
  options.outlines = wiring.outlines;
  return std::make_unique<http::Api>(std::move(b), options);
}

Result<std::vector<std::string>> LoadOutlines(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  for (const auto& f : city::EmbeddedFiles()) {
    if (!f.path.ends_with("outlines.geojson")) continue;
    if (Status s = http::CheckOutlines(f.bytes); !s.ok()) {
      return Internal("shipped " + std::string(f.path) + ": " + s.message());
    }
    out.emplace_back(f.bytes);
  }
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound(path + ": cannot be read");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (Status s = http::CheckOutlines(text); !s.ok()) {
      return InvalidArgument(path + ": " + s.message());
    }
    out.push_back(std::move(text));
  }
  return out;
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

// The tokens an earlier demo start issued this persona: each start replaces them.
Status RevokeDemoTokens(http::AuthStore& auth, const std::string& user) {
  CL_ASSIGN_OR_RETURN(auto tokens, auth.ListTokens(user));
  for (const auto& t : tokens) {
    if (t.label == "demo") CL_RETURN_IF_ERROR(auth.RevokeToken(t.id));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> BootstrapAdmin(http::Api& api, const std::string& data_dir) {
  http::AuthStore& auth = api.auth();
  const int64_t now = WallClockMillis();
  CL_ASSIGN_OR_RETURN(bool empty, auth.empty());
  const char* label = "bootstrap";
  if (empty) {
    http::User admin{.name = "admin", .role = http::Role::kAdmin, .display_name = "Administrator"};
    CL_RETURN_IF_ERROR(auth.PutUser(admin));
  } else {
    // An administrator who can still sign in: nothing to do.
    CL_ASSIGN_OR_RETURN(auto users, auth.ListUsers());
    for (const auto& u : users) {
      if (u.role != http::Role::kAdmin || u.disabled) continue;
      CL_ASSIGN_OR_RETURN(auto tokens, auth.ListTokens(u.name));
      for (const auto& t : tokens) {
        if (t.expires_at > now) return std::string();
      }
    }
    CL_ASSIGN_OR_RETURN(auto admin, auth.GetUser("admin"));
    if (!admin || admin->disabled || admin->role != http::Role::kAdmin) {
      spdlog::warn(
          "no administrator holds an unexpired token, and there is no enabled user "
          "'admin' to issue one to");
      return std::string();
    }
    label = "recovery";
  }
  CL_ASSIGN_OR_RETURN(auto token, auth.IssueToken("admin", label, now, kBootstrapTokenLifetimeMs));
  std::string path = data_dir + "/admin-token";
  CL_RETURN_IF_ERROR(WritePrivate(path, token.token + "\n"));
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
    const bool outside = *role == http::Role::kPublisher || *role == http::Role::kEnterprise;
    http::User u{.name = d.name,
                 .role = *role,
                 .department = outside ? "" : d.department,
                 .agency = *role == http::Role::kPublisher
                               ? (d.department.empty() ? "hotline-12345" : d.department)
                               : "",
                 .display_name = d.display_name,
                 .enterprise = *role == http::Role::kEnterprise ? d.department : ""};
    u.acts_as = d.acts_as;
    Status s = api.auth().PutUser(u);
    if (s.ok()) s = RevokeDemoTokens(api.auth(), d.name);
    auto issued =
        s.ok() ? api.auth().IssueToken(d.name, "demo", WallClockMillis(), kDemoTokenLifetimeMs)
               : Result<http::IssuedToken>(s);
    if (!issued.ok()) {
      spdlog::error("demo user {}: {}", d.name, issued.status().ToString());
      continue;
    }
    const std::string* token = &issued->token;
    out["users"].push_back({{"name", u.name},
                            {"role", d.role},
                            // An enterprise's persona: its enterprise, where the others' unit is.
                            {"department", u.enterprise.empty() ? u.department : u.enterprise},
                            {"agency", u.agency},
                            {"enterprise", u.enterprise},
                            {"display_name", u.display_name},
                            {"acts_as", u.acts_as},
                            {"token", *token}});
    // The administrator's token is not printed (logs travel): it is in the file.
    lines.push_back(
        fmt::format("  {:<11} {:<28} {}", d.role, d.name,
                    *role == http::Role::kAdmin ? "(in demo-credentials.json)" : *token));
  }
  // The engine's staff directory takes in the personas before the sign-in page lists them,
  // so a head who signs in at once finds the department's people.
  if (Status synced = api.SyncStaffDirectory(); !synced.ok()) {
    spdlog::warn("staff directory after the demo's users: {}", synced.ToString());
  }
  Status w = WritePrivate(data_dir + "/demo-credentials.json", out.dump(2) + "\n");
  if (!w.ok()) spdlog::error("{}", w.ToString());
  return lines;
}

}  // namespace closeloop::app
