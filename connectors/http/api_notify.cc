// Notifications (docs/operations.md, "Notifications", "Duty rosters"): the subscription and
// roster tables, each published as a versioned control record after it validates; what
// waits in the outbox; the deliverer's dead letters, listed and replayed by an
// administrator; the acknowledgement of a duty page, recorded for the engine to decide.
#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/json_body.h"
#include "connectors/notify/deliverer.h"
#include "engine/duty.h"
#include "engine/notify_rules.h"
#include "events/record_build.h"

namespace closeloop::http {
namespace {

// "subscriptions[0].to[1]: ..." -> "subscriptions[0].to[1]"
std::string FieldOf(const std::string& message) {
  size_t colon = message.find(": ");
  return colon == std::string::npos ? "" : message.substr(0, colon);
}

}  // namespace

void Api::Impl::PutVersionedTable(Call& c, const VersionedTable& t) {
  auto body = c.BodyObject();
  if (!body) return;
  if (!body->contains("version") || !(*body)["version"].is_number_unsigned() ||
      (*body)["version"].get<uint64_t>() == 0 || (*body)["version"].get<uint64_t>() > UINT32_MAX) {
    return c.Error(422, "invalid", "version: a positive integer, newer than the one in effect",
                   "version");
  }
  const uint32_t version = (*body)["version"].get<uint32_t>();
  json content = *body;
  content.erase("version");
  std::string text = content.dump();
  Result<size_t> entries = t.parse(text, version);
  if (!entries.ok()) {
    const std::string& m = entries.status().message();
    return c.Error(422, t.invalid_code, m + "; nothing was published", FieldOf(m));
  }
  const uint32_t current = world.With(t.current);
  if (version <= current) {
    return c.Error(409, "stale_version",
                   "version " + std::to_string(version) + " is not newer than the version " +
                       "in effect " + std::to_string(current),
                   "version");
  }
  events::fb::ReferenceDataUpdatedT table;
  table.table_name = t.name;
  table.version = version;
  table.content_json = text;
  events::fb::RecordT rec;
  rec.source = "api/" + c.who().name;
  rec.actor = c.who().name;
  rec.body.Set(std::move(table));
  const std::string record = events::PackRecord(std::move(rec));
  // What only the World knows (the calendars named, the rosters subscriptions name).
  if (Status admitted = world.Admits({record}); !admitted.ok()) {
    // "record 0: <table> v<N>: <field>: <why>" -> "<field>: <why>", the field apart.
    std::string m = admitted.message();
    for (const std::string& prefix :
         {std::string("record 0: "), t.name + " v" + std::to_string(version) + ": "}) {
      if (m.starts_with(prefix)) m.erase(0, prefix.size());
    }
    const std::string field = FieldOf(m);
    const bool is_field = field.find(' ') == std::string::npos;
    return c.Error(422, "refused", m + "; nothing was published", is_field ? field : "");
  }
  Status appended = b.append_control({record});
  if (!appended.ok()) return c.Fail(appended);
  c.detail = t.name + " v" + std::to_string(version);
  const bool applied = AwaitControlApplied();  // the next PUT is judged against this one
  c.Json(201, {{"version", version}, {t.count_key, *entries}, {"applied", applied}});
}

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
    PutVersionedTable(
        c, {std::string(engine::kNotifyTableName), "subscriptions_invalid", "subscriptions",
            [](const std::string& text, uint32_t version) -> Result<size_t> {
              CL_ASSIGN_OR_RETURN(auto table, engine::NotifyTable::Parse(text, version));
              return table.subscriptions().size();
            },
            [](const engine::World& w) -> uint32_t {
              return w.notify() ? w.notify()->version() : 0;
            }});
  });

  Route(s, "GET", "/v1/admin/notify/rosters", admin, [this](Call& c) {
    json out = world.With([](const engine::World& w) -> json {
      const engine::RosterTable* t = w.rosters();
      if (t == nullptr) return {{"version", 0}, {"rosters", json::array()}};
      json doc = json::parse(t->source_json());
      doc["version"] = t->version();
      return doc;
    });
    c.Json(200, out);
  });

  Route(s, "PUT", "/v1/admin/notify/rosters", admin, [this](Call& c) { PutRosters(c); });

  // Public: the link in a page carries its own credential (?token=); without one, the
  // recipient signs in (Authorization: Bearer) and must be the person the page went to.
  Route(s, "POST", R"(/v1/notify/deliveries/([A-Za-z0-9._\-]+)/ack)", kPublic,
        [this](Call& c) { AckPage(c); });
  // What the link in a message opens: a page with one button that POSTs the acknowledgement
  // (a GET changes nothing, so a mail scanner fetching the link acknowledges nothing).
  Route(s, "GET", R"(/v1/notify/deliveries/([A-Za-z0-9._\-]+)/ack)", kPublic, [](Call& c) {
    std::string id = c.req.matches[1];
    std::string token = c.req.get_param_value("token");
    if (token.find_first_not_of("0123456789abcdef") != std::string::npos) token.clear();
    c.res.set_content(
        "<!doctype html><meta charset=utf-8><meta name=viewport "
        "content='width=device-width'><title>Acknowledge</title>"
        "<form method=post action='/v1/notify/deliveries/" +
            id + "/ack?token=" + token + "'><p>确认收到此值班通知 / Acknowledge this duty page: " +
            id + "</p><button type=submit>确认 / Acknowledge</button></form>\n",
        "text/html; charset=utf-8");
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

void Api::Impl::PutRosters(Call& c) {
  PutVersionedTable(c, {std::string(engine::kRosterTableName), "rosters_invalid", "rosters",
                        [](const std::string& text, uint32_t version) -> Result<size_t> {
                          CL_ASSIGN_OR_RETURN(auto table,
                                              engine::RosterTable::Parse(text, version));
                          return table.rosters().size();
                        },
                        [](const engine::World& w) -> uint32_t {
                          return w.rosters() ? w.rosters()->version() : 0;
                        }});
}

void Api::Impl::AckPage(Call& c) {
  const std::string id = c.req.matches[1];
  const std::string page_id = id.substr(0, id.find('.'));
  std::optional<json> chain;
  uint32_t partition = 0;
  for (uint32_t p = 0; p < partitions && !chain; ++p) {
    auto found = engine::duty::ChainOfPage(*b.state, p, page_id);
    if (!found.ok()) return c.Fail(found.status());
    if (*found) {
      chain = std::move(*found);
      partition = p;
    }
  }
  if (!chain || id != page_id + "." + chain->value("subscription", "")) {
    return c.Error(404, "not_found", "no duty page " + id);
  }
  std::string person;
  for (const auto& page : (*chain)["pages"]) {
    if (page.value("id", "") == page_id) person = page.value("person", "");
  }
  std::string via, actor;
  if (c.req.has_param("token")) {
    if (b.notify == nullptr || !b.notify->AckTokenValid(id, c.req.get_param_value("token"))) {
      return c.Error(401, "invalid_token", "this link's token is not the one of page " + id,
                     "token");
    }
    via = "token";
    actor = "ack-link";
  } else {
    if (!SignIn(c, "POST", "/v1/notify/deliveries/{id}/ack", kAnyRole)) return;
    const std::string roster = chain->value("roster", "");
    std::string user = world.With([&](const engine::World& w) -> std::string {
      const engine::Roster* r = w.rosters() ? w.rosters()->Find(roster) : nullptr;
      const engine::RosterPerson* who = r ? r->Person(person) : nullptr;
      return who ? who->user : "";
    });
    if (user.empty() || user != c.who().name) {
      return c.Error(403, "forbidden",
                     "page " + id + " went to '" + person + "' of roster '" + roster +
                         "'; only that person's user (or the link in the message) acknowledges it");
    }
    via = "user";
    actor = c.who().name;
  }
  if (chain->value("status", "") == "acknowledged") {
    return c.Error(409, "already_acknowledged",
                   "the page chain " + chain->value("chain_id", "") + " was acknowledged by " +
                       chain->value("acknowledged_by", "") + " already");
  }
  const int64_t now = b.wall_now();
  events::fb::PageAcknowledgementT ack;
  ack.delivery_id = id;
  ack.via = via;
  events::fb::RecordT rec;
  rec.source = "api";
  rec.subject = chain->value("subject", "");
  rec.jurisdiction = chain->value("jurisdiction", "");
  rec.occurred_at = now;
  rec.actor = actor;
  rec.body.Set(std::move(ack));
  file::PublishPolicy policy;  // the server's own record, like a staff command
  policy.staff_commands = true;
  file::IngressPreparer preparer(partitions, policy);
  file::PreparedRecord prepared;
  std::vector<file::IngressError> errs;
  if (!preparer.PrepareRecord(events::PackRecord(std::move(rec)), now, &prepared, &errs)) {
    return c.Error(400, "invalid", errs.front().message, errs.front().field);
  }
  prepared.partitions = {partition};  // where the chain is: its processor decides
  auto acks = b.publish({{prepared.id, std::move(prepared.bytes), prepared.partitions}});
  if (!acks.ok()) return c.Fail(acks.status());
  c.detail = "ack " + id + " via " + via;
  AwaitProcessed(acks->front());
  auto after = engine::duty::ChainOfPage(*b.state, partition, page_id);
  if (!after.ok()) return c.Fail(after.status());
  json out = {{"delivery_id", id},
              {"chain_id", chain->value("chain_id", "")},
              {"person", person},
              {"via", via}};
  if (*after && (**after).value("status", "") == "acknowledged") {
    out["status"] = "acknowledged";
    out["acknowledged_by"] = (**after).value("acknowledged_by", "");
    return c.Json(200, out);
  }
  out["status"] = "pending";
  c.Json(202, out);
}

}  // namespace closeloop::http
