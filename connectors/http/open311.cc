// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) for the request/service
// loop, so existing civic clients work unchanged: services.json, services/{code}.json,
// requests.json (GET, POST) and requests/{id}.json, JSON format. A posted request becomes
// a ServiceRequest event; it answers with the ticket the engine opened for it.
// POST needs api_key = a publisher token allowed to publish ServiceRequest; GET is public
// and shows no personal data (no requester, no contact).
#include <chrono>
#include <cmath>
#include <thread>

#include "base/time_text.h"
#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/http/secrets.h"
#include "engine/queries.h"
#include "events/ids.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::http {
namespace {

struct Service {
  const char* code;
  const char* name;
  const char* name_zh;
  const char* description;
};

// The services the bureau offers (seed 003: 到点提醒、风险提醒、救援服务、保险办理、培训服务),
// with the codes workflows/service_request.wf knows.
constexpr Service kServices[] = {
    {"consultation", "Safety consultation", "安全咨询",
     "Questions about work-safety law, permits and obligations"},
    {"training", "Safety training", "培训服务",
     "Training for enterprise staff and safety officers"},
    {"rescue_service", "Rescue service", "救援服务",
     "Professional rescue support arranged for an enterprise"},
    {"insurance", "Safety liability insurance", "保险办理",
     "Help with work-safety liability insurance"},
    {"risk_reminder", "Risk reminder", "风险提醒",
     "Subscribe to seasonal and weather risk reminders"},
    {"deadline_reminder", "Deadline reminder", "到点提醒",
     "Reminders of inspection and certificate deadlines"},
    {"safety_assessment", "Safety assessment", "安全评估",
     "An on-site assessment of an enterprise's safety conditions"},
};

const Service* FindService(std::string_view code) {
  for (const auto& s : kServices) {
    if (code == s.code) return &s;
  }
  return nullptr;
}

json Open311Error(int code, const std::string& description) {
  return json::array({{{"code", code}, {"description", description}}});
}

std::string Iso(int64_t ms) {
  if (ms <= 0) return "";
  std::string t = FormatTime(ms);  // "2026-03-02 09:00:00 +08:00"
  return t.substr(0, 10) + "T" + t.substr(11, 8) + "+08:00";
}

}  // namespace

