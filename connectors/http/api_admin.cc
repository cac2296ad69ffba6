// Administration (workflows, reference data, users and tokens, the manual clock) and what
// every signed-in caller may read about the system (who am I, deployed workflows,
// departments).
#include <spdlog/spdlog.h>

#include <set>

#include "base/time_text.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/http/json_body.h"
#include "dsl/compile.h"
#include "dsl/diagnostic.h"
#include "events/record_build.h"

namespace closeloop::http {
namespace {

// The body's optional "lifetime" (a duration: "12h", "30d"; at most 366 days) into
// `*lifetime_ms`, else `fallback`; false after answering 400 itself.
bool TokenLifetime(Call& c, int64_t* lifetime_ms, int64_t fallback) {
  *lifetime_ms = fallback;
  if (c.req.body.empty()) return true;
  JsonSyntaxError bad;
  auto parsed = ParseJsonBody(c.req.body, &bad);  // strict, depth-limited: never nlohmann first
  if (!parsed) {
    c.Error(400, "bad_json", bad.message, "", bad.line, bad.column);
    return false;
  }
  json body = std::move(*parsed);
  if (!body.is_object()) {
    c.Error(400, "bad_json",
            "expected a JSON object such as {\"label\": ..., \"lifetime\": \"30d\"}");
    return false;
  }
  if (!body.contains("lifetime")) return true;
  const json& v = body["lifetime"];
  auto d = v.is_string() ? ParseDuration(v.get<std::string>())
                         : Result<int64_t>(InvalidArgument("expected a duration such as \"30d\""));
  if (!d.ok()) {
    c.Error(400, "invalid", "lifetime: " + d.status().message(), "lifetime");
    return false;
  }
  if (*d < kMinTokenLifetimeMs || *d > kMaxTokenLifetimeMs) {
    c.Error(400, "invalid", "lifetime: from 1 second to 366 days", "lifetime");
    return false;
  }
  *lifetime_ms = *d;
  return true;
}

json IssuedJson(const IssuedToken& t, const std::string& revoked) {
  json out = {{"token", t.token},
              {"id", t.info.id},
              {"user", t.info.user},
              {"label", t.info.label},
              {"created_at", t.info.created_at},
              {"expires_at", t.info.expires_at},
              {"note", "shown once: the server keeps only its hash"}};
  if (!revoked.empty()) out["revoked"] = revoked;
  return out;
}

}  // namespace

// POST /v1/admin/workflows: a workflow's DSL text, compiled and checked, deployed when it has no
// errors (201 with its diagnostics), else 422 with them. POST /v1/admin/workflows/check
// (`dry_run`): the same compilation and the same admission, writing nothing; 200 with the
// diagnostics, whether it would deploy, and each workflow's normalised listing beside the
// deployed version's (dsl::Explain), for a diff before deploying.
void Api::Impl::DeployWorkflow(Call& c, bool dry_run) {
  auto body = c.BodyObject();
  if (!body) return;
  if (!body->contains("source") || !(*body)["source"].is_string()) {
    return c.Error(400, "invalid", "source: the workflow's DSL text", "source");
  }
  if (body->contains("file") && !(*body)["file"].is_string()) {
    return c.Error(400, "invalid", "file: a file name (a string)", "file");
  }
  std::string name = body->value("file", std::string("workflow.wf"));
  std::string source = (*body)["source"].get<std::string>();
  auto compiled = dsl::Compile({{name, source}});
  json diags = json::array();
  for (const auto& d : compiled.diagnostics) {
    auto lc = dsl::LocateOffset(source, d.offset);
    diags.push_back({{"severity", d.severity == dsl::DiagSeverity::kError ? "error" : "warning"},
                     {"code", d.code},
                     {"message", d.message},
                     {"line", lc.line},
                     {"column", lc.column}});
  }
  if (!compiled.ok()) {
    if (dry_run) {
      c.Json(200, {{"deployable", false}, {"diagnostics", diags}, {"workflows", json::array()}});
      return;
    }
    json first = diags.empty() ? json::object() : diags[0];
    c.Json(422, {{"error",
                  {{"status", 422},
                   {"code", "workflow_invalid"},
                   {"message", "the workflow does not compile; nothing was deployed"},
                   {"line", first.value("line", 0)},
                   {"column", first.value("column", 0)},
                   {"diagnostics", diags}}}});
    return;
  }
  std::vector<std::string> records;
  json deployed = json::array();
  for (const auto& wf : compiled.program->workflows) {
    records.push_back(events::WorkflowDeployedRecord("api/" + c.who().name, c.who().name, wf.name,
                                                     wf.version, source));
    deployed.push_back({{"name", wf.name}, {"version", wf.version}});
  }
  Status admitted = world.Admits(records);
  if (!admitted.ok() && admitted.code() != Code::kFailedPrecondition) return c.Fail(admitted);
  if (dry_run) {
    json listed = json::array();
    world.With([&](const engine::World& w) {
      for (const auto& wf : compiled.program->workflows) {
        dsl::Program mine, theirs;
        mine.workflows.push_back(wf);
        json one = {{"name", wf.name},
                    {"version", wf.version},
                    {"listing", dsl::Explain(mine, dsl::ExplainFormat::kText)}};
        if (const dsl::Workflow* now = w.Latest(wf.name)) {
          theirs.workflows.push_back(*now);
          one["deployed_version"] = now->version;
          one["deployed_listing"] = dsl::Explain(theirs, dsl::ExplainFormat::kText);
        }
        listed.push_back(std::move(one));
      }
      return 0;
    });
    json out = {{"deployable", admitted.ok()}, {"diagnostics", diags}, {"workflows", listed}};
    if (!admitted.ok()) out["refused"] = admitted.message();
    c.Json(200, out);
    return;
  }
  if (!admitted.ok()) {
    return c.Error(422, "refused", admitted.message() + "; nothing was deployed");
  }
  Status s = b.append_control(records);
  if (!s.ok()) return c.Fail(s);
  c.detail = deployed.dump();
  const bool applied = AwaitControlApplied();
  c.Json(201, {{"deployed", deployed}, {"diagnostics", diags}, {"applied", applied}});
}

void Api::Impl::RegisterAdmin(httplib::Server& s) {
  const uint32_t admin = Roles({Role::kAdmin});
  const uint32_t signed_in =
      Roles({Role::kPublisher, Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kAuditor,
             Role::kAdmin, Role::kEnterprise});

  Route(s, "GET", "/v1/me", signed_in, [](Call& c) {
    json me = json::parse(c.who().ToJson());
    me["token"] = {
        {"id", c.token.id}, {"label", c.token.label}, {"expires_at", c.token.expires_at}};
    c.Json(200, me);
  });

  // Rotation by the token's holder: a new token (same label and lifetime, or "lifetime")
  // replaces the one this request carries, which stops working at once.
  Route(s, "POST", "/v1/me/token/rotate", signed_in, [this](Call& c) {
    int64_t lifetime = 0;
    if (!TokenLifetime(c, &lifetime, 0)) return;
    auto issued = auth.RotateToken(c.token_hash, b.wall_now(), lifetime);
    if (!issued.ok()) return c.Fail(issued.status());
    c.detail = "token " + c.token.id + " -> " + issued->info.id;
    c.res.set_header("Cache-Control", "no-store");
    c.Json(201, IssuedJson(*issued, c.token.id));
  });

  Route(s, "GET", "/v1/workflows", signed_in, [this](Call& c) {
    json out = json::array();
    json categories = json::array();  // the hazard classes of the reference data
    world.With([&](const engine::World& w) {
      for (const dsl::Workflow* wf : w.LatestAll()) {
        json states = json::array();
        for (const auto& st : wf->states) {
          states.push_back({{"name", st.name},
                            {"title", st.title_en},
                            {"title_zh", st.title_zh},
                            {"terminal", st.terminal}});
        }
        // What the console names in the user's language: the declared verbs, the services
        // (a request's category is its service code) and the declared facts.
        json verbs = json::array();
        for (const auto& v : wf->verb_decls) {
          verbs.push_back({{"name", v.name}, {"title", v.title_en}, {"title_zh", v.title_zh}});
        }
        json services = json::array();
        for (const auto& sv : wf->services) {
          services.push_back(
              {{"code", sv.code}, {"title", sv.title_en}, {"title_zh", sv.title_zh}});
        }
        json facts = json::array();
        for (const auto& f : wf->facts) {
          if (!f.builtin) facts.push_back(f.name);
        }
        out.push_back({{"name", wf->name},
                       {"version", wf->version},
                       {"loop", dsl::LoopName(wf->loop)},
                       {"title", wf->title_en},
                       {"title_zh", wf->title_zh},
                       {"states", states},
                       {"verbs", verbs},
                       {"services", services},
                       {"facts", facts}});
      }
      for (const auto& [id, hc] : w.reference().hazard_classes()) {
        categories.push_back({{"id", hc.id}, {"name", hc.name_en}, {"name_zh", hc.name_zh}});
      }
      return 0;
    });
    c.Json(200, {{"workflows", out}, {"categories", categories}, {"time_zone", CityZone()}});
  });

  Route(s, "GET", "/v1/departments", signed_in, [this](Call& c) {
    json out = json::array();
    world.With([&](const engine::World& w) {
      for (const auto& [id, d] : w.reference().departments()) {
        out.push_back({{"id", d.id},
                       {"name", d.name_en},
                       {"name_zh", d.name_zh},
                       {"district", d.district},
                       {"jurisdiction", d.jurisdiction},
                       {"parent", d.parent},
                       {"kind", d.kind}});
      }
      return 0;
    });
    c.Json(200, {{"departments", out}});
  });

  // The routing tables the deployed workflows route by, each at its latest version, as rows.
  Route(s, "GET", "/v1/admin/routing-tables", admin, [this](Call& c) {
    json out = json::array();
    world.With([&](const engine::World& w) {
      std::set<std::string> names;
      for (const dsl::Workflow* wf : w.LatestAll()) {
        if (wf->routing && !wf->routing->table.empty()) names.insert(wf->routing->table);
      }
      for (const auto& name : names) {
        const engine::RoutingTable* table = w.reference().Routing(name);
        json one = {{"name", name}};
        if (table == nullptr) {
          one["missing"] = true;  // the workflows fall back until it is published
          out.push_back(std::move(one));
          continue;
        }
        json rows = json::array();
        for (const auto& r : table->rows()) {
          json match = json::object();
          for (const auto& [col, v] : r.match) match[col] = v;
          rows.push_back(
              {{"match", match}, {"lead", r.lead}, {"assist", r.assist}, {"rule", r.rule}});
        }
        one["version"] = table->version();
        one["columns"] = table->columns();
        one["fallback"] = table->fallback();
        one["rows"] = std::move(rows);
        out.push_back(std::move(one));
      }
      return 0;
    });
    c.Json(200, {{"routing_tables", out}});
  });

  Route(s, "POST", "/v1/admin/workflows", admin, [this](Call& c) { DeployWorkflow(c, false); });
  Route(s, "POST", "/v1/admin/workflows/check", admin,
        [this](Call& c) { DeployWorkflow(c, true); });

  Route(s, "POST", "/v1/admin/reference-data", admin, [this](Call& c) {
    std::string ct = c.req.get_header_value("Content-Type");
    if (ct.rfind("application/json", 0) != 0) {
      return c.Error(415, "unsupported_media_type", "send application/json");
    }
    JsonSyntaxError bad;
    auto parsed = ParseJsonBody(c.req.body, &bad);
    if (!parsed) return c.Error(400, "bad_json", bad.message, "", bad.line, bad.column);
    json body = std::move(*parsed);
    if (!body.is_array()) body = json::array({std::move(body)});
    std::vector<std::string> records;
    for (size_t i = 0; i < body.size(); ++i) {
      json& r = body[i];
      const json* t = r.is_object() && r.contains("body_type") ? &r["body_type"] : nullptr;
      std::string type = t != nullptr && t->is_string() ? t->get<std::string>() : "";
      if (type != "ReferenceDataUpdated" && type != "RoutingTableUpdated" &&
          type != "CalendarUpdated") {
        return c.Error(400, "invalid",
                       "record " + std::to_string(i) +
                           ": body_type must be ReferenceDataUpdated, RoutingTableUpdated or "
                           "CalendarUpdated",
                       "body_type");
      }
      if (!r.contains("source")) r["source"] = "api/" + c.who().name;
      r["actor"] = c.who().name;
      // The administrator's JSON, decoded once here with the schema (the record's own
      // position in the body is what a problem names).
      events::DecodeError bad_record;
      auto bytes = JsonCodecForThread().FromJson(r.dump(), &bad_record);
      if (!bytes.ok()) {
        return c.Fail(InvalidArgument("record " + std::to_string(i) + ": " +
                                      (bad_record.field.empty() ? "" : bad_record.field + ": ") +
                                      bad_record.message));
      }
      records.push_back(std::move(*bytes));
    }
    if (Status admitted = world.Admits(records); !admitted.ok()) {
      if (admitted.code() != Code::kFailedPrecondition) return c.Fail(admitted);
      return c.Error(422, "refused", admitted.message() + "; nothing was recorded");
    }
    Status s = b.append_control(records);
    if (!s.ok()) return c.Fail(s);
    c.detail = std::to_string(records.size()) + " record(s)";
    const bool applied = AwaitControlApplied();
    c.Json(201, {{"recorded", records.size()}, {"applied", applied}});
  });

  Route(s, "POST", "/v1/admin/clock", admin, [this](Call& c) {
    if (!b.advance_clock) {
      return c.Error(409, "wall_clock",
                     "the server runs a wall clock; start it with --clock manual");
    }
    auto body = c.BodyObject();
    if (!body) return;
    int64_t now = b.engine_now(), to = 0;
    if (body->contains("to") && (*body)["to"].is_string()) {
      auto t = ParseTimeParam((*body)["to"].get<std::string>(), CityZone());
      if (!t) return c.Error(400, "invalid", "to: an ISO 8601 time", "to");
      to = *t;
    } else if (body->contains("by") && (*body)["by"].is_string()) {
      auto d = ParseDuration((*body)["by"].get<std::string>());
      if (!d.ok()) return c.Error(400, "invalid", "by: " + d.status().message(), "by");
      to = now + *d;
    } else {
      return c.Error(400, "invalid", "give \"to\" (a time) or \"by\" (a duration such as 2h)");
    }
    if (to < now) return c.Error(409, "backwards", "time does not go backwards", "to");
    Status s = b.advance_clock(to);
    if (!s.ok()) return c.Fail(s);
    c.detail = std::to_string(to);
    c.Json(200, {{"from", now}, {"to", to}});
  });

  Route(s, "GET", "/v1/admin/users", admin, [this](Call& c) {
    auto users = auth.ListUsers();
    if (!users.ok()) return c.Fail(users.status());
    json out = json::array();
    for (const auto& u : *users) out.push_back(json::parse(u.ToJson()));
    c.Json(200, {{"users", out}});
  });

  auto put_user = [this](Call& c, bool create) {
    if (auto bad = CheckJson(c.req.body, kBodyJsonLimits)) {
      return c.Error(400, "bad_json", bad->message, "", bad->line, bad->column);
    }
    auto user = User::FromJson(c.req.body);
    if (!user.ok()) {
      const std::string& m = user.status().message();
      auto colon = m.find(':');
      return c.Error(400, "invalid", m, colon == std::string::npos ? "" : m.substr(0, colon));
    }
    if (!create && c.req.matches.size() > 1 && user->name != c.req.matches[1].str()) {
      return c.Error(400, "invalid", "name: must match the path", "name");
    }
    auto existing = auth.GetUser(user->name);
    if (!existing.ok()) return c.Fail(existing.status());
    if (create && *existing)
      return c.Error(409, "exists", "user " + user->name + " exists", "name");
    if (!create && !*existing) return c.Error(404, "not_found", "no user " + user->name);
    // The department must be one of the departments table in effect (the engine would
    // refuse every claim made for one it does not know).
    if (!user->department.empty() && !world.With([&](const engine::World& w) {
          return w.reference().FindDepartment(user->department) != nullptr;
        })) {
      return c.Error(422, "unknown_department",
                     "department: " + user->department +
                         " is not in the departments table in effect (GET /v1/departments)",
                     "department");
    }
    // An enterprise user's enterprise, a grid inspector's grid: of the reference data in
    // effect, or the engine would refuse every action they take.
    std::string unknown = world.With([&](const engine::World& w) {
      if (!user->enterprise.empty() && w.reference().FindEnterprise(user->enterprise) == nullptr) {
        return "enterprise: " + user->enterprise +
               " is not in the enterprises table in effect (GET /v1/places/enterprises)";
      }
      const engine::Jurisdiction* g =
          user->grid.empty() ? nullptr : w.reference().FindJurisdiction(user->grid);
      if (!user->grid.empty() && (g == nullptr || g->level != engine::JurisdictionLevel::kGrid)) {
        return "grid: " + user->grid + " is not a grid of the jurisdictions table in effect";
      }
      return std::string();
    });
    if (!unknown.empty()) {
      const std::string field = unknown.substr(0, unknown.find(':'));
      return c.Error(422, "unknown_" + field, unknown, field);
    }
    Status s = auth.PutUser(*user);
    if (!s.ok()) return c.Fail(s);
    // The engine's staff directory follows (assignments are checked against it); when it
    // cannot be recorded now, the next assignment or people listing records it.
    if (Status synced = SyncStaffDirectory(); !synced.ok()) {
      spdlog::warn("staff directory after user {}: {}", user->name, synced.ToString());
    }
    c.detail = user->name;
    c.Json(create ? 201 : 200, json::parse(user->ToJson()));
  };
  Route(s, "POST", "/v1/admin/users", admin, [put_user](Call& c) { put_user(c, true); });
  Route(s, "PUT", R"(/v1/admin/users/([a-z0-9._\-]+))", admin,
        [put_user](Call& c) { put_user(c, false); });
  Route(s, "DELETE", R"(/v1/admin/users/([a-z0-9._\-]+))", admin, [this](Call& c) {
    Status s = auth.DisableUser(c.req.matches[1].str());
    if (!s.ok()) return c.Fail(s);
    if (Status synced = SyncStaffDirectory(); !synced.ok()) {
      spdlog::warn("staff directory after disabling {}: {}", c.req.matches[1].str(),
                   synced.ToString());
    }
    c.detail = c.req.matches[1].str();
    c.Json(200, {{"disabled", c.req.matches[1].str()}});
  });
  Route(s, "POST", R"(/v1/admin/users/([a-z0-9._\-]+)/tokens)", admin, [this](Call& c) {
    int64_t lifetime = 0;
    if (!TokenLifetime(c, &lifetime, kDefaultTokenLifetimeMs)) return;
    json body = json::object();
    if (!c.req.body.empty()) {
      JsonSyntaxError bad;
      auto parsed = ParseJsonBody(c.req.body, &bad);
      if (!parsed) return c.Error(400, "bad_json", bad.message, "", bad.line, bad.column);
      body = std::move(*parsed);
    }
    if (!body.is_object()) return c.Error(400, "bad_json", "expected {\"label\": ...}");
    if (body.contains("label") && !body["label"].is_string()) {
      return c.Error(400, "invalid", "label: a string", "label");
    }
    std::string label = body.value("label", "");
    auto issued = auth.IssueToken(c.req.matches[1].str(), label, b.wall_now(), lifetime);
    if (!issued.ok()) return c.Fail(issued.status());
    c.detail = c.req.matches[1].str() + " token " + issued->info.id;
    c.res.set_header("Cache-Control", "no-store");
    c.Json(201, IssuedJson(*issued, ""));
  });
  Route(s, "GET", R"(/v1/admin/users/([a-z0-9._\-]+)/tokens)", admin, [this](Call& c) {
    auto tokens = auth.ListTokens(c.req.matches[1].str());
    if (!tokens.ok()) return c.Fail(tokens.status());
    json out = json::array();
    int64_t now = b.wall_now();
    for (const auto& t : *tokens) {
      out.push_back({{"id", t.id},
                     {"label", t.label},
                     {"created_at", t.created_at},
                     {"expires_at", t.expires_at},
                     {"expired", t.expires_at <= now}});
    }
    c.Json(200, {{"tokens", out}});
  });
  Route(s, "DELETE", R"(/v1/admin/tokens/([0-9a-f]+))", admin, [this](Call& c) {
    Status s = auth.RevokeToken(c.req.matches[1].str());
    if (!s.ok()) return c.Fail(s);
    c.detail = c.req.matches[1].str();
    c.Json(200, {{"revoked", c.req.matches[1].str()}});
  });
  // Filtered by user, ticket and time, in cursor pages (access_log.h: AccessFilter).
  Route(s, "GET", "/v1/admin/access-log", Roles({Role::kAdmin, Role::kAuditor}), [this](Call& c) {
    AccessFilter f;
    for (auto [name, to] : {std::pair{"since", &f.since}, {"until", &f.until}}) {
      if (c.Param(name).empty()) continue;
      auto t = ParseTimeParam(c.Param(name), CityZone());
      if (!t) return c.Error(400, "invalid", std::string(name) + ": a time", name);
      *to = *t;
    }
    if (f.until < f.since) return c.Error(400, "invalid", "until: before since", "until");
    auto limit = ParseInt(c.Param("limit"), 100, 1, 1000);
    if (!limit) return c.Error(400, "invalid", "limit: 1 to 1000", "limit");
    f.limit = static_cast<size_t>(*limit);
    f.user = c.Param("user");
    f.ticket = c.Param("ticket");
    f.cursor = c.Param("cursor");
    auto page = access.Find(f);
    if (!page.ok() && page.status().code() == Code::kInvalidArgument) {
      return c.Error(400, "invalid", page.status().message(), "cursor");
    }
    if (!page.ok()) return c.Fail(page.status());
    json out = json::array();
    for (const auto& e : page->entries) out.push_back(json::parse(e, nullptr, false));
    json body = {{"entries", out}};
    if (!page->next_cursor.empty()) body["next_cursor"] = page->next_cursor;
    c.Json(200, body);
  });
}

}  // namespace closeloop::http
