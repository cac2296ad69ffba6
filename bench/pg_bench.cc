// pg_bench: the PostgreSQL baseline an agency would build (bench/pg/schema.sql), fed the same
// stream files as engine_bench (mix.jsonl, timers.jsonl), on a server of its own that it
// starts and stops (bench/pg_server.h). Figures as engine_bench's, so report.py can set
// them side by side:
//   mix      events/s end to end (read the file, COPY + apply + commit per batch), disk
//            bytes per event, WAL bytes per event; then replay: derived tables truncated
//            and rebuilt from the events table, events/s, checked to give the same counts;
//   timers   N tickets opened at one instant (reports/s), disk per open ticket, then the
//            time one ClockTick takes to fire all N deadlines (every ticket checked overdue);
//   latency  the mix's first R x S events offered at R/s, group commit (all that arrived
//            while the previous commit ran go in the next); p50/p99/p999 from arrival to
//            commit (the ticket opened and routed, durable);
//   memory   peak Pss of the server's processes, sampled every 250 ms.
//
//   pg_bench --streams DIR [--partitions P] [--batch N] [--latency-rate R]
//            [--latency-seconds S] [--dir DIR] [--port N] [--bin DIR] [--json FILE]
//            [--latency-tail] [--skip mix,replay,timers,latency]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "bench/engine_bench_latency.h"
#include "bench/engine_bench_support.h"
#include "bench/pg_feed.h"
#include "bench/pg_server.h"
#include "bench/results.h"

namespace closeloop::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  fs::path streams;
  uint32_t partitions = 4;
  uint64_t batch = 1000;
  double latency_rate = 500, latency_seconds = 40;
  fs::path dir = fs::temp_directory_path();
  int port = 0;
  std::string bin = "/usr/lib/postgresql/15/bin";
  std::string json, skip;
  bool latency_tail = false;  // offer the mix's last events onto its state, not a fresh one
};

// Every choice is explained in docs/performance.md ("The PostgreSQL baseline").
const std::vector<std::string> kSettings = {
    "shared_buffers = '1GB'",
    "effective_cache_size = '8GB'",
    "work_mem = '64MB'",
    "maintenance_work_mem = '512MB'",
    "wal_buffers = '64MB'",
    "max_wal_size = '16GB'",
    "min_wal_size = '1GB'",
    "checkpoint_timeout = '30min'",
    "checkpoint_completion_target = 0.9",
    "wal_compression = lz4",
    "wal_level = minimal",
    "max_wal_senders = 0",
    "fsync = on",
    "synchronous_commit = on",
    "full_page_writes = on",
    "random_page_cost = 1.1",
    "jit = off",
    "max_connections = 20",
};

std::vector<Figure> figures;
std::vector<std::string> notes;

