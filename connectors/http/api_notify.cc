// Notifications (docs/operations.md, "Notifications"): the subscription table, published as
// a versioned control record after it validates; what waits in the outbox; the deliverer's
// dead letters, listed and replayed by an administrator.
#include "connectors/http/api_internal.h"
#include "connectors/http/json_body.h"
#include "connectors/notify/deliverer.h"
#include "engine/notify_rules.h"

namespace closeloop::http {
namespace {

// "subscriptions[0].to[1]: ..." -> "subscriptions[0].to[1]"
std::string FieldOf(const std::string& message) {
  size_t colon = message.find(": ");
  return colon == std::string::npos ? "" : message.substr(0, colon);
}

}  // namespace

void Api::Impl::RegisterNotify(httplib::Server& s) {
  const uint32_t admin = Roles({Role::kAdmin});

  Route(s, "GET", "/v1/admin/notify/subscriptions", admin, [this](Call& c) {
    json out = world.With([](const engine::World& w) -> json {
      const engine::NotifyTable* t = w.notify();
      if (t == nullptr) return {{"version", 0}, {"subscriptions", json::array()}};
      json doc = json::parse(t->source_json());
      doc["version"] = t->version();
      return doc;
    });
    c.Json(200, out);
  });

  Route(s, "PUT", "/v1/admin/notify/subscriptions", admin, [this](Call& c) {
    auto body = c.BodyObject();
    if (!body) return;
    if (!body->contains("version") || !(*body)["version"].is_number_unsigned() ||
        (*body)["version"].get<uint64_t>() == 0 ||
        (*body)["version"].get<uint64_t>() > UINT32_MAX) {
      return c.Error(422, "invalid", "version: a positive integer, newer than the one in effect",
                     "version");
    }
    const uint32_t version = (*body)["version"].get<uint32_t>();
    json content = *body;
    content.erase("version");
    std::string text = content.dump();
    auto table = engine::NotifyTable::Parse(text, version);
    if (!table.ok()) {
      const std::string& m = table.status().message();
      return c.Error(422, "subscriptions_invalid", m + "; nothing was published", FieldOf(m));
    }
    uint32_t current = world.With(
        [](const engine::World& w) -> uint32_t { return w.notify() ? w.notify()->version() : 0; });
    if (version <= current) {
      return c.Error(409, "stale_version",
                     "version " + std::to_string(version) + " is not newer than the version " +
                         "in effect " + std::to_string(current),
                     "version");
    }
    json rec = {{"source", "api/" + c.who().name},
                {"actor", c.who().name},
                {"body_type", "ReferenceDataUpdated"},
                {"body",
                 {{"table_name", std::string(engine::kNotifyTableName)},
                  {"version", version},
                  {"content_json", text}}}};
    Status appended = b.append_control({rec.dump()});
    if (!appended.ok()) return c.Fail(appended);
    c.detail = "notify_subscriptions v" + std::to_string(version);
    c.Json(201, {{"version", version}, {"subscriptions", table->subscriptions().size()}});
  });

  Route(s, "GET", "/v1/admin/notify/outbox", admin, [this](Call& c) {
    if (b.notify == nullptr) {
      return c.Error(409, "notify_off", "this server runs no deliverer (Kafka mode)");
    }
    auto pending = b.notify->Pending(1000);
    if (!pending.ok()) return c.Fail(pending.status());
    json out = json::array();
    for (const auto& d : *pending) out.push_back(json::parse(d));
    c.Json(200, {{"deliveries", out}});
  });

  Route(s, "GET", "/v1/admin/notify/dead-letters", admin, [this](Call& c) {
    if (b.notify == nullptr) {
      return c.Error(409, "notify_off", "this server runs no deliverer (Kafka mode)");
    }
    auto dead = b.notify->DeadLetters();
    if (!dead.ok()) return c.Fail(dead.status());
    json out = json::array();
    for (const auto& d : *dead) {
      json j = json::parse(d);
      j.erase("status");
      out.push_back(std::move(j));
    }
    c.Json(200, {{"dead_letters", out}});
  });

  Route(s, "POST", R"(/v1/admin/notify/dead-letters/([A-Za-z0-9._\-]+)/replay)", admin,
        [this](Call& c) {
          if (b.notify == nullptr) {
            return c.Error(409, "notify_off", "this server runs no deliverer (Kafka mode)");
          }
          std::string id = c.req.matches[1];
          Status s = b.notify->Replay(id);
          if (!s.ok()) return c.Fail(s);
          c.detail = id;
          c.Json(200, {{"replayed", id}});
        });
}

}  // namespace closeloop::http
