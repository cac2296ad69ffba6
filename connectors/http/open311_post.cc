// Open311 POST requests: a form (urlencoded or multipart) from a client holding a publisher
// token as api_key becomes one ServiceRequest event, answered with the ticket the engine
// opened for it, or with a token while the engine has not decided yet.
//
// A resend does not open a second ticket: the event's id is derived from the publisher and
// either the client's own `client_request_id` (forever) or the form's content (for
// kResendWindowMs); the ingress boundary records one event per id.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "connectors/file/ingress.h"
#include "connectors/http/open311_internal.h"
#include "connectors/http/secrets.h"
#include "events/ids.h"
#include "events/log.h"
#include "events/record.h"
#include "events/record_build.h"

namespace closeloop::http::open311 {
namespace {

constexpr int64_t kResendWindowMs = 10 * 60 * 1000;
constexpr size_t kMaxFields = 64;
constexpr size_t kMaxValueBytes = 4000;  // the spec's limit on description; ours on every field
constexpr size_t kMaxUrlBytes = 2000;

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

// The form's fields, urlencoded or multipart alike (first value of a repeated name).
std::map<std::string, std::string> FormFields(const httplib::Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.params) out.emplace(k, v);
  for (const auto& [k, f] : req.files) {
    if (f.filename.empty()) out.emplace(k, f.content);
  }
  return out;
}

// Decimal degrees in [-limit, limit]; the error names the field.
std::optional<double> Degrees(const std::string& text, double limit, std::string* why) {
  if (text.empty()) {
    *why = "required with the other coordinate";
    return std::nullopt;
  }
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || text.front() == ' ' || !std::isfinite(v)) {
    *why = "'" + text + "' is not a number of decimal degrees";
    return std::nullopt;
  }
  if (std::fabs(v) > limit) {
    *why = "must be within [-" + std::to_string(static_cast<int>(limit)) + ", " +
           std::to_string(static_cast<int>(limit)) + "]";
    return std::nullopt;
  }
  return v;
}

std::string NearestDistrict(Api::Impl& im, double lat, double lon) {
  return im.world.With([&](const engine::World& w) {
    std::string best;
    double best_d = 1e18;
    for (const auto& [code, j] : w.reference().jurisdictions()) {
      if (j.level != engine::JurisdictionLevel::kDistrict) continue;
      double d = std::pow(j.location.lat - lat, 2) + std::pow(j.location.lon - lon, 2);
      if (d < best_d) best_d = d, best = code;
    }
    return best;
  });
}

// The record id for this submission (see the file comment), and an earlier id it may
// repeat: the previous content window's, which the caller checks for age.
struct Ids {
  std::string id;
  std::string previous;  // "" when the client chose the id
  int64_t time_ms = 0;
};

Ids SubmissionIds(const std::string& publisher, const std::map<std::string, std::string>& form,
                  int64_t now) {
  auto client = form.find("client_request_id");
  if (client != form.end() && !client->second.empty()) {
    std::string cause = "open311\x1f" + publisher +
                        "\x1f"
                        "client\x1f" +
                        client->second;
    return {events::DeriveId(0, cause, 0).ToString(), "", now};
  }
  std::string cause = "open311\x1f" + publisher;
  for (const auto& [k, v] : form) {
    if (k != "api_key") cause += "\x1f" + k + "=" + v;
  }
  int64_t bucket = now / kResendWindowMs;
  return {events::DeriveId(bucket * kResendWindowMs, cause, 0).ToString(),
          events::DeriveId((bucket - 1) * kResendWindowMs, cause, 0).ToString(), now};
}

