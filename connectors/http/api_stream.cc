// GET /v1/stream: Server-Sent Events of ticket changes the caller may see; POST
// /v1/stream/ticket: the one-use, 60-second ticket a browser's EventSource opens it with
// (stream_tickets.h); and the operational endpoint /metrics (Prometheus text format; admin
// and auditor tokens only).
#include <atomic>

#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/notify/deliverer.h"
#include "engine/queries.h"

namespace closeloop::http {
namespace {

std::atomic<size_t> g_stream_clients{0};

}  // namespace

// GET /v1/stream: server-sent events of the ticket changes the caller may see.
void Api::Impl::GetStream(Call& c) {
  if (g_stream_clients.load() >= o.max_stream_clients) {
    c.res.set_header("Retry-After", "10");
    return c.Error(503, "too_many_streams", "too many live streams; retry later");
  }
  uint64_t after = feed.last_seq();
  std::string last = c.req.get_header_value("Last-Event-ID");
  if (last.empty()) last = c.Param("last_event_id");
  if (!last.empty()) {
    auto v = ParseInt(last, 0, 0, INT64_MAX);
    if (!v) return c.Error(400, "invalid", "Last-Event-ID: a number from this stream");
    after = static_cast<uint64_t>(*v);
  }
  User user = c.who();
  ++g_stream_clients;
  c.res.set_header("Cache-Control", "no-store");
  c.res.set_header("X-Accel-Buffering", "no");
  c.res.set_chunked_content_provider(
      "text/event-stream",
      [this, user, after, first = true](size_t, httplib::DataSink& sink) mutable {
        if (first) {
          first = false;
          std::string hello = "retry: 3000\n";
          if (after + 1 < feed.first_seq()) {
            hello += "event: reset\ndata: {\"reason\": \"changes were missed; reload\"}\n\n";
            after = feed.last_seq();
          } else {
            hello += ": connected\n\n";
          }
          if (!sink.write(hello.data(), hello.size())) return false;
        }
        auto changes = feed.Next(after, std::chrono::seconds(15));
        if (feed.stopped()) {
          sink.done();
          return false;
        }
        std::string out;
        for (const Change& ch : changes) {
          after = ch.seq;
          if (TicketAccess(user, ch.ticket) == Access::kNone) continue;
          json data = {{"record", ch.record_type},
                       {"record_id", ch.record_id},
                       {"recorded_at", ch.recorded_at},
                       {"ticket", TicketJson(ch.ticket)}};
          out += "id: " + std::to_string(ch.seq) + "\nevent: ticket\ndata: " + data.dump() + "\n\n";
        }
        if (out.empty()) out = ": keep-alive\n\n";
        return sink.write(out.data(), out.size());
      },
      [](bool) { --g_stream_clients; });
}

void Api::Impl::RegisterStream(httplib::Server& s) {
  const uint32_t readers =
      Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kAuditor, Role::kAdmin});
  // EventSource cannot send headers: the console asks for a ticket with its bearer header
  // and opens the stream with ?stream_ticket= (SignIn redeems it).
  Route(s, "POST", "/v1/stream/ticket", readers, [this](Call& c) {
    auto issued = stream_tickets.Issue(c.token_hash, c.token.expires_at, b.wall_now());
    if (!issued.ok()) return c.Fail(issued.status());
    c.detail = "token " + c.token.id;
    c.res.set_header("Cache-Control", "no-store");
    c.Json(201, {{"stream_ticket", issued->ticket},
                 {"expires_at", issued->expires_at},
                 {"url", "/v1/stream?stream_ticket=" + issued->ticket},
                 {"note", "opens GET /v1/stream once, within 60 s"}});
  });

  Route(s, "GET", "/v1/stream", readers, [this](Call& c) { GetStream(c); });
}

