// librdkafka's built-in mock cluster (rdkafka_mock.h): brokers on loopback speaking the real
// Kafka protocol, in this process, for development and tests. In memory only; it keeps only
// about 5 MiB per partition, has no transaction markers and returns one batch per fetch.
#pragma once

#include <librdkafka/rdkafka.h>  // before rdkafka_mock.h, which needs it
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>

#include "connectors/kafka/client.h"

namespace closeloop::kafka {

// Thread-safe as the mock is. The cluster lives as long as this object.
class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> Start(int brokers);
  ~MockCluster();

  // "127.0.0.1:port,..."
  const std::string& bootstrap() const { return bootstrap_; }
  // Creates `topic` with `partitions` partitions, replicated on min(3, brokers) brokers.
  Status CreateTopic(const std::string& topic, int partitions);
  // The engine's topics: records with `partitions` partitions, the ingress and dead-letter
  // topics with `ingress_partitions`.
  Status CreateTopics(const Topics& topics, int partitions, int ingress_partitions = 1);

  int brokers() const { return brokers_; }
  // For fault injection (rd_kafka_mock_push_request_errors, _broker_set_down, ...).
  rd_kafka_mock_cluster_t* mock() { return mock_; }

 private:
  MockCluster() = default;
  KafkaHandle rk_;  // owns the mock cluster's threads
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  std::string bootstrap_;
  int brokers_ = 0;
};

}  // namespace closeloop::kafka
