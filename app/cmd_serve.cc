// closeloop serve [--data DIR] [--http ADDR:PORT] [--partitions N]
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "app/api_wiring.h"
#include "app/checkpoint_publisher.h"
#include "app/commands.h"
#include "app/demo_runner.h"
#include "app/engine_runner.h"
#include "app/kafka_serve.h"
#include "app/node.h"
#include "app/signals.h"
#include "connectors/http/server.h"

namespace closeloop::app {
namespace {

struct ServeOptions {
  std::string data = "./data";
  std::string http = "127.0.0.1:8080";
  uint32_t partitions = 0;
  bool no_sync = false;
  std::string clock = "wall";
  double clock_speed = 1.0;
  bool clock_speed_given = false;  // --clock-speed on the command line (else --demo's own)
  std::string tick = "";
  std::string tls_cert, tls_key;  // both: HTTPS
  KafkaServeOptions kafka;        // --kafka: Kafka is the log (app/kafka_serve.h)
  bool demo = false;              // --demo: the living demo city (app/demo_runner.h)
  uint64_t demo_seed = 1;
  std::string workflows;        // --workflows: the demo's city instead of the built-in one
  std::string city;             // --city: which shipped city the demo seeds
  http::ServerOptions limits;   // connection limits (--max-connections...)
  uint64_t min_free_mib = 256;  // writes refused under it (rocks_db.h)
  uint64_t memory_mib = Node::kDefaultMemoryBytes >> 20;  // the process's budget (node.h)
  std::string checkpoint_every = "1m";  // wall time between signed checkpoints; 0 = on demand
  std::string notify_config;            // --notify-config: keys, SMTP, retries (connectors/notify)
  notify::DelivererOptions notify;
  std::vector<std::string> outlines_files;  // --outlines: GeoJSON the maps draw
  std::vector<std::string> outlines;        // the shipped ones and those files, checked
};

// Whether RocksDB has room to open `dir` for writing: it writes a new MANIFEST, OPTIONS and
// WAL, and flushes what the WALs hold. Debian's RocksDB, finding no room, aborts on an
// assertion ("sync_without_flush_called_") instead of returning an error, and would at
// every restart: so look first.
bool RoomToOpen(const std::string& dir) {
  uint64_t need = 8 << 20;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = f.path().filename().string();
    if (name.ends_with(".log") || name.starts_with("MANIFEST-")) need += f.file_size(ec);
  }
  return rocks::FreeBytes(dir) >= need;
}

// Serves `node` until a stop signal (true) or, read-only, until the disk has room (false).
bool ServeNode(const ServeOptions& o, const ClockOptions& clock, int64_t checkpoint_ms,
               const std::string& host, int* port, Node& node) {
  const bool read_only = node.read_only();
  EngineRunner engine(node);
  if (!read_only) engine.Start();
  std::unique_ptr<DemoRunner> demo;
  if (o.demo && !read_only) {
    demo =
        std::make_unique<DemoRunner>(node, DemoOptions{.seed = o.demo_seed,
                                                       .workflows_dir = o.workflows,
                                                       .city = o.city,
                                                       .city_dir = o.data + "/demo-city",
                                                       .attachments_dir = o.data + "/attachments"});
    Status seeded = demo->Seed();  // before the Scheduler, which resumes from the engine's clock
    if (!seeded.ok()) Fail(seeded.ToString());
  }
  // Read-only (disk full), the checkpoints signed so far are served but none is signed.
  auto opened = rocks::Checkpointer::Open(node.log.get(), node.db.get(), o.data, !read_only);
  if (!opened.ok() && !read_only) Fail(opened.status().ToString());
  if (!opened.ok()) spdlog::warn("no checkpoints served: {}", opened.status().ToString());
  std::unique_ptr<rocks::Checkpointer> checkpoints = opened.ok() ? std::move(*opened) : nullptr;
  std::unique_ptr<CheckpointPublisher> publisher;
  if (!read_only) {
    publisher = std::make_unique<CheckpointPublisher>(*checkpoints, checkpoint_ms);
    publisher->Start();
  }
  Scheduler scheduler(node, clock);
  if (!read_only) scheduler.Start();
  // Notifications leave after the engine's commits, on their own thread (deliverer.h).
  std::unique_ptr<notify::Deliverer> deliverer;
  if (!read_only) {
    deliverer = std::make_unique<notify::Deliverer>(
        *node.store, node.partitions(), [&node] { return node.EngineNow(); }, o.notify);
    deliverer->Start();
  }
  if (demo) demo->Start();

  http::ServerOptions so = o.limits;
  so.host = host;
  so.port = *port;
  so.tls_cert = o.tls_cert;
  so.tls_key = o.tls_key;
  http::HttpServer server(so);
  server.SetReadiness([&engine, read_only] { return read_only || engine.CaughtUp(); });
  auto api = MakeEmbeddedApi(node, engine,
                             {.manual_clock = clock.manual,
                              .sync = !o.no_sync,
                              .demo = o.demo,
                              .data_dir = o.data,
                              .checkpoints = checkpoints.get(),
                              .notify = deliverer.get(),
                              .outlines = o.outlines});
  api->Register(server);
  std::string admin_token;
  if (!read_only) {
    auto bootstrapped = BootstrapAdmin(*api, o.data);
    if (!bootstrapped.ok()) Fail("users and tokens: " + bootstrapped.status().ToString());
    admin_token = *bootstrapped;
  }
  Status started = server.Start();
  if (!started.ok()) Fail(started.ToString());
  *port = server.port();  // a reopening binds the same port, even if 0 asked for any
  if (!admin_token.empty()) {
    spdlog::info("user 'admin' has a new token (valid 30 days) in {} (shown nowhere else)",
                 admin_token);
  }
  if (demo && !read_only) {
    std::vector<DemoUser> users;
    for (const auto& p : demo->Personas()) {
      users.push_back({p.name, p.role, p.department, p.display_name, p.acts_as});
    }
    std::string url = "http://" + server.host() + ":" + std::to_string(server.port());
    auto lines = WriteDemoCredentials(*api, o.data, users, url);
    spdlog::info("demo credentials (also in {}/demo-credentials.json):", o.data);
    for (const auto& line : lines) spdlog::info("{}", line);
  }
  // The engine's staff directory follows this node's users (created offline, by an earlier
  // run or just now for the demo); when the engine is still catching up, the first assign
  // records it instead.
  if (!read_only) {
    if (Status synced = api->SyncStaffDirectory(); !synced.ok()) {
      spdlog::warn("staff directory at start: {}", synced.ToString());
    }
  }
  spdlog::info("closeloop serving {}://{}:{} data={} log={} partitions={} clock={}{}{}",
               server.tls() ? "https" : "http", server.host(), server.port(), o.data,
               node.log->name(), node.partitions(), o.clock,
               clock.speed != 1.0 ? fmt::format(" x{:g}", clock.speed) : "",
               read_only ? " READ-ONLY (disk full)" : "");
  // Until stopped; or, read-only or after a write filled the disk under RocksDB
  // (needs_reopen, rocks_db.h says why), until there is room: then close and reopen.
  int sig = 0;
  while ((sig = WaitForStopSignal(std::chrono::seconds(1))) == 0 &&
         !((read_only || node.db->needs_reopen()) && RoomToOpen(o.data))) {
  }
  const bool stopped = sig != 0;
  if (stopped) spdlog::info("signal {}: stopping", sig);
  if (demo) demo->Stop();
  api->Stop();
  server.Stop();
  if (deliverer) deliverer->Stop();
  scheduler.Stop();
  engine.Stop();
  if (publisher) publisher->Stop();
  spdlog::info("stopped after processing {} record(s)", engine.processed());
  return stopped;
}

void RunServe(const ServeOptions& o) {
  BlockStopSignals();

  if (o.tls_cert.empty() != o.tls_key.empty()) Fail("--tls-cert and --tls-key go together", 2);
  auto hp = http::ParseHostPort(o.http);
  if (!hp.ok()) Fail("--http: " + hp.status().message(), 2);
  if (o.clock != "wall" && o.clock != "manual") Fail("--clock must be wall or manual", 2);
  if (!(o.clock_speed > 0)) Fail("--clock-speed must be > 0", 2);
  ClockOptions clock{.manual = o.clock == "manual", .speed = o.clock_speed};
  // The demo city runs on its own clock, a simulated minute a second, unless told otherwise
  // (demo_runner.h).
  if (o.demo && !o.clock_speed_given) clock.speed = kDemoClockSpeed;
  // A real clock ticks every minute; an accelerated one every second of wall time; the demo's
  // every simulated minute, but at most four times a second (a faster demo: coarser ticks).
  clock.tick_ms =
      o.demo ? std::clamp<int64_t>(static_cast<int64_t>(60'000 / clock.speed), 250, kDemoTickMs)
      : o.clock_speed > 1 ? 1000
                          : 60000;
  if (!o.tick.empty()) {
    auto t = ParseDuration(o.tick);
    if (!t.ok() || *t <= 0)
      Fail("--tick: " + (t.ok() ? std::string("must be > 0") : t.status().message()), 2);
    clock.tick_ms = *t;
  }

  int64_t checkpoint_ms = 0;
  if (o.checkpoint_every != "0") {
    auto every = ParseDuration(o.checkpoint_every);
    if (!every.ok() || *every <= 0) Fail("--checkpoint-every: a duration such as 30s, or 0", 2);
    checkpoint_ms = *every;
  }
  if (o.demo && !o.kafka.brokers.empty()) Fail("--demo runs on the embedded log, not --kafka", 2);
  if (!o.workflows.empty() && !o.demo) Fail("--workflows: only with --demo", 2);
  if (!o.city.empty() && !o.demo) Fail("--city: only with --demo", 2);
  ServeOptions with_notify = o;
  // Outlines a map cannot draw are refused now, with where, not found out by a user later.
  auto outlines = LoadOutlines(o.outlines_files);
  if (!outlines.ok()) Fail("--outlines: " + outlines.status().message(), 2);
  with_notify.outlines = std::move(*outlines);
  if (!o.notify_config.empty()) {
    auto loaded = notify::LoadDelivererOptions(o.notify_config);
    if (!loaded.ok()) Fail(loaded.status().message(), 2);
    with_notify.notify = std::move(*loaded);
  }
  if (!o.kafka.brokers.empty()) {  // Kafka is the log: app/kafka_serve.h
    KafkaServeOptions k = o.kafka;
    k.data = o.data;
    k.http = o.http;
    k.memory_bytes = o.memory_mib << 20;
    k.clock = clock;
    k.outlines = with_notify.outlines;
    RunKafkaServe(k);
    return;
  }
  // On a disk too full to open for writing (RocksDB must write to open), serve what is
  // there read-only and reopen for writing once space is freed; never abort at each restart.
  std::string host = hp->first;
  int port = hp->second;
  for (;;) {
    Result<Node> node = rocks::DiskFull("no room to open " + o.data + " for writing");
    if (RoomToOpen(o.data)) {
      node = Node::TryOpen(o.data, /*read_only=*/false, o.partitions, !o.no_sync,
                           /*create=*/true, o.min_free_mib << 20, o.memory_mib << 20);
    }
    if (!node.ok() && rocks::IsDiskFull(node.status())) {
      spdlog::error("{}", node.status().ToString());
      spdlog::error("serving read-only: writes answer 507 until space is freed on {}", o.data);
      node = Node::TryOpen(o.data, /*read_only=*/true, o.partitions, true, true, 0,
                           o.memory_mib << 20);
    }
    if (!node.ok()) Fail(node.status().ToString());
    if (ServeNode(with_notify, clock, checkpoint_ms, host, &port, *node))
      return;  // stopped by a signal
    spdlog::info("there is room on {} again: reopening for writing", o.data);
  }
}

}  // namespace

void AddServeCommand(CLI::App& root) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd =
      root.add_subcommand("serve", "Run the engine and the HTTP API on the embedded log");
  AddDataOption(*cmd, &opts->data);
  cmd->add_option("--http", opts->http, "address to serve HTTP on")->capture_default_str();
  cmd->add_option("--tls-cert", opts->tls_cert, "PEM certificate chain: serve HTTPS (TLS 1.2+)");
  cmd->add_option("--tls-key", opts->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--partitions", opts->partitions,
                  "partitions of a new log (default 4; fixed once created)");
  cmd->add_flag("--no-sync", opts->no_sync, "do not fsync appends (faster; unsafe on power loss)");
  cmd->add_option(
         "--clock", opts->clock,
         "wall: the scheduler appends clock records; manual: only `closeloop clock advance`")
      ->capture_default_str();
  CLI::Option* speed =
      cmd->add_option("--clock-speed", opts->clock_speed,
                      "simulated seconds per wall second (default 1; with --demo 60, a minute "
                      "a second; 3600 = an hour a second)");
  cmd->add_option("--tick", opts->tick,
                  "wall time between clock records (default 1m; 1s when accelerated)");
  // Kafka (app/kafka_serve.h, docs/operations.md).
  cmd->add_option("--kafka", opts->kafka.brokers, "Kafka bootstrap servers: Kafka is the log");
  cmd->add_option("--group", opts->kafka.group, "consumer group of the engine processes (--kafka)")
      ->capture_default_str();
  cmd->add_option("--topic-prefix", opts->kafka.topic_prefix, "Kafka topic prefix (--kafka)")
      ->capture_default_str();
  cmd->add_option("--kafka-property", opts->kafka.properties,
                  "librdkafka property KEY=VALUE, repeatable (--kafka)");
  cmd->add_option("--checkpoint-every", opts->checkpoint_every,
                  "wall time between signed checkpoints of the partitions' trees (0: on demand)")
      ->capture_default_str();
  cmd->add_flag("--demo", opts->demo,
                "seed the demo city if the log is empty, then simulate its agencies and staff "
                "on a clock of a simulated minute a second (--clock-speed to change it); the "
                "listed demo people's steps wait for them");
  cmd->add_option("--demo-seed", opts->demo_seed, "the demo city's seed")->capture_default_str();
  cmd->add_option("--workflows", opts->workflows,
                  "with --demo: a directory of *.wf files and reference/*.jsonl to seed instead of "
                  "the city built into the binary")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--city", opts->city,
                  "with --demo: the city to seed, nanjing (default) or taicang (a directory "
                  "cities/NAME of the workflows directory)");
  cmd->add_option("--outlines", opts->outlines_files,
                  "GeoJSON FeatureCollection of district and street outlines for the console's "
                  "maps (features by properties.code; repeatable; checked at start); a city "
                  "not built into the binary brings its own")
      ->check(CLI::ExistingFile);
  cmd->add_option("--notify-config", opts->notify_config,
                  "JSON file: webhook keys, SMTP server, retries (docs/operations.md)");
  cmd->add_option("--memory", opts->memory_mib,
                  "MiB for the engine: RocksDB's block cache and memtables (5/8) and the "
                  "decoded-ticket caches (1/4), within one budget")
      ->check(CLI::Range(Node::kMinMemoryBytes >> 20, uint64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--min-free-space", opts->min_free_mib,
                  "MiB kept free on the data disk: writes answer 507 below it (0: none)")
      ->capture_default_str();
  // Connection limits (connectors/http/front.h, docs/operations.md).
  cmd->add_option("--max-connections", opts->limits.max_connections,
                  "open connections at once (over it the oldest without a request is closed)")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-address", opts->limits.max_connections_per_address,
                  "open connections from one client address")
      ->capture_default_str();
  cmd->add_option("--header-timeout", opts->limits.header_timeout_s,
                  "seconds a client has to send a request's whole head")
      ->capture_default_str();
  cmd->add_option("--max-attachment-bytes", opts->limits.max_attachment_bytes,
                  "bytes one uploaded file (POST /v1/attachments) may have; over it: 413")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([opts, speed] {
    opts->clock_speed_given = speed->count() > 0;
    RunServe(*opts);
  });
}

}  // namespace closeloop::app
