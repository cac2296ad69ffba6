// http_bench: the HTTP API under concurrent load from a separate process on loopback.
// It starts `closeloop serve --clock manual` as a child process, seeds it through the API as
// an administrator would (Nanjing reference data, the hazard disposal, oversight and
// enforcement workflows, a pool of publishers and of staff of nj.xuanwu.fire), then drives
// it with N client threads, each on its own keep-alive connection (cpp-httplib), timing
// every request:
//   - GET /healthz: the HTTP stack's own ceiling with the same client and concurrency, the
//     reference every other figure is divided by;
//   - POST /v1/events, one HazardReport per request and batches of 100, answered once
//     durable: first on a server with its default sync (fsync per append), then restarted
//     on the same data directory with --no-sync;
//   - GET /v1/tickets?limit=50 as staff of a department with --fill open tickets, and the
//     second page through the first page's cursor.
// Per phase it also reads the server's CPU time (/proc/PID/stat) and its handler time
// (/metrics' histogram sum), so a slow figure says whether the handler or the HTTP stack
// and the client take the time. The server's per-user rate limit (50/s, bursts of 200) is
// respected, not bypassed: requests rotate over --users users per role, and any answer
// other than the expected one (429 included) stops the bench.
// Usage: http_bench [--threads 6] [--seconds 3] [--fill 20000] [--users 96] [--json FILE]
#include <fmt/format.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "bench/engine_bench_support.h"
#include "bench/http_load.h"
#include "bench/results.h"
#include "tests/support/server_process.h"

namespace closeloop::bench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMonday0900 = 1772413200000;  // 2026-03-02 09:00 Asia/Shanghai
constexpr const char* kBusyDepartment = "nj.xuanwu.fire";

// The server running now, stopped at exit: Die() exits without unwinding the stack.
testing::ServerProcess* g_running = nullptr;
std::string g_metrics_token;  // the admin token: /metrics is not public

struct Options {
  std::string bin = CLOSELOOP_BIN;
  fs::path dir = fs::temp_directory_path();
  // cpp-httplib's server has 8 threads here and a keep-alive connection holds one: 8 clients
  // would starve every other caller (this bench's own /metrics reads included).
  int threads = 6;
  double seconds = 3;      // measured window of each phase
  double warmup = 0.5;     // before each window, not counted
  double ref_seconds = 2;  // /healthz window
  int fill = 20000;        // open tickets in the busy department's queue
  int users = 96;          // per role: the rate limit is per user
  std::string json_path;
  bool keep = false;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: http_bench [--threads N] [--seconds S] [--warmup S] [--ref-seconds S] "
               "[--fill N] [--users N] [--bin CLOSELOOP] [--dir DIR] [--json FILE] [--keep]\n");
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--seconds")
      o.seconds = std::stod(next());
    else if (a == "--warmup")
      o.warmup = std::stod(next());
    else if (a == "--ref-seconds")
      o.ref_seconds = std::stod(next());
    else if (a == "--fill")
      o.fill = std::stoi(next());
    else if (a == "--users")
      o.users = std::stoi(next());
    else if (a == "--bin")
      o.bin = next();
    else if (a == "--dir")
      o.dir = next();
    else if (a == "--json")
      o.json_path = next();
    else if (a == "--keep")
      o.keep = true;
    else
      Usage();
  }
  if (o.threads < 1 || o.seconds <= 0 || o.users < 1 || o.fill < 0) Usage();
  return o;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A HazardReport in the body's JSON. Distinct subjects: each report opens its own ticket
// (the workflow deduplicates by subject and category within 24 hours).
std::string Report(const std::string& subject, const std::string& jurisdiction, uint64_t n) {
  return json{{"source", "hotline-12345"},
              {"subject", subject},
              {"jurisdiction", jurisdiction},
              {"occurred_at", kMonday0900 - 60000 - static_cast<int64_t>(n % 3600000)},
              {"body_type", "HazardReport"},
              {"body",
               {{"channel", "hotline_12345"},
                {"category", "fire_safety"},
                {"severity", "general"},
                {"description",
                 "市民来电：商场安全出口被货物堵塞，疏散通道上锁，请核查 #" + std::to_string(n)},
                {"address", "南京市" + jurisdiction}}}}
      .dump();
}

