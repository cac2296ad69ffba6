// What the console needs beyond the ticket routes: the overview's aggregates, working time
// left before deadlines on the engine's calendar, and (demo servers only, to a browser on
// the server's own machine) the demo users' credentials for the sign-in page.
//
// GET /v1/overview: over the tickets the caller may see (the same object-level scope as a
// ticket read), counts of open tickets by loop, by workflow state and by lead department,
// overdue open tickets by department, tickets ever overdue and closed late, the number of tickets
// overdue at the end of each of the last 14 days, and the city's enterprises by risk colour. All
// from the counters the engine keeps (engine/counters.h): the cost is the number of counter
// cells (departments x states), whatever the number of tickets.
#include <date/tz.h>

#include <fstream>
#include <sstream>

#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/http/secrets.h"
#include "engine/counters.h"
#include "engine/queries.h"

namespace closeloop::http {
namespace {

constexpr int kTrendDays = 14;
constexpr size_t kMaxSpans = 1000;

}  // namespace

// GET /v1/overview: what the console's first page shows the caller.
void Api::Impl::GetOverview(Call& c) {
  const User& u = c.who();
  // The engine's counter cells (engine/counters.h) carry what a ticket read's scope is
  // decided on (TicketAccess): the lead, the jurisdiction, where the ladder sent the ticket,
  // who assists. The caller's share is the cells it may see; no ticket is read.
  const std::string district = world.With([&](const engine::World& w) {
    const auto* d = w.reference().FindDepartment(u.department);
    return d ? d->jurisdiction : std::string("\x01");  // unknown department: nothing
  });
  auto sees = [&](const std::string& assist, const std::string& lead, const std::string& jur,
                  const std::string& esc) {
    switch (u.role) {
      case Role::kAdmin:
      case Role::kAuditor:
        return assist.empty();
      case Role::kStaff:
        return assist.empty() ? lead == u.department
                              : assist == u.department && lead != u.department;
      case Role::kSupervisor:
        return assist.empty() &&
               (lead == u.department || engine::JurisdictionCovers(district, jur));
      case Role::kInspector:
        return assist.empty() && (lead == u.department || esc == u.department);
      case Role::kPublisher:
      case Role::kEnterprise:  // not a route of theirs: the city's figures are not theirs
        return false;
    }
    return false;
  };
  // std::map: the output's key order is fixed, whatever the scan order.
  std::map<std::string, int64_t> by_loop, by_department, overdue_by_department;
  std::map<std::pair<std::string, std::string>, int64_t> by_state;
  int64_t tickets = 0, open = 0, overdue_now = 0, ever_overdue = 0, closed_late = 0;
  Status counted = engine::ForEachCounterCell(*b.state, partitions, [&](const auto& cell) {
    if (!sees(cell.assist, cell.lead, cell.jurisdiction, cell.escalated_to)) return;
    tickets += cell.tickets;
    ever_overdue += cell.ever_overdue;
    closed_late += cell.closed_late;
    if (cell.open == 0) return;
    open += cell.open;
    by_loop[cell.loop] += cell.open;
    by_state[{cell.workflow, cell.state}] += cell.open;
    by_department[cell.lead] += cell.open;
    overdue_now += cell.overdue;
    if (cell.overdue != 0) overdue_by_department[cell.lead] += cell.overdue;
  });
  if (!counted.ok()) return c.Fail(counted);
  // Overdue at the end of each of the last days: today's count less the changes after.
  const int64_t now = b.engine_now();
  const std::string zone = CityZone();
  std::vector<std::pair<int64_t, int64_t>> changes;  // (quarter-hour's end, delta)
  const int64_t first = std::min(now, EndOfLocalDay(now, zone, kTrendDays - 1));
  Status read = engine::ForEachOverdueChange(*b.state, partitions, first, [&](const auto& ch) {
    if (sees(ch.assist, ch.lead, ch.jurisdiction, ch.escalated_to))
      changes.emplace_back(ch.bucket_end, ch.delta);
  });
  if (!read.ok()) return c.Fail(read);
  json trend = json::array();
  for (int i = kTrendDays - 1; i >= 0; --i) {
    const int64_t at = std::min(now, EndOfLocalDay(now, zone, i));
    int64_t overdue = overdue_now;
    if (at < now) {
      for (const auto& [end, delta] : changes) {
        if (end > at) overdue -= delta;
      }
    }
    trend.push_back({{"at", at}, {"overdue", overdue}});
  }
  json states = json::array();
  for (const auto& [k, n] : by_state) {
    states.push_back({{"workflow", k.first}, {"state", k.second}, {"count", n}});
  }
  json colours = {{"red", 0}, {"orange", 0}, {"yellow", 0}, {"blue", 0}};
  int64_t enterprises = world.With([&](const engine::World& w) {
    auto all = w.reference().FindEnterprises({});
    for (const auto* e : all) {
      std::string name(engine::RiskColourName(e->risk_colour));
      colours[name] = colours[name].get<int64_t>() + 1;
    }
    return static_cast<int64_t>(all.size());
  });
  c.Json(200, {{"now", now},
               {"tickets", tickets},
               {"open_tickets", open},
               {"overdue_tickets", overdue_now},
               {"ever_overdue_tickets", ever_overdue},
               {"closed_late_tickets", closed_late},
               {"by_loop", by_loop},
               {"by_state", states},
               {"by_department", by_department},
               {"overdue_by_department", overdue_by_department},
               {"overdue_trend", trend},
               {"enterprises", enterprises},
               {"enterprises_by_colour", colours}});
}

void Api::Impl::RegisterOverview(httplib::Server& s) {
  const uint32_t readers =
      Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kAuditor, Role::kAdmin});

  Route(s, "GET", "/v1/overview", readers, [this](Call& c) { GetOverview(c); });

  // ?spans=FROM:TO,FROM:TO (ms) -> working milliseconds of each, on `calendar` (default prc):
  // the console's "time left in working time" uses the engine's own calendar arithmetic.
  // An enterprise sees its deadlines in working time too (calendar arithmetic, no data).
  const uint32_t reckoners = readers | RoleBit(Role::kEnterprise);
  Route(s, "GET", "/v1/working-time", reckoners, [this](Call& c) {
    std::string name = c.Param("calendar").empty() ? "prc" : c.Param("calendar");
    std::vector<std::pair<int64_t, int64_t>> spans;
    std::stringstream in(c.Param("spans"));
    std::string item;
    while (std::getline(in, item, ',')) {
      size_t colon = item.find(':');
      auto a = colon == std::string::npos
                   ? std::nullopt
                   : ParseInt(item.substr(0, colon), 0, INT64_MIN, INT64_MAX);
      auto z = colon == std::string::npos
                   ? std::nullopt
                   : ParseInt(item.substr(colon + 1), 0, INT64_MIN, INT64_MAX);
      if (!a || !z || item.substr(0, colon).empty() || item.substr(colon + 1).empty()) {
        return c.Error(400, "invalid", "spans: FROM:TO pairs of ms since the epoch, by commas",
                       "spans");
      }
      spans.emplace_back(*a, *z);
      if (spans.size() > kMaxSpans) {
        return c.Error(400, "invalid", "spans: at most " + std::to_string(kMaxSpans), "spans");
      }
    }
    json out = json::array();
    int64_t day_ms = world.With([&](const engine::World& w) {
      const engine::Calendar& cal = w.CalendarFor(name);
      for (const auto& [a, z] : spans) out.push_back(cal.WorkingTimeBetween(a, z));
      return cal.WorkingDayMs();
    });
    c.Json(200, {{"calendar", name}, {"working_day_ms", day_ms}, {"working_ms", out}});
  });

  // The demo's people and tokens, for the sign-in page: only on `serve --demo`, only to a
  // client on this machine (loopback, and not relayed by a proxy, which would make every
  // client look local), and never an administrator's token: DATA/demo-credentials.json
  // keeps that one for the operator.
  Route(s, "GET", "/v1/demo/credentials", kPublic, [this](Call& c) {
    if (!o.demo || o.data_dir.empty()) {
      return c.Error(404, "not_found", "demo credentials exist only on a demo server");
    }
    bool proxied = c.req.has_header("Forwarded") || c.req.has_header("X-Forwarded-For") ||
                   c.req.has_header("X-Real-IP");
    if (!IsLoopbackAddress(c.req.remote_addr) || proxied) {
      return c.Error(403, "not_local",
                     "demo credentials are listed only to a browser on the server's own "
                     "machine (loopback, not through a proxy); ask the operator");
    }
    std::ifstream in(o.data_dir + "/demo-credentials.json");
    if (!in) return c.Error(503, "unavailable", "the demo credentials are not written yet");
    std::stringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("users") || !j["users"].is_array()) {
      return c.Error(500, "internal", "demo-credentials.json is not {users: [...]}");
    }
    json users = json::array();
    for (const auto& u : j["users"]) {
      if (!u.is_object() || u.value("role", "") == "admin") continue;
      // The user as the server knows it, not as the file says: no admin slips through.
      auto known = auth.GetUser(u.value("name", ""));
      if (!known.ok()) return c.Fail(known.status());
      if (!*known || (*known)->role == Role::kAdmin) continue;
      users.push_back(u);
    }
    j["users"] = std::move(users);
    c.res.set_header("Cache-Control", "no-store");
    c.Json(200, j);
  });
}

}  // namespace closeloop::http
