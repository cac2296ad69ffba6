// Open311 reads: GET requests (every filter of GeoReport v2, the row cap applied after
// filtering, pages), GET requests/{id}, GET tokens/{token}; and how a ticket is shown: what
// the requester submitted comes from the ServiceRequest that opened the ticket (the first
// record of its history names it as its cause), read back from the log.
#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "connectors/http/api_util.h"
#include "connectors/http/open311_internal.h"
#include "engine/queries.h"
#include "events/ids.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::http::open311 {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr size_t kMaxRows = 1000;         // the spec's cap per answer
constexpr uint64_t kCauseWindow = 20000;  // log records read looking for a decision

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size() && !text.empty()) {
    size_t comma = text.find(',', at);
    std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

std::string Words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// What the requester submitted: the body of the ticket's opening ServiceRequest; null when
// the ticket was not opened by one or the log cannot say.
json Submitted(Api::Impl& im, const engine::Ticket& t) {
  if (!im.b.locate_record) return nullptr;
  auto history = engine::TicketHistory(*im.b.state, *im.b.log, t.id);
  if (!history.ok() || history->empty()) return nullptr;
  auto opened = events::VerifyRecord(history->front());
  if (!opened.ok() || !(*opened)->causation_id()) return nullptr;
  std::string cause = (*opened)->causation_id()->str();
  auto where = im.b.locate_record(cause);
  if (!where.ok() || !*where) return nullptr;
  auto batch = im.b.log->Read((*where)->first, (*where)->second, 1);
  if (!batch.ok() || batch->empty()) return nullptr;
  json rec = RecordJson(batch->front().bytes);
  if (rec.value("body_type", "") != "ServiceRequest" || !rec.contains("body")) return nullptr;
  return rec["body"];
}

std::string StatusNotes(Api::Impl& im, const engine::Ticket& t) {
  if (t.closed) {
    if (t.resolution == "satisfied")
      return "Closed: the requester confirmed the service met the need.";
    if (t.resolution == "no_callback_answer")
      return "Closed: the requester did not answer the follow-up call.";
    std::string why = !t.resolution.empty() ? t.resolution : t.outcome;
    return why.empty() ? "Closed." : "Closed: " + Words(why) + ".";
  }
  std::string title = im.world.With([&](const engine::World& w) {
    const dsl::Workflow* wf = w.Find(t.workflow, t.workflow_version);
    const dsl::State* st = wf ? wf->FindState(t.state) : nullptr;
    return st && !st->title_en.empty() ? st->title_en : Words(t.state);
  });
  std::string notes = "Open: " + title;
  if (t.overdue) notes += " (overdue)";
  return notes + ".";
}

}  // namespace

std::string CityZone(Api::Impl& im) { return im.CityZone(); }

std::string Rfc3339(int64_t ms, const std::string& zone) {
  using namespace std::chrono;
  sys_seconds utc{duration_cast<seconds>(milliseconds(ms))};
  int64_t offset_s = 8 * 3600;  // the city's zone when the tz database cannot say
  try {
    offset_s = date::locate_zone(zone)->get_info(utc).offset.count();
  } catch (const std::exception&) {
  }
  auto local = utc + seconds(offset_s);
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss hms{local - day};
  char buf[40];
  int64_t off = offset_s < 0 ? -offset_s : offset_s;
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()), offset_s < 0 ? '-' : '+',
                int(off / 3600), int(off % 3600 / 60));
  return buf;
}

bool CheckJurisdiction(Api::Impl& im, Call& c, Format f, const std::string& id) {
  if (id.empty()) return true;
  bool known = im.world.With(
      [&](const engine::World& w) { return w.reference().FindJurisdiction(id) != nullptr; });
  if (!known) {
    ReplyError(c.res, f, 400,
               "jurisdiction_id: unknown jurisdiction '" + id +
                   "' (a district, street or grid code of the reference data)");
  }
  return known;
}

Result<std::string> TicketCausedBy(Api::Impl& im, const std::string& id, uint32_t partition,
                                   uint64_t offset) {
  std::string ticket;
  CL_RETURN_IF_ERROR(im.ForEachCausedBy(id, partition, offset, kCauseWindow,
                                        [&](const events::fb::Record& r, const std::string&) {
                                          if (auto* o = r.body_as_TicketOpened())
                                            ticket = o->ticket_id()->str();
                                          if (auto* a = r.body_as_EventAttached())
                                            ticket = a->ticket_id()->str();
                                          return ticket.empty();
                                        }));
  return ticket;
}

