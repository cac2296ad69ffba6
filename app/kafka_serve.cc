#include "app/kafka_serve.h"

#include <spdlog/spdlog.h>

#include <csignal>

#include "app/commands.h"
#include "app/wall_clock.h"
#include "connectors/http/server.h"
#include "connectors/kafka/kafka_engine.h"

namespace closeloop::app {

Result<kafka::Config> KafkaConfig(const std::string& brokers,
                                  const std::vector<std::string>& properties) {
  kafka::Config c;
  c["bootstrap.servers"] = brokers;
  for (const auto& p : properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("--kafka-property wants KEY=VALUE, got '" + p + "'");
    c[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return c;
}

void RunKafkaServe(const KafkaServeOptions& o) {
  auto hp = http::ParseHostPort(o.http);
  if (!hp.ok()) Fail("--http: " + hp.status().message(), 2);
  auto config = KafkaConfig(o.brokers, o.properties);
  if (!config.ok()) Fail(config.status().message(), 2);

  kafka::KafkaEngineOptions eo;
  eo.config = *config;
  eo.group = o.group;
  eo.topics.prefix = o.topic_prefix;
  eo.data = o.data;
  eo.tick_ms = o.clock.manual ? 0 : o.clock.tick_ms;
  eo.clock_speed = o.clock.speed;
  eo.wall_clock_ms = WallClockMillis;  // the scheduler: the one place that reads it
  auto engine = kafka::KafkaEngine::Open(eo);
  if (!engine.ok()) Fail(engine.status().ToString());
  Status started = (*engine)->Start();
  if (!started.ok()) Fail(started.ToString());

  http::HttpServer server({.host = hp->first, .port = hp->second});
  kafka::KafkaEngine* raw = engine->get();
  server.SetReadiness([raw] { return raw->CaughtUp(); });
  Status up = server.Start();
  if (!up.ok()) Fail(up.ToString());
  spdlog::info("closeloop serving http://{}:{} kafka={} group={} topics={}.* partitions={} data={}",
               server.host(), server.port(), o.brokers, o.group, o.topic_prefix,
               (*engine)->partitions(), o.data);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {}: stopping", sig);
  server.Stop();
  (*engine)->Stop();
  auto s = (*engine)->stats();
  spdlog::info(
      "stopped: processed {} mirrored {} duplicates dropped {} bad records {} produced {} "
      "(skipped {} already on Kafka) ingress accepted {} rejected {} rebalances {}",
      s.processed, s.mirrored, s.duplicates, s.bad_records, s.produced, s.skipped,
      s.ingress_accepted, s.ingress_rejected, s.rebalances);
}

}  // namespace closeloop::app
