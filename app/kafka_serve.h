// `closeloop serve --kafka BROKERS [--group G]`: the engine with Kafka as the log
// (connectors/kafka/kafka_engine.h). Separate from cmd_serve.cc, which calls RunKafkaServe
// when --kafka is given and keeps the embedded default untouched.
#pragma once

#include <string>
#include <vector>

#include "app/engine_runner.h"
#include "connectors/kafka/client.h"

namespace closeloop::app {

struct KafkaServeOptions {
  std::string brokers;              // bootstrap servers, "host:port,..."
  std::string group = "closeloop";  // the consumer group engine processes share
  std::string topic_prefix = "closeloop";
  std::vector<std::string> properties;  // librdkafka "key=value" (security, timeouts)
  std::string data = "./data";          // this process's local store (mirror, state)
  std::string http = "127.0.0.1:8080";
  ClockOptions clock;
  uint64_t memory_bytes = uint64_t{512} << 20;  // `--memory` (node.h)
  std::vector<std::string> outlines;            // the maps' outlines (LoadOutlines)
};

// "key=value" strings plus bootstrap.servers into a librdkafka configuration.
Result<kafka::Config> KafkaConfig(const std::string& brokers,
                                  const std::vector<std::string>& properties);

// Runs until SIGINT/SIGTERM (which the caller has blocked in every thread); exits through
// Fail() on a startup error.
void RunKafkaServe(const KafkaServeOptions& options);

}  // namespace closeloop::app