json RequestJson(Api::Impl& im, const engine::Ticket& t, const std::string& zone,
                 const httplib::Request& req) {
  const bool zh = WantsChinese(req);
  std::string agency = im.world.With([&](const engine::World& w) {
    const auto* d = w.reference().FindDepartment(t.lead);
    return !d ? t.lead : zh && !d->name_zh.empty() ? d->name_zh : d->name_en;
  });
  std::string code = t.Fact("service").type() == dsl::ValueType::kString
                         ? t.Fact("service").as_string()
                         : t.category;
  std::string service_name = im.world.With([&](const engine::World& w) {
    for (const dsl::Workflow* wf : w.LatestAll()) {
      if (const dsl::ServiceDecl* d = wf->FindService(code)) return TextOf(*d, req).name;
    }
    return code;  // a service no deployed workflow offers any more
  });
  json r = {{"service_request_id", t.id},
            {"status", t.closed ? "closed" : "open"},
            {"status_notes", StatusNotes(im, t)},
            {"service_name", service_name},
            {"service_code", code},
            {"requested_datetime", Rfc3339(t.opened_at, zone)},
            {"updated_datetime",
             Rfc3339(std::max({t.opened_at, t.state_entered_at, t.closed_at}), zone)}};
  if (!agency.empty()) r["agency_responsible"] = agency;
  if (!t.closed && t.deadline_at > 0) r["expected_datetime"] = Rfc3339(t.deadline_at, zone);
  json body = Submitted(im, t);
  if (body.is_object()) {
    auto text = [&](const char* from, const char* to) {
      if (body.contains(from) && body[from].is_string() && !body[from].get<std::string>().empty())
        r[to] = body[from];
    };
    text("description", "description");
    text("address", "address");
    if (body.contains("location") && body["location"].is_object()) {
      r["lat"] = body["location"].value("lat", 0.0);
      r["long"] = body["location"].value("lon", 0.0);
    }
    if (body.contains("attrs") && body["attrs"].is_array()) {
      for (const auto& a : body["attrs"]) {
        std::string key = a.value("key", "");
        if (key == "address_id" || key == "zipcode" || key == "media_url") {
          if (!a.value("value", "").empty()) r[key] = a["value"];
        }
      }
    }
  }
  return r;
}

namespace {

// GET /open311/v2/requests.(json|xml): requests by id, service, status and time.
void GetRequests(Api::Impl& im, Call& c) {
  Format f = *ParseFormat(c.req.matches[1].str());
  auto fail = [&](const std::string& why) { ReplyError(c.res, f, 400, why); };
  std::string jurisdiction = c.Param("jurisdiction_id");
  if (!CheckJurisdiction(im, c, f, jurisdiction)) return;
  std::vector<std::string> ids = SplitList(c.Param("service_request_id"));
  std::vector<std::string> codes = SplitList(c.Param("service_code"));
  for (const auto& code : codes) {
    if (!FindService(im, code)) return fail("service_code: unknown service code '" + code + "'");
  }
  bool want_open = false, want_closed = false;
  for (const auto& st : SplitList(c.Param("status"))) {
    if (st == "open")
      want_open = true;
    else if (st == "closed")
      want_closed = true;
    else
      return fail("status: '" + st + "' is not open or closed");
  }
  if (!want_open && !want_closed) want_open = want_closed = true;
  std::optional<int64_t> start, end;
  if (!c.Param("start_date").empty() &&
      !(start = ParseTimeParam(c.Param("start_date"), CityZone(im))))
    return fail("start_date: a W3C datetime such as 2026-03-02T09:00:00+08:00");
  if (!c.Param("end_date").empty() && !(end = ParseTimeParam(c.Param("end_date"), CityZone(im))))
    return fail("end_date: a W3C datetime such as 2026-03-02T09:00:00+08:00");
  if (start && end && *start > *end) return fail("start_date: after end_date");
  auto page = ParseInt(c.Param("page"), 1, 1, 1000000);
  if (!page) return fail("page: a whole number from 1");
  auto page_size = ParseInt(c.Param("page_size"), kMaxRows, 1, kMaxRows);
  if (!page_size) return fail("page_size: a whole number from 1 to 1000");
  if (c.req.params.size() > 32) return fail("too many query parameters");

  std::vector<std::pair<int64_t, std::string>> hits;  // (opened_at, id)
  if (!ids.empty()) {
    // The spec: service_request_id overrides every other argument.
    if (ids.size() > kMaxRows) return fail("service_request_id: at most 1000 ids");
    for (const auto& id : ids) {
      auto t = engine::FindTicket(*im.b.state, im.partitions, id);
      if (!t.ok()) return c.Fail(t.status());
      if (*t && (*t)->loop == "request") hits.emplace_back((*t)->opened_at, id);
    }
  } else {
    if (!start && !end) start = im.b.engine_now() - 90 * kDayMs;  // the spec's default
    engine::TicketFilter tf;
    tf.loop = "request";
    tf.jurisdiction = jurisdiction;
    tf.open_only = want_open && !want_closed;
    tf.limit = 2000;
    for (;;) {
      auto batch = engine::ListTickets(*im.b.state, im.partitions, tf);
      if (!batch.ok()) return c.Fail(batch.status());
      for (const auto& t : *batch) {
        if (t.closed ? !want_closed : !want_open) continue;
        if (start && t.opened_at < *start) continue;
        if (end && t.opened_at > *end) continue;
        if (!codes.empty()) {
          std::string code = t.Fact("service").type() == dsl::ValueType::kString
                                 ? t.Fact("service").as_string()
                                 : t.category;
          if (std::find(codes.begin(), codes.end(), code) == codes.end()) continue;
        }
        hits.emplace_back(t.opened_at, t.id);
      }
      if (batch->size() < tf.limit) break;
      tf.after = engine::TicketCursor(batch->back(), tf, im.partitions);
    }
    std::sort(hits.begin(), hits.end(), std::greater<>());  // newest first
  }
  const size_t total = hits.size();
  const size_t from = std::min(total, static_cast<size_t>((*page - 1) * *page_size));
  const size_t to = std::min(total, from + static_cast<size_t>(*page_size));
  std::string zone = CityZone(im);
  json out = json::array();
  for (size_t i = from; i < to; ++i) {
    auto t = engine::FindTicket(*im.b.state, im.partitions, hits[i].second);
    if (!t.ok()) return c.Fail(t.status());
    if (*t) out.push_back(RequestJson(im, **t, zone, c.req));
  }
  c.res.set_header("X-Total-Count", std::to_string(total));
  if (to < total) {
    httplib::Params next = c.req.params;
    next.erase("page");
    next.emplace("page", std::to_string(*page + 1));
    c.res.set_header("Link", "<" + c.req.path + "?" + httplib::detail::params_to_query_str(next) +
                                 ">; rel=\"next\"");
  }
  c.detail = std::to_string(out.size()) + " of " + std::to_string(total);
  Reply(c.res, f, 200, out, "service_requests", "request");
}

}  // namespace

