// closeloop serve [--data DIR] [--http ADDR:PORT] [--partitions N]
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "app/commands.h"
#include "connectors/http/server.h"
#include "connectors/rocksdb/embedded_log.h"

namespace closeloop::app {
namespace {

struct ServeOptions {
  std::string data = "./data";
  std::string http = "127.0.0.1:8080";
  uint32_t partitions = 0;
  bool no_sync = false;
};

// Blocks until SIGINT or SIGTERM.
void WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {}: stopping", sig);
}

void RunServe(const ServeOptions& o) {
  // Block the stop signals in every thread (threads inherit the mask) so sigwait gets them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto hp = http::ParseHostPort(o.http);
  if (!hp.ok()) Fail("--http: " + hp.status().message(), 2);
  auto db = rocks::RocksDb::Open(o.data, {.sync = !o.no_sync});
  if (!db.ok()) Fail(db.status().ToString());
  auto log = rocks::EmbeddedLog::Open(db->get(), o.partitions);
  if (!log.ok()) Fail(log.status().ToString());

  http::HttpServer server({.host = hp->first, .port = hp->second});
  Status started = server.Start();
  if (!started.ok()) Fail(started.ToString());
  spdlog::info("closeloop serving http://{}:{} data={} log={} partitions={}", server.host(),
               server.port(), o.data, (*log)->name(), (*log)->partition_count());
  WaitForStopSignal();
  server.Stop();
}

}  // namespace

void AddServeCommand(CLI::App& root) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = root.add_subcommand("serve", "Run the engine and the HTTP API on the embedded log");
  AddDataOption(*cmd, &opts->data);
  cmd->add_option("--http", opts->http, "address to serve HTTP on")->capture_default_str();
  cmd->add_option("--partitions", opts->partitions,
                  "partitions of a new log (default 4; fixed once created)");
  cmd->add_flag("--no-sync", opts->no_sync, "do not fsync appends (faster; unsafe on power loss)");
  cmd->callback([opts] { RunServe(*opts); });
}

}  // namespace closeloop::app