// POST /open311/v2/requests.(json|xml): a form becomes one ServiceRequest event.
void PostRequest(Api::Impl& im, Call& c) {
  Format f = *ParseFormat(c.req.matches[1].str());
  auto bad = [&](const std::string& why) { ReplyError(c.res, f, 400, why); };
  if (c.req.params.size() + c.req.files.size() > kMaxFields)
    return bad("too many form fields (at most " + std::to_string(kMaxFields) + ")");
  for (const auto& [k, file] : c.req.files) {
    if (!file.filename.empty())
      return bad(k + ": media uploads are not enabled on this server; send media_url");
  }
  const auto form = FormFields(c.req);
  for (const auto& [k, v] : form) {
    if (k.size() > 100 || !ValidUtf8(k)) return bad("a form field name is too long or not UTF-8");
    if (v.size() > kMaxValueBytes) return bad(k + ": longer than 4000 bytes");
    if (!ValidUtf8(v)) return bad(k + ": not UTF-8 text");
  }
  auto field = [&](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };

  if (QueryHas(c.req.target, "api_key")) {  // URLs end up in logs: the key goes in the form
    return ReplyError(c.res, f, 401, "api_key: send it in the form body, not the URL");
  }
  std::string key = field("api_key");
  if (key.empty()) return ReplyError(c.res, f, 403, "api_key: required");
  auto who = im.auth.Authenticate(key, im.b.wall_now());
  if (!who.ok()) return c.Fail(who.status());
  if (!who->user) return ReplyError(c.res, f, 403, "api_key: " + who->refusal);
  if (who->user->role != Role::kPublisher)
    return ReplyError(c.res, f, 403, "api_key: not a valid publisher key");
  const User& u = *who->user;
  if (!u.event_types.empty() && std::find(u.event_types.begin(), u.event_types.end(),
                                          "ServiceRequest") == u.event_types.end()) {
    return ReplyError(c.res, f, 403, "api_key: this key may not submit service requests");
  }
  c.user = u;
  std::string jurisdiction = field("jurisdiction_id");
  if (!CheckJurisdiction(im, c, f, jurisdiction)) return;

  std::string code = field("service_code");
  if (code.empty()) return bad("service_code: required");
  const std::optional<Service> service = FindService(im, code);
  if (!service) return bad("service_code: unknown service code '" + code + "'");

  // Location: lat & long, address_string, or address_id (any one suffices).
  std::optional<double> lat, lon;
  if (!field("lat").empty() || !field("long").empty()) {
    std::string why;
    if (!(lat = Degrees(field("lat"), 90, &why))) return bad("lat: " + why);
    if (!(lon = Degrees(field("long"), 180, &why))) return bad("long: " + why);
  }
  std::string address = field("address_string"), address_id = field("address_id");
  if (!lat && address.empty() && address_id.empty())
    return bad("a location is required: lat and long, address_string or address_id");
  std::string media_url = field("media_url");
  if (!media_url.empty() &&
      (media_url.size() > kMaxUrlBytes ||
       (media_url.rfind("http://", 0) != 0 && media_url.rfind("https://", 0) != 0))) {
    return bad("media_url: an http(s) URL of at most 2000 bytes");
  }

  // Attributes: only those the service definition lists, with their listed values.
  std::map<std::string, std::string> attrs;
  const std::vector<Attribute>& declared = service->attributes;
  for (const auto& [k, v] : form) {
    if (k.rfind("attribute[", 0) != 0) continue;
    std::string name = k.substr(10);
    if (name.size() >= 2 && name.substr(name.size() - 2) == "[]") name.resize(name.size() - 2);
    if (name.empty() || name.back() != ']') return bad(k + ": malformed attribute name");
    name.pop_back();
    auto a = std::find_if(declared.begin(), declared.end(),
                          [&](const Attribute& d) { return d.code == name; });
    if (a == declared.end())
      return bad(k + ": not an attribute of service '" + code + "' (see services/" + code +
                 ".json)");
    if (!a->values.empty() && std::find(a->values.begin(), a->values.end(), v) == a->values.end())
      return bad(k + ": '" + v + "' is not one of its values");
    if (a->datatype == "number") {
      char* end = nullptr;
      double x = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x))
        return bad(k + ": '" + v + "' is not a number");
    }
    attrs[name] = v;
  }
  if (!address_id.empty()) attrs["address_id"] = address_id;
  if (!field("zipcode").empty()) attrs["zipcode"] = field("zipcode");
  if (!media_url.empty()) attrs["media_url"] = media_url;

  if (jurisdiction.empty() && lat) jurisdiction = NearestDistrict(im, *lat, *lon);
  std::string contact = !field("email").empty() ? field("email") : field("phone");
  std::string name = field("first_name");
  if (!field("last_name").empty()) name += (name.empty() ? "" : " ") + field("last_name");

  int64_t now = im.b.wall_now();
  Ids ids = SubmissionIds(u.name, form, now);
  std::string id = ids.id;
  // A resend within the window that began in the previous bucket repeats that id.
  if (!ids.previous.empty() && im.b.locate_record) {
    auto prev = im.b.locate_record(ids.previous);
    if (!prev.ok()) return c.Fail(prev.status());
    if (*prev) {
      auto batch = im.b.log->Read((*prev)->first, (*prev)->second, 1);
      if (!batch.ok()) return c.Fail(batch.status());
      auto r = batch->empty() ? Result<const events::fb::Record*>(NotFound("gone"))
                              : events::VerifyRecord(batch->front().bytes);
      if (r.ok() && now - (*r)->recorded_at() <= kResendWindowMs) id = ids.previous;
    }
  }
  events::fb::ServiceRequestT body;
  body.service_code = code;
  body.description = field("description");
  body.requester = name;
  body.requester_kind = events::fb::RequesterKind::public_;
  body.contact = contact;
  body.channel = events::fb::Channel::web;
  body.address = address;
  body.external_id = id;
  if (lat) body.location = std::make_unique<events::fb::GeoPoint>(*lat, *lon);
  for (const auto& [k, v] : attrs) {  // in key order, as the schema keeps a keyed vector
    auto a = std::make_unique<events::fb::AttrT>();
    a->key = k;
    a->value = v;
    body.attrs.push_back(std::move(a));
  }
  events::fb::RecordT rec;
  rec.id = id;
  rec.source = u.agency;
  rec.subject = "open311/" + (contact.empty() ? id : contact);
  rec.jurisdiction = jurisdiction;
  rec.occurred_at = now;
  rec.actor = name.empty() ? "open311" : name;
  rec.body.Set(std::move(body));
  file::IngressPreparer preparer(im.partitions);
  file::PreparedRecord prepared;
  std::vector<file::IngressError> errs;
  if (!preparer.PrepareRecord(events::PackRecord(std::move(rec)), now, &prepared, &errs)) {
    return bad(errs.front().field + ": " + errs.front().message);
  }
  // The same submission id already recorded (a client_request_id resent, perhaps with
  // edited fields): the spec's resend answers with the first submission, recording nothing
  // (the ingress boundary would refuse other content under a used id with a 409).
  std::optional<events::IngressAck> earlier;
  if (im.b.locate_record) {
    auto at = im.b.locate_record(id);
    if (!at.ok()) return c.Fail(at.status());
    if (*at) earlier = events::IngressAck{id, (*at)->first, (*at)->second, true};
  }
  events::IngressAck ack;
  if (earlier) {
    ack = *earlier;
  } else {
    auto acks = im.b.publish({{prepared.id, std::move(prepared.bytes), prepared.partitions}});
    if (!acks.ok()) return c.Fail(acks.status());
    ack = acks->front();
  }
  c.detail = "ServiceRequest " + id + (ack.duplicate ? " (resent)" : "");
  // Wait for the engine to open (or attach to) a ticket; else answer with the token.
  std::string ticket;
  if (im.AwaitProcessed(ack)) {
    auto found = TicketCausedBy(im, id, ack.partition, ack.offset);
    if (!found.ok()) return c.Fail(found.status());
    ticket = *found;
  }
  json entry = {{"service_notice", ticket.empty() ? "Recorded; not yet assigned: ask tokens/" + id +
                                                        " for the request id"
                                                  : "Recorded and routed."}};
  entry["token"] = id;  // tokens/{token} resolves it now or later
  if (!ticket.empty()) entry["service_request_id"] = ticket;
  if (!field("account_id").empty()) entry["account_id"] = field("account_id");
  Reply(c.res, f, 201, json::array({entry}), "service_requests", "request");
}

}  // namespace

void RegisterRequestPost(Api::Impl& im, httplib::Server& s) {
  im.Route(s, "POST", R"(/open311/v2/requests\.(json|xml))", kPublic,
           [&im](Call& c) { PostRequest(im, c); });
}

}  // namespace closeloop::http::open311