void RegisterRequestReads(Api::Impl& im, httplib::Server& s) {
  im.Route(s, "GET", R"(/open311/v2/requests\.(json|xml))", kPublic,
           [&im](Call& c) { GetRequests(im, c); });

  im.Route(s, "GET", R"(/open311/v2/requests/([^/]+)\.(json|xml))", kPublic, [&im](Call& c) {
    Format f = *ParseFormat(c.req.matches[2].str());
    if (!CheckJurisdiction(im, c, f, c.Param("jurisdiction_id"))) return;
    std::string id = c.req.matches[1].str();
    auto t = engine::FindTicket(*im.b.state, im.partitions, id);
    if (!t.ok()) return c.Fail(t.status());
    if (!*t || (*t)->loop != "request") {
      return ReplyError(c.res, f, 404, "service_request_id: no request '" + id + "'");
    }
    Reply(c.res, f, 200, json::array({RequestJson(im, **t, CityZone(im), c.req)}),
          "service_requests", "request");
  });

  im.Route(s, "GET", R"(/open311/v2/tokens/([^/]+)\.(json|xml))", kPublic, [&im](Call& c) {
    Format f = *ParseFormat(c.req.matches[2].str());
    if (!CheckJurisdiction(im, c, f, c.Param("jurisdiction_id"))) return;
    std::string token = c.req.matches[1].str();
    std::optional<std::pair<uint32_t, uint64_t>> where;
    if (events::IsValidId(token) && im.b.locate_record) {
      auto found = im.b.locate_record(token);
      if (!found.ok()) return c.Fail(found.status());
      where = *found;
    }
    if (where) {  // only a ServiceRequest's id is a token
      auto batch = im.b.log->Read(where->first, where->second, 1);
      if (!batch.ok()) return c.Fail(batch.status());
      if (batch->empty() ||
          RecordJson(batch->front().bytes).value("body_type", "") != "ServiceRequest")
        where.reset();
    }
    if (!where)
      return ReplyError(c.res, f, 404, "token: no request was submitted as '" + token + "'");
    auto ticket = TicketCausedBy(im, token, where->first, where->second);
    if (!ticket.ok()) return c.Fail(ticket.status());
    json entry = {{"token", token}};
    if (!ticket->empty()) entry["service_request_id"] = *ticket;
    Reply(c.res, f, 200, json::array({entry}), "service_requests", "request");
  });
}

}  // namespace closeloop::http::open311