class Sampler {
 public:
  explicit Sampler(const PgServer& s)
      : thread_([this, &s] {
          while (!stop_) {
            peak_ = std::max<uint64_t>(peak_, s.PssKb());
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
          }
        }) {}
  ~Sampler() {
    stop_ = true;
    thread_.join();
  }
  uint64_t peak_kb() const { return peak_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_{0};
  std::thread thread_;
};

PGconn* Connect(const PgServer& server, const std::string& db) {
  PGconn* c = PQconnectdb(server.ConnInfo(db).c_str());
  if (PQstatus(c) != CONNECTION_OK) Die(std::string("connecting: ") + PQerrorMessage(c));
  return c;
}

// A fresh database with the baseline's schema.
PGconn* NewDatabase(const PgServer& server, const std::string& db) {
  PGconn* admin = Connect(server, "postgres");
  PgExec(admin, "CREATE DATABASE " + db);
  PQfinish(admin);
  PGconn* c = Connect(server, db);
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/bench/pg/schema.sql");
  std::stringstream sql;
  sql << in.rdbuf();
  if (sql.str().empty()) Die("cannot read bench/pg/schema.sql");
  PgExec(c, sql.str());
  return c;
}

double Number(PGconn* c, const std::string& sql) {
  return std::strtod(PgValue(c, sql).c_str(), nullptr);
}

std::string Counts(PGconn* c) {
  return PgValue(
      c,
      "SELECT string_agg(k || ' ' || n, '; ' ORDER BY k) FROM ("
      "SELECT 'log:' || action || coalesce('/' || detail, '') AS k, count(*) AS n "
      "FROM ticket_log WHERE action IN ('opened','reminded','overdue','escalated_parent',"
      "'chained_oversight','closed','rejected','event_attached','arbitration') "
      "OR detail = 'recurring' GROUP BY 1 UNION ALL "
      "SELECT 'tickets:' || workflow || '/' || state, count(*) FROM tickets GROUP BY 1) x");
}

void OfferAtRate(const Options& o, PgFeed& feed, const std::vector<StreamLine>& lines);

void RunMix(const Options& o, const PgServer& server) {
  PGconn* c = NewDatabase(server, "mix");
  const double wal0 = Number(c, "SELECT pg_current_wal_lsn() - '0/0'");
  PgFeed feed(c, o.partitions);
  uint64_t lines = 0;
  std::vector<StreamLine> tail;
  auto start = Clock::now();
  {
    Sampler mem(server);
    // With --latency-tail, the last events are held back for the latency phase.
    const uint64_t total =
        o.latency_tail ? CountStreamLines((o.streams / "mix.jsonl").string()) : UINT64_MAX;
    const uint64_t keep =
        total -
        std::min<uint64_t>(total, static_cast<uint64_t>(o.latency_rate * o.latency_seconds));
    ForEachStreamLine((o.streams / "mix.jsonl").string(), [&](StreamLine& l) {
      if (lines >= keep) {
        tail.push_back(l);
        return true;
      }
      ++lines;
      feed.Add(l);
      if (feed.pending() >= o.batch) feed.Commit();
      return true;
    });
    feed.Commit();
    const double secs = Seconds(start);
    figures.push_back({"pg_peak_pss_mb", "server memory, peak Pss of its processes (mix)", "MB",
                       mem.peak_kb() / 1024.0, false, "", 0});
    figures.push_back(
        {"pg_e2e_events_per_s", "events/s end to end", "events/s", lines / secs, true, "", 0});
    std::printf(
        "pg mix: %llu events in %.1f s (%.0f events/s), batches of %llu, peak Pss %.0f MB\n",
        static_cast<unsigned long long>(lines), secs, lines / secs,
        static_cast<unsigned long long>(o.batch), mem.peak_kb() / 1024.0);
  }
  const double wal = Number(c, "SELECT pg_current_wal_lsn() - '0/0'") - wal0;
  const double db = Number(c, "SELECT pg_database_size(current_database())");
  figures.push_back({"pg_disk_bytes_per_event", "disk per event (tables + indexes)", "B",
                     db / lines, false, "", 0});
  figures.push_back(
      {"pg_wal_bytes_per_event", "WAL written per event", "B", wal / lines, false, "", 0});
  std::string counts = Counts(c);
  std::printf("pg mix: database %.0f MB, WAL %.0f MB; %s\n", db / 1e6, wal / 1e6, counts.c_str());
  notes.push_back("pg mix counts: " + counts);
  if (o.latency_tail) {  // onto the state the mix left
    OfferAtRate(o, feed, tail);
    lines += tail.size();
    counts = Counts(c);  // what replay must rebuild
  }
  if (o.skip.find("replay") == std::string::npos) {
    PgExec(c, "TRUNCATE tickets, ticket_log; UPDATE clock SET now = 'epoch'");
    PGresult* r = PQprepare(c, "replay", "SELECT cl_process($1::bigint, $2::bigint)", 2, nullptr);
    PQclear(r);
    auto rs = Clock::now();
    for (uint64_t lo = 0; lo < lines; lo += o.batch) {
      const std::string a = std::to_string(lo), b = std::to_string(lo + o.batch);
      const char* params[2] = {a.c_str(), b.c_str()};
      PgExec(c, "BEGIN");
      r = PQexecPrepared(c, "replay", 2, params, nullptr, nullptr, 0);
      if (PQresultStatus(r) != PGRES_TUPLES_OK) Die(PQresultErrorMessage(r));
      PQclear(r);
      PgExec(c, "COMMIT");
    }
    const double secs = Seconds(rs);
    const bool same = Counts(c) == counts;
    std::printf("pg replay: %llu events in %.1f s (%.0f events/s); counts %s\n",
                static_cast<unsigned long long>(lines), secs, lines / secs,
                same ? "equal the live run's" : "DIFFER");
    if (!same) Die("pg replay gave different counts: " + Counts(c));
    figures.push_back({"pg_replay_events_per_s", "replay (rebuild tickets from events): events/s",
                       "events/s", lines / secs, true, "", 0});
  }
  PQfinish(c);
}

void RunTimers(const Options& o, const PgServer& server) {
  PGconn* c = NewDatabase(server, "timers");
  PgFeed feed(c, o.partitions);
  std::optional<StreamLine> tick;
  uint64_t timers = 0;
  auto start = Clock::now();
  uint64_t peak_kb = 0;
  {
    Sampler mem(server);
    ForEachStreamLine((o.streams / "timers.jsonl").string(), [&](StreamLine& l) {
      if (tick) {
        feed.Add(*tick);
        if (feed.pending() >= o.batch) feed.Commit();
      }
      tick = l;
      if (l.type == "HazardReport") ++timers;
      return true;
    });
    feed.Commit();
    peak_kb = mem.peak_kb();
  }
  const double open_secs = Seconds(start);
  // The same server ran the mix before (if not skipped): its buffers may still hold those pages.
  figures.push_back({"pg_open_peak_pss_mb", "server memory while opening the tickets", "MB",
                     peak_kb / 1024.0, false, "", 0});
  const double db = Number(c, "SELECT pg_database_size(current_database())");
  auto fire = Clock::now();
  feed.Add(*tick);
  feed.Commit();
  const double fire_secs = Seconds(fire);
  const double overdue = Number(c, "SELECT count(*) FROM tickets WHERE overdue");
  std::printf(
      "pg timers: %llu tickets opened in %.1f s, database %.0f MB; one tick fired them "
      "in %.2f s: %.0f overdue\n",
      static_cast<unsigned long long>(timers), open_secs, db / 1e6, fire_secs, overdue);
  if (overdue != static_cast<double>(timers)) Die("pg timers: not every ticket is overdue");
  figures.push_back({"pg_timers_open_events_per_s", "open tickets: reports/s", "events/s",
                     timers / open_secs, true, "", 0});
  figures.push_back(
      {"pg_open_disk_bytes_per_ticket", "disk per open ticket", "B", db / timers, false, "", 0});
  figures.push_back(
      {"pg_timers_fire_s", "fire simultaneous deadlines (s)", "s", fire_secs, false, "", 0});
  PQfinish(c);
}

// Offers `lines` at o.latency_rate onto `feed`'s database and adds the latency figures.
void OfferAtRate(const Options& o, PgFeed& feed, const std::vector<StreamLine>& lines) {
  std::vector<double> ms;
  uint64_t commits = 0;
  const auto start = Clock::now();
  auto arrival = [&](size_t k) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(k) / o.latency_rate));
  };
  for (size_t next = 0; next < lines.size();) {
    const auto now = Clock::now();
    if (arrival(next) > now) {
      std::this_thread::sleep_until(arrival(next));
      continue;
    }
    // Everything that has arrived by now (at most 1,000): one transaction, one commit.
    const size_t first = next;
    for (size_t n = 0; next < lines.size() && arrival(next) <= now && n < 1000; ++next, ++n)
      feed.Add(lines[next]);
    feed.Commit();
    ++commits;
    const auto done = Clock::now();
    for (size_t k = first; k < next; ++k) {
      if (lines[k].type != "ClockTick")
        ms.push_back(std::chrono::duration<double, std::milli>(done - arrival(k)).count());
    }
  }
  LatencyRun run;
  run.rate = o.latency_rate;
  run.offered = lines.size();
  run.seconds = Seconds(start);
  FillPercentiles(ms, run);
  std::printf(
      "pg latency: %zu events offered at %.0f/s in %.1f s (%llu commits): p50 %.1f ms, "
      "p99 %.1f ms, p99.9 %.1f ms, max %.1f ms\n",
      lines.size(), o.latency_rate, run.seconds, static_cast<unsigned long long>(commits),
      run.p50_ms, run.p99_ms, run.p999_ms, run.max_ms);
  figures.push_back(
      {"pg_latency_p50_ms", "arrival-to-routed p50 (ms)", "ms", run.p50_ms, false, "", 0});
  figures.push_back(
      {"pg_latency_p99_ms", "arrival-to-routed p99 (ms)", "ms", run.p99_ms, false, "", 0});
  figures.push_back(
      {"pg_latency_p999_ms", "arrival-to-routed p99.9 (ms)", "ms", run.p999_ms, false, "", 0});
}