// GET /metrics: Prometheus text (processing, tickets, HTTP latency).
void Api::Impl::GetMetrics(Call& c) {
  std::string out;
  uint64_t processed = 0, lag = 0;
  out += "# HELP closeloop_partition_lag_records Records in the log not yet processed.\n";
  out += "# TYPE closeloop_partition_lag_records gauge\n";
  for (uint32_t p = 0; p < partitions; ++p) {
    uint64_t done = b.processed(p), end = b.log->Head(p).end_offset;
    processed += done;
    lag += end > done ? end - done : 0;
    out += "closeloop_partition_lag_records{partition=\"" + std::to_string(p) + "\"} " +
           std::to_string(end > done ? end - done : 0) + "\n";
  }
  out += "# HELP closeloop_records_processed_total Log records processed by the engine.\n";
  out += "# TYPE closeloop_records_processed_total counter\n";
  out += "closeloop_records_processed_total " + std::to_string(processed) + "\n";
  out += "# HELP closeloop_engine_time_seconds The engine's clock (last ClockTick processed).\n";
  out += "# TYPE closeloop_engine_time_seconds gauge\n";
  out += "closeloop_engine_time_seconds " + std::to_string(b.engine_now() / 1000) + "\n";
  auto counts = engine::CountTickets(*b.state, partitions);
  if (counts.ok()) {
    out += "# HELP closeloop_tickets Tickets by loop, state and lead department.\n";
    out += "# TYPE closeloop_tickets gauge\n";
    std::map<std::pair<std::string, std::string>, int64_t> by_state;
    for (const auto& row : *counts) by_state[{row.loop, row.state}] += row.count;
    for (const auto& [k, n] : by_state) {
      out += "closeloop_tickets{loop=\"" + LabelValue(k.first) + "\",state=\"" +
             LabelValue(k.second) + "\"} " + std::to_string(n) + "\n";
    }
  }
  engine::TicketFilter overdue;
  overdue.overdue = engine::TicketFilter::Overdue::kOpen;
  overdue.limit = 1000000;
  auto late = engine::ListTickets(*b.state, partitions, overdue);
  if (late.ok()) {
    out += "# HELP closeloop_tickets_overdue Open tickets past their deadline.\n";
    out += "# TYPE closeloop_tickets_overdue gauge\n";
    out += "closeloop_tickets_overdue " + std::to_string(late->size()) + "\n";
  }
  if (auto rows = engine::CountLate(*b.state, partitions); rows.ok()) {
    std::map<std::string, std::pair<int64_t, int64_t>> by_loop;
    for (const auto& row : *rows) {
      by_loop[row.loop].first += row.ever;
      by_loop[row.loop].second += row.closed_late;
    }
    out += "# HELP closeloop_tickets_overdue_ever Tickets ever marked overdue, open or closed.\n";
    out += "# TYPE closeloop_tickets_overdue_ever gauge\n";
    for (const auto& [loop, n] : by_loop) {
      out += "closeloop_tickets_overdue_ever{loop=\"" + LabelValue(loop) + "\"} " +
             std::to_string(n.first) + "\n";
    }
    out += "# HELP closeloop_tickets_closed_late Tickets closed after being marked overdue.\n";
    out += "# TYPE closeloop_tickets_closed_late gauge\n";
    for (const auto& [loop, n] : by_loop) {
      out += "closeloop_tickets_closed_late{loop=\"" + LabelValue(loop) + "\"} " +
             std::to_string(n.second) + "\n";
    }
  }
  if (b.notify != nullptr) out += b.notify->MetricsText();
  out += metrics.RenderHttp();
  c.res.status = 200;
  c.res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
}

void Api::Impl::RegisterOps(httplib::Server& s) {
  // Not public: tickets by state and lag describe the city's work. Prometheus scrapes with
  // an auditor's token (bearer_token_file); docs/operations.md.
  Route(s, "GET", "/metrics", Roles({Role::kAdmin, Role::kAuditor}),
        [this](Call& c) { GetMetrics(c); });
}

}  // namespace closeloop::http
