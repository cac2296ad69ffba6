#include "app/kafka_serve.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <map>

#include "app/api_wiring.h"
#include "app/commands.h"
#include "app/signals.h"
#include "app/wall_clock.h"
#include "connectors/file/ingress.h"
#include "connectors/http/api.h"
#include "connectors/http/server.h"
#include "connectors/kafka/kafka_engine.h"
#include "events/record_build.h"

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

// The HTTP API over the Kafka engine: publishing produces to the records topic and answers
// once the brokers acknowledged (acks=all); reads see the partitions this process owns.
// Actions answer 202 once durable: the engine reads a deduplicated mirror whose offsets
// are not Kafka's, so the call cannot wait for "its" record's decision.
http::ApiBackend KafkaApiBackend(kafka::KafkaEngine& e, bool manual_clock) {
  http::ApiBackend b;
  b.log = &e.log();
  b.state = &e.store();
  b.db = &e.db();
  b.decisions_visible = false;
  const uint32_t parts = e.partitions();
  b.publish = [&e](const std::vector<events::IngressItem>& items)
      -> Result<std::vector<events::IngressAck>> {
    std::map<uint32_t, std::vector<std::string>> by_partition;
    std::vector<std::pair<uint32_t, size_t>> slot;
    for (const auto& item : items) {
      for (size_t k = 0; k < item.partitions.size(); ++k) {
        auto& recs = by_partition[item.partitions[k]];
        if (k == 0) slot.emplace_back(item.partitions[k], recs.size());
        recs.push_back(item.bytes);
      }
    }
    std::vector<events::PartitionAppend> batch;
    for (auto& [p, recs] : by_partition) batch.push_back({p, std::move(recs)});
    CL_ASSIGN_OR_RETURN(auto ranges, e.log().Append(std::move(batch)));
    std::map<uint32_t, uint64_t> first;
    for (const auto& r : ranges) first[r.partition] = r.first_offset;
    std::vector<events::IngressAck> acks;
    for (size_t i = 0; i < items.size(); ++i) {
      // A resent id is dropped when the mirror reads it back; Kafka cannot say so now.
      acks.push_back({items[i].id, slot[i].first, first[slot[i].first] + slot[i].second, false});
    }
    return acks;
  };
  b.processed = [&e](uint32_t p) { return e.position(p); };
  b.engine_now = [&e] { return e.EngineNow(); };
  b.wall_now = [] { return WallClockMillis(); };
  b.append_control = [&e, parts](const std::vector<std::string>& control) -> Status {
    CL_ASSIGN_OR_RETURN(auto batch, file::ControlBatch(control, parts, WallClockMillis()));
    auto r = e.log().Append(std::move(batch));
    return r.ok() ? Status::Ok() : r.status();
  };
  if (manual_clock) {
    b.advance_clock = [append = b.append_control](int64_t to) {
      return append({events::ClockTickRecord("api-clock", to)});
    };
  }
  return b;
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
  eo.memory_bytes = o.memory_bytes;
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
  // Uploaded files are kept in this process's data directory, like its users (docs/api.md).
  http::Api api(KafkaApiBackend(*raw, o.clock.manual),
                {.data_dir = o.data, .outlines = o.outlines});
  api.Register(server);
  auto admin_token = BootstrapAdmin(api, o.data);
  if (!admin_token.ok()) Fail("users and tokens: " + admin_token.status().ToString());
  // The engine's staff directory follows this node's users (reads never record it).
  if (Status synced = api.SyncStaffDirectory(); !synced.ok()) {
    spdlog::warn("staff directory at start: {}", synced.ToString());
  }
  if (!admin_token->empty()) {
    spdlog::info("user 'admin' has a new token (valid 30 days) in {}", *admin_token);
  }
  Status up = server.Start();
  if (!up.ok()) Fail(up.ToString());
  spdlog::info("closeloop serving http://{}:{} kafka={} group={} topics={}.* partitions={} data={}",
               server.host(), server.port(), o.brokers, o.group, o.topic_prefix,
               (*engine)->partitions(), o.data);

  spdlog::info("signal {}: stopping", WaitForStopSignal());
  api.Stop();
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