// The administrator's side: seeding and users, one request at a time, waiting out the
// server's rate limit (429 + Retry-After) instead of failing on it.
class Admin {
 public:
  Admin(int port, std::string token) : cli_("127.0.0.1", port), token_(std::move(token)) {
    cli_.set_read_timeout(60, 0);
  }
  json Call(const std::string& method, const std::string& path, const std::string& body, int expect,
            const std::string& token = "") {
    httplib::Headers h = {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}};
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto r = method == "GET" ? cli_.Get(path.c_str(), h)
                               : cli_.Post(path.c_str(), h, body, "application/json");
      if (!r) Die(method + " " + path + ": " + httplib::to_string(r.error()));
      if (r->status == 429) {
        std::this_thread::sleep_for(std::chrono::seconds(
            std::max(1, std::atoi(r->get_header_value("Retry-After").c_str()))));
        continue;
      }
      if (r->status != expect) {
        Die(method + " " + path + ": HTTP " + std::to_string(r->status) + " " + r->body);
      }
      return json::parse(r->body, nullptr, false);
    }
    Die(method + " " + path + ": still rate-limited");
  }
  std::string AddUser(const json& user) {
    Call("POST", "/v1/admin/users", user.dump(), 201);
    json t = Call("POST", "/v1/admin/users/" + user["name"].get<std::string>() + "/tokens",
                  R"({"label": "http_bench"})", 201);
    return t["token"];
  }

 private:
  httplib::Client cli_;
  std::string token_;
};