void Api::Impl::RegisterOpen311(httplib::Server& s) {
  auto reply = [](Call& c, int status, const json& body) {
    c.res.status = status;
    c.res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                      "application/json; charset=utf-8");
  };

  Route(s, "GET", "/open311/v2/services.json", kPublic, [reply](Call& c) {
    json out = json::array();
    for (const auto& svc : kServices) {
      out.push_back({{"service_code", svc.code},
                     {"service_name", svc.name},
                     {"description", svc.description},
                     {"metadata", false},
                     {"type", "realtime"},
                     {"keywords", svc.name_zh},
                     {"group", "work safety"}});
    }
    reply(c, 200, out);
  });

  Route(s, "GET", R"(/open311/v2/services/([a-z_]+)\.json)", kPublic, [reply](Call& c) {
    const Service* svc = FindService(c.req.matches[1].str());
    if (!svc) return reply(c, 404, Open311Error(404, "no service " + c.req.matches[1].str()));
    reply(c, 200, {{"service_code", svc->code}, {"attributes", json::array()}});
  });

  auto request_json = [this](const engine::Ticket& t) {
    std::string agency = world.With([&](const engine::World& w) {
      const auto* d = w.reference().FindDepartment(t.lead);
      return d ? d->name_en : t.lead;
    });
    std::string code = t.Fact("service").type() == dsl::ValueType::kString
                           ? t.Fact("service").as_string()
                           : t.category;
    const Service* svc = FindService(code);
    json r = {{"service_request_id", t.id},
              {"status", t.closed ? "closed" : "open"},
              {"status_notes", t.closed ? t.resolution : t.state},
              {"service_name", svc ? svc->name : code},
              {"service_code", code},
              {"agency_responsible", agency},
              {"service_notice", ""},
              {"requested_datetime", Iso(t.opened_at)},
              {"updated_datetime", Iso(t.closed ? t.closed_at : t.state_entered_at)},
              {"expected_datetime", Iso(t.deadline_at)},
              {"address", t.Fact("address").type() == dsl::ValueType::kString
                              ? t.Fact("address").as_string()
                              : std::string()},
              {"description", t.title}};
    return r;
  };

  Route(s, "GET", "/open311/v2/requests.json", kPublic, [this, reply, request_json](Call& c) {
    engine::TicketFilter f;
    f.loop = "request";
    f.limit = 1000;
    std::vector<std::string> ids;
    std::string list = c.Param("service_request_id");
    for (size_t at = 0; !list.empty() && at <= list.size();) {
      size_t comma = list.find(',', at);
      ids.push_back(list.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    std::string status = c.Param("status");
    if (!status.empty() && status != "open" && status != "closed") {
      return reply(c, 400, Open311Error(400, "status: open or closed"));
    }
    std::optional<int64_t> start, end;
    if (!c.Param("start_date").empty() && !(start = ParseTimeParam(c.Param("start_date")))) {
      return reply(c, 400, Open311Error(400, "start_date: a w3 datetime"));
    }
    if (!c.Param("end_date").empty() && !(end = ParseTimeParam(c.Param("end_date")))) {
      return reply(c, 400, Open311Error(400, "end_date: a w3 datetime"));
    }
    std::vector<engine::Ticket> found;
    if (!ids.empty()) {
      for (const auto& id : ids) {
        auto t = engine::FindTicket(*b.state, partitions, id);
        if (!t.ok()) return c.Fail(t.status());
        if (*t && (*t)->loop == "request") found.push_back(**t);
      }
    } else {
      auto all = engine::ListTickets(*b.state, partitions, f);
      if (!all.ok()) return c.Fail(all.status());
      found = std::move(*all);
      // Spec default: the last 90 days, newest first, at most 1000.
      if (!start && !end) start = b.engine_now() - 90LL * 86400000;
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.opened_at > b.opened_at; });
    json out = json::array();
    for (const auto& t : found) {
      if (!c.Param("service_code").empty() &&
          request_json(t)["service_code"] != c.Param("service_code"))
        continue;
      if (status == "open" && t.closed) continue;
      if (status == "closed" && !t.closed) continue;
      if (start && t.opened_at < *start) continue;
      if (end && t.opened_at > *end) continue;
      out.push_back(request_json(t));
    }
    reply(c, 200, out);
  });

  Route(s, "GET", R"(/open311/v2/requests/([0-9A-Za-z_.:\-]+)\.json)", kPublic,
        [this, reply, request_json](Call& c) {
          auto t = engine::FindTicket(*b.state, partitions, c.req.matches[1].str());
          if (!t.ok()) return c.Fail(t.status());
          if (!*t || (*t)->loop != "request") {
            return reply(c, 404, Open311Error(404, "no request " + c.req.matches[1].str()));
          }
          reply(c, 200, json::array({request_json(**t)}));
        });

  Route(s, "POST", "/open311/v2/requests.json", kPublic, [this, reply](Call& c) {
    if (QueryHas(c.req.target, "api_key")) {  // URLs end up in logs: the key goes in the form
      return reply(c, 401, Open311Error(401, "api_key: send it in the form body, not the URL"));
    }
    std::string key = c.Param("api_key");
    if (key.empty()) return reply(c, 403, Open311Error(403, "api_key: required"));
    auto who = auth.Authenticate(key, b.wall_now());
    if (!who.ok()) return c.Fail(who.status());
    if (!who->user) return reply(c, 403, Open311Error(403, "api_key: " + who->refusal));
    if (who->user->role != Role::kPublisher) {
      return reply(c, 403, Open311Error(403, "api_key: not a publisher key"));
    }
    const User& u = *who->user;
    if (!u.event_types.empty() && std::find(u.event_types.begin(), u.event_types.end(),
                                            "ServiceRequest") == u.event_types.end()) {
      return reply(c, 403, Open311Error(403, "api_key: may not submit service requests"));
    }
    c.user = u;
    std::string code = c.Param("service_code");
    if (!FindService(code)) return reply(c, 400, Open311Error(400, "service_code: unknown"));
    std::string address = c.Param("address_string");
    std::optional<double> lat, lon;
    if (!c.Param("lat").empty() || !c.Param("long").empty()) {
      try {
        lat = std::stod(c.Param("lat"));
        lon = std::stod(c.Param("long"));
      } catch (...) {
        return reply(c, 400, Open311Error(400, "lat, long: decimal degrees"));
      }
      if (std::fabs(*lat) > 90 || std::fabs(*lon) > 180) {
        return reply(c, 400, Open311Error(400, "lat, long: out of range"));
      }
    }
    if (!lat && address.empty()) {
      return reply(c, 400,
                   Open311Error(400, "a location is required: lat & long or address_string"));
    }
    // The district: attribute[jurisdiction] if given, else the nearest district centre.
    std::string jurisdiction = c.Param("attribute[jurisdiction]");
    if (jurisdiction.empty() && lat) {
      jurisdiction = world.With([&](const engine::World& w) {
        std::string best;
        double best_d = 1e18;
        for (const auto& [code, j] : w.reference().jurisdictions()) {
          if (j.level != engine::JurisdictionLevel::kDistrict) continue;
          double d = std::pow(j.location.lat - *lat, 2) + std::pow(j.location.lon - *lon, 2);
          if (d < best_d) best_d = d, best = code;
        }
        return best;
      });
    }
    std::string contact = !c.Param("email").empty() ? c.Param("email") : c.Param("phone");
    std::string name = c.Param("first_name");
    if (!c.Param("last_name").empty()) name += (name.empty() ? "" : " ") + c.Param("last_name");
    int64_t now = b.wall_now();
    std::string id = events::NewRandomId(now).ToString();
    json body = {{"service_code", code},
                 {"description", c.Param("description")},
                 {"requester", name},
                 {"requester_kind", "public"},
                 {"contact", contact},
                 {"channel", "web"},
                 {"address", address},
                 {"external_id", c.Param("device_id").empty() ? id : c.Param("device_id")}};
    if (lat) body["location"] = {{"lat", *lat}, {"lon", *lon}};
    json rec = {{"id", id},
                {"source", u.agency},
                {"subject", "open311/" + (contact.empty() ? id : contact)},
                {"jurisdiction", jurisdiction},
                {"occurred_at", now},
                {"actor", name.empty() ? "open311" : name},
                {"body_type", "ServiceRequest"},
                {"body", body}};
    file::IngressPreparer preparer(partitions);
    file::PreparedRecord prepared;
    std::vector<file::IngressError> errs;
    if (!preparer.Prepare(rec.dump(), 1, now, &prepared, &errs)) {
      return reply(c, 400, Open311Error(400, errs.front().field + ": " + errs.front().message));
    }
    auto acks = b.publish({{prepared.id, std::move(prepared.bytes), prepared.partitions}});
    if (!acks.ok()) return c.Fail(acks.status());
    const auto ack = acks->front();
    c.detail = "ServiceRequest " + id;
    // Wait for the engine to open (or attach to) a ticket; else answer with a token.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.command_wait_ms);
    while (b.decisions_visible && b.processed(ack.partition) <= ack.offset &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::string ticket;
    for (uint64_t from = ack.offset + 1, end = b.log->Head(ack.partition).end_offset;
         b.decisions_visible && from < end && ticket.empty();) {
      auto batch = b.log->Read(ack.partition, from, 1024);
      if (!batch.ok() || batch->empty()) break;
      for (const auto& stored : *batch) {
        from = stored.offset + 1;
        auto r = events::VerifyRecord(stored.bytes);
        if (!r.ok() || !(*r)->causation_id() || (*r)->causation_id()->string_view() != id) continue;
        if (auto* o = (*r)->body_as_TicketOpened()) ticket = o->ticket_id()->str();
        if (auto* a = (*r)->body_as_EventAttached()) ticket = a->ticket_id()->str();
        if (!ticket.empty()) break;
      }
    }
    if (ticket.empty()) {
      return reply(
          c, 201, json::array({{{"token", id}, {"service_notice", "recorded; not yet assigned"}}}));
    }
    reply(c, 201,
          json::array({{{"service_request_id", ticket},
                        {"service_notice", "recorded and routed"},
                        {"account_id", ""}}}));
  });
}

}  // namespace closeloop::http