// The mix's first latency_rate x latency_seconds events after its setup, on a fresh database.
void RunLatency(const Options& o, const PgServer& server) {
  PGconn* c = NewDatabase(server, "latency");
  PgFeed feed(c, o.partitions);
  std::vector<StreamLine> lines;
  const auto want = static_cast<size_t>(o.latency_rate * o.latency_seconds);
  bool started = false;
  ForEachStreamLine((o.streams / "mix.jsonl").string(), [&](StreamLine& l) {
    if (!started && (l.setup || feed.next_seq() == 0)) {
      feed.Add(l);
      return true;
    }
    started = true;
    lines.push_back(l);
    return lines.size() < want;
  });
  feed.Commit();
  OfferAtRate(o, feed, lines);
  PQfinish(c);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--streams")
      o.streams = value();
    else if (a == "--partitions")
      o.partitions = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--batch")
      o.batch = std::stoull(value());
    else if (a == "--latency-rate")
      o.latency_rate = std::stod(value());
    else if (a == "--latency-seconds")
      o.latency_seconds = std::stod(value());
    else if (a == "--dir")
      o.dir = value();
    else if (a == "--port")
      o.port = std::stoi(value());
    else if (a == "--bin")
      o.bin = value();
    else if (a == "--json")
      o.json = value();
    else if (a == "--skip")
      o.skip = value();
    else if (a == "--latency-tail")
      o.latency_tail = true;
    else
      Die("usage: pg_bench --streams DIR [--partitions P] [--batch N] [--latency-rate R]\n"
          "  [--latency-seconds S] [--dir DIR] [--port N] [--bin DIR] [--json FILE]\n"
          "  [--latency-tail] [--skip mix,replay,timers,latency]");
  }
  if (o.streams.empty()) Die("--streams DIR is required (engine_bench --write-streams DIR)");
  if (o.port == 0) o.port = 20000 + static_cast<int>(::getpid() % 20000);
  return o;
}

int Main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const Options o = Parse(argc, argv);
  auto server = PgServer::Start(o.bin, o.dir / ("cl-pg-bench-" + std::to_string(::getpid())),
                                o.port, kSettings);
  std::printf(
      "pg: PostgreSQL %s on 127.0.0.1:%d in %s\n",
      [&] {
        PGconn* c = Connect(*server, "postgres");
        std::string v = PgValue(c, "SHOW server_version");
        PQfinish(c);
        return v;
      }()
          .c_str(),
      o.port, server->dir().c_str());
  if (o.skip.find("mix") == std::string::npos) RunMix(o, *server);
  if (o.skip.find("timers") == std::string::npos) RunTimers(o, *server);
  if (o.skip.find("latency") == std::string::npos && !o.latency_tail) RunLatency(o, *server);
  std::string settings;
  for (const auto& s : kSettings) settings += (settings.empty() ? "" : "; ") + s;
  notes.push_back("pg settings: " + settings + "; batches of " + std::to_string(o.batch) +
                  " events per transaction");
  WriteResults(o.json, "pg_bench", figures, notes);
  return 0;
}

}  // namespace
}  // namespace closeloop::bench

int main(int argc, char** argv) { return closeloop::bench::Main(argc, argv); }