// Polls /readyz until the engine has caught up with the log. Seconds waited.
double WaitReady(int port, double limit_s = 300) {
  httplib::Client cli("127.0.0.1", port);
  const auto start = Clock::now();
  for (;;) {
    auto r = cli.Get("/readyz");
    if (r && r->status == 200) return Seconds(start);
    if (Seconds(start) > limit_s) Die("the engine did not catch up within the limit");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// One phase against `server`, with the bench's threads and warm-up.
LoadStats Run(const testing::ServerProcess& server, const Options& o, const std::string& name,
              double seconds, int expect, const MakeHttpRequest& make, bool keep_alive,
              const std::string& route_method, const std::string& route) {
  LoadSpec spec;
  spec.port = server.port();
  spec.server_pid = server.pid();
  spec.threads = o.threads;
  spec.warmup_s = o.warmup;
  spec.seconds = seconds;
  spec.expect = expect;
  spec.keep_alive = keep_alive;
  spec.route_method = route_method;
  spec.route = route;
  spec.metrics_token = g_metrics_token;
  return RunHttpLoad(name, spec, make);
}

void PrintHeader() {
  std::printf("%-44s %9s %9s %8s %8s %8s %7s %9s %9s %10s\n", "phase", "req/s", "events/s",
              "p50 ms", "p99 ms", "mean ms", "vs ref", "srv CPU", "cli CPU", "handler ms");
  std::printf("%-44s %9s %9s %8s %8s %8s %7s %9s %9s %10s\n", "", "", "", "", "", "", "req/s",
              "us/req", "us/req", "mean");
}

void Print(const LoadStats& s, const LoadStats* ref) {
  std::printf("%-44s %9.0f %9s %8.2f %8.2f %8.2f %7s %9.0f %9.0f %10s\n", s.name.c_str(), s.rps,
              s.events_per_request > 0 ? Thousands(s.rps * s.events_per_request).c_str() : "-",
              s.p50, s.p99, s.mean, ref ? fmt::format("{:.3f}", s.rps / ref->rps).c_str() : "-",
              s.server_cpu_us, s.client_cpu_us,
              s.handler_ms >= 0 ? fmt::format("{:.2f}", s.handler_ms).c_str() : "-");
  std::fflush(stdout);
}

// A phase's figures for results.json, each against the /healthz reference of its server.
void AddFigures(std::vector<Figure>* out, const std::string& key, const LoadStats& s,
                const LoadStats& ref, const std::string& ref_name) {
  const std::string base = "http_" + key;
  out->push_back(
      {base + "_rps", s.name + ": requests/s", "req/s", s.rps, true, ref_name + " req/s", ref.rps});
  if (s.events_per_request > 0) {
    out->push_back({base + "_events_per_s", s.name + ": events/s", "events/s",
                    s.rps * s.events_per_request, true, "", 0});
  }
  out->push_back(
      {base + "_p50_ms", s.name + ": p50 (ms)", "ms", s.p50, false, ref_name + " p50", ref.p50});
  out->push_back(
      {base + "_p99_ms", s.name + ": p99 (ms)", "ms", s.p99, false, ref_name + " p99", ref.p99});
}

int Main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a connection the server closes must not kill the client
  const Options o = Parse(argc, argv);
  if (::access(o.bin.c_str(), X_OK) != 0) Die(o.bin + " not found (build the closeloop target)");
  const fs::path root = o.dir / ("cl-http-bench-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string data = (root / "data").string();
  std::printf(
      "http_bench: %d client threads, keep-alive, %.1f s per phase after %.1f s warm-up; "
      "server %s on 127.0.0.1 (%s)\n",
      o.threads, o.seconds, o.warmup, o.bin.c_str(), data.c_str());

  // ---- server 1: the default sync (every publish fsynced before it is answered) ----
  std::atexit([] {
    if (g_running) g_running->Stop();
  });
  auto start = [&](bool sync) {
    auto s = std::make_unique<testing::ServerProcess>();
    std::vector<std::string> args = {"serve",       "--data",  data,    "--http",
                                     "127.0.0.1:0", "--clock", "manual"};
    if (!sync) args.push_back("--no-sync");
    // A log per server: ServerProcess finds the port in it.
    const std::string log = (root / (sync ? "serve-sync.log" : "serve-nosync.log")).string();
    g_running = s.get();
    Check(s->Start(o.bin, args, log), "closeloop serve (log: " + log + ")");
    return s;
  };
  auto server = start(true);
  std::string admin_token = ReadFile(root / "data" / "admin-token");
  while (!admin_token.empty() && std::isspace(static_cast<unsigned char>(admin_token.back()))) {
    admin_token.pop_back();
  }
  if (admin_token.empty()) Die("no admin-token in " + data);
  g_metrics_token = admin_token;  // /metrics is not public

  const auto seed_start = Clock::now();
  std::vector<std::string> publishers, staff;
  std::string counter;
  {
    Admin admin(server->port(), admin_token);
    const fs::path src = CLOSELOOP_SOURCE_DIR;
    json records = json::array();
    for (const char* table : {"calendars", "departments", "jurisdictions", "hazard_classes",
                              "hazard_routing", "enterprises"}) {
      std::ifstream in(src / "workflows" / "reference" / (std::string(table) + ".jsonl"));
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty()) records.push_back(json::parse(line));
      }
    }
    admin.Call("POST", "/v1/admin/reference-data", records.dump(), 201);
    // hazard_disposal uses enforcement_case and oversight_case: all three are deployed.
    for (const char* wf : {"hazard_disposal", "oversight_case", "enforcement_case"}) {
      admin.Call("POST", "/v1/admin/workflows",
                 json{{"file", std::string(wf) + ".wf"},
                      {"source", ReadFile(src / "workflows" / (std::string(wf) + ".wf"))}}
                     .dump(),
                 201);
    }
    admin.Call("POST", "/v1/admin/clock", R"({"to": "2026-03-02T09:00"})", 200);
    for (int i = 0; i < o.users; ++i) {
      publishers.push_back(admin.AddUser({{"name", fmt::format("bench-pub-{:03}", i)},
                                          {"role", "publisher"},
                                          {"agency", "hotline-12345"},
                                          {"event_types", {"HazardReport"}}}));
      staff.push_back(admin.AddUser({{"name", fmt::format("bench-fire-{:03}", i)},
                                     {"role", "staff"},
                                     {"department", kBusyDepartment}}));
    }
    counter = admin.AddUser(
        {{"name", "bench-count"}, {"role", "staff"}, {"department", kBusyDepartment}});
  }
  WaitReady(server->port());
  std::printf(
      "seeded: reference data, 3 workflows, clock 2026-03-02 09:00, %d publishers and "
      "%d staff of %s, in %.1f s\n\n",
      o.users, o.users + 1, kBusyDepartment, Seconds(seed_start));
  PrintHeader();

  // Requests rotate over the users so none exceeds the per-user rate limit.
  std::atomic<uint64_t> serial{0};
  auto bearer = [&](const std::vector<std::string>& pool, int thread, uint64_t i) {
    return httplib::Headers{
        {"Authorization",
         "Bearer " + pool[(static_cast<uint64_t>(thread) + i * o.threads) % pool.size()]}};
  };
  // Publish phases route to another department (nj.gulou.fire), so the busy department's
  // queue holds exactly the --fill tickets.
  auto publish = [&](size_t per_request) {
    return [&, per_request](int thread, uint64_t i, HttpRequest* r) {
      r->post = true;
      r->path = "/v1/events";
      r->headers = bearer(publishers, thread, i);
      r->body.clear();
      if (per_request > 1) r->body = "[";
      for (size_t k = 0; k < per_request; ++k) {
        uint64_t n = serial.fetch_add(1, std::memory_order_relaxed);
        if (k > 0) r->body += ",";
        r->body += Report("PUB-" + std::to_string(n), "gulou.ninghailu", n);
      }
      if (per_request > 1) r->body += "]";
    };
  };
  auto healthz = [](int, uint64_t, HttpRequest* r) {
    r->post = false;
    r->path = "/healthz";
  };
  std::vector<Figure> figures;
  std::vector<std::string> notes;
  // A phase twice: on keep-alive connections (the figures), then a new connection per request
  // (what the same work costs without the keep-alive stall; see docs/performance.md).
  struct Both {
    LoadStats kept, fresh;
  };
  auto phase = [&](const std::string& key, const std::string& name, double secs, int expect,
                   const MakeHttpRequest& make, const std::string& route_method,
                   const std::string& route, double per_request, const Both* ref) {
    Both out;
    for (bool keep : {true, false}) {
      // The new-connection runs are the diagnosis, not the figures: half the window.
      LoadStats st =
          Run(*server, o, keep ? name : "  same, a new connection per request",
              keep ? secs : std::max(1.0, secs / 2), expect, make, keep, route_method, route);
      st.events_per_request = per_request;
      Print(st, ref ? (keep ? &ref->kept : &ref->fresh) : nullptr);
      if (!keep) st.name = name + ", new connection each";
      (keep ? out.kept : out.fresh) = st;
      if (ref) {
        AddFigures(&figures, keep ? key : key + "_fresh", st, keep ? ref->kept : ref->fresh,
                   keep ? "GET /healthz" : "GET /healthz, new connection each");
      }
    }
    return out;
  };
  auto reference = [&](const std::string& key, const std::string& name) {
    Both r = phase(key, name, o.ref_seconds, 200, healthz, "", "", 0, nullptr);
    figures.push_back({"http_" + key + "_rps", name + ": requests/s", "req/s", r.kept.rps, true});
    figures.push_back({"http_" + key + "_p50_ms", name + ": p50 (ms)", "ms", r.kept.p50, false});
    figures.push_back({"http_" + key + "_fresh_rps", name + ", new connection each: requests/s",
                       "req/s", r.fresh.rps, true});
    return r;
  };

  const Both ref_sync = reference("healthz_sync_server", "GET /healthz (sync server)");
  for (size_t per : {size_t{1}, size_t{100}}) {
    WaitReady(server->port());
    phase(fmt::format("publish{}_sync", per),
          fmt::format("POST /v1/events x{}, fsync (default)", per), o.seconds, 201, publish(per),
          "POST", "/v1/events", static_cast<double>(per), &ref_sync);
  }
  const double drain_sync = WaitReady(server->port());
  int code = server->Stop();
  g_running = nullptr;
  if (code != 0) Die("serve exited with " + std::to_string(code));

  // ---- server 2: the same data directory, --no-sync ----
  server = start(false);
  const Both ref = reference("healthz", "GET /healthz (--no-sync server)");
  for (size_t per : {size_t{1}, size_t{100}}) {
    WaitReady(server->port());
    phase(fmt::format("publish{}_nosync", per), fmt::format("POST /v1/events x{}, --no-sync", per),
          o.seconds, 201, publish(per), "POST", "/v1/events", static_cast<double>(per), &ref);
  }
  const double drain_nosync = WaitReady(server->port());

  // Fill the busy department's queue: --fill reports in Xuanwu (fire safety -> nj.xuanwu.fire),
  // 100 per request, then wait until the engine opened every ticket.
  const auto fill_start = Clock::now();
  {
    httplib::Client cli("127.0.0.1", server->port());
    cli.set_read_timeout(120, 0);
    for (int i = 0; i < o.fill; i += 100) {
      std::string body = "[";
      for (int k = i; k < std::min(o.fill, i + 100); ++k) {
        if (k > i) body += ",";
        body += Report(fmt::format("SITE-XW-{:06}", k), "xuanwu.meiyuan", static_cast<uint64_t>(k));
      }
      body += "]";
      auto r = cli.Post("/v1/events", bearer(publishers, 0, static_cast<uint64_t>(i / 100)), body,
                        "application/json");
      if (!r || r->status != 201) Die("fill: " + (r ? r->body : httplib::to_string(r.error())));
    }
  }
  const double fill_publish_s = Seconds(fill_start);
  WaitReady(server->port());
  const double fill_s = Seconds(fill_start);
  // Count the queue page by page (500 a page): the engine must have opened every ticket.
  size_t queued = 0;
  std::string cursor, first_cursor;
  {
    Admin as_staff(server->port(), counter);
    for (int page = 0;; ++page) {
      json p = as_staff.Call(
          "GET", "/v1/tickets?limit=500" + (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)),
          "", 200);
      queued += p["tickets"].size();
      if (!p.contains("next_cursor")) break;
      cursor = p["next_cursor"];
    }
    json p1 = as_staff.Call("GET", "/v1/tickets?limit=50", "", 200);
    if (p1["tickets"].size() != 50 || !p1.contains("next_cursor")) Die("first page not full");
    first_cursor = p1["next_cursor"];
  }
  if (queued < static_cast<size_t>(o.fill)) {
    Die(fmt::format("{} holds {} tickets, expected {}", kBusyDepartment, queued, o.fill));
  }
  std::printf("%-44s %s reports published in %.1f s, processed after %.1f s; %s queue: %zu\n",
              "fill", Thousands(o.fill).c_str(), fill_publish_s, fill_s, kBusyDepartment, queued);

  const std::string page2 = "/v1/tickets?limit=50&cursor=" + UrlEncode(first_cursor);
  auto queue = [&](const std::string& path) {
    return [&, path](int thread, uint64_t i, HttpRequest* r) {
      r->post = false;
      r->path = path;
      r->headers = bearer(staff, thread, i);
    };
  };
  phase("queue_page1", fmt::format("GET /v1/tickets?limit=50 ({} open)", queued), o.seconds, 200,
        queue("/v1/tickets?limit=50"), "GET", "/v1/tickets", 0, &ref);
  phase("queue_page2", "GET /v1/tickets?limit=50&cursor= (page 2)", o.seconds, 200, queue(page2),
        "GET", "/v1/tickets", 0, &ref);
  code = server->Stop();
  g_running = nullptr;
  if (code != 0) Die("serve exited with " + std::to_string(code));

  std::printf(
      "\nvs ref: requests/s divided by GET /healthz's on the same server, same client and "
      "concurrency.\nsrv CPU: the server process's CPU time per request (all its threads, the "
      "engine's processing included); cli CPU: this process's.\nhandler ms: mean time inside the "
      "API's handler (auth, rate limit, work, access log), from the server's own /metrics.\n"
      "engine backlog after the publish phases: %.1f s (sync server), %.1f s (--no-sync).\n",
      drain_sync, drain_nosync);

  notes.push_back(
      fmt::format("{} client threads, keep-alive (the server closes after 100 "
                  "requests), {:.1f} s per phase; {} open tickets in {}",
                  o.threads, o.seconds, queued, kBusyDepartment));
  notes.push_back("client and server share the machine's cores");
  WriteResults(o.json_path, "http_bench", figures, notes);
  if (!o.keep) fs::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace closeloop::bench

int main(int argc, char** argv) { return closeloop::bench::Main(argc, argv); }
