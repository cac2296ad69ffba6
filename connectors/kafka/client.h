// librdkafka behind our types: configuration, the topics the engine uses, and an idempotent
// producer whose ProduceAndWait returns only after the brokers acknowledged (acks=all).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace closeloop::kafka {

// librdkafka properties ("bootstrap.servers", "session.timeout.ms", ...).
using Config = std::map<std::string, std::string>;

// The topics of one deployment, all named from one prefix (default "closeloop"):
//   <prefix>.records       the log: engine and ingress records, keyed and partitioned by
//                          subject (events/partition.h); control records on every partition
//   <prefix>.ingress.json  agencies' events, one JSON record per message (docs/events.md)
//   <prefix>.ingress.fb    the same as FlatBuffers Records (events/record.fbs)
//   <prefix>.deadletter    ingress messages that failed validation, with the error in headers
struct Topics {
  std::string prefix = "closeloop";
  std::string records() const { return prefix + ".records"; }
  std::string ingress_json() const { return prefix + ".ingress.json"; }
  std::string ingress_fb() const { return prefix + ".ingress.fb"; }
  std::string dead_letter() const { return prefix + ".deadletter"; }
};

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

// Builds a configuration; fails on an unknown property or value.
Result<rd_kafka_conf_t*> MakeConf(const Config& config);
Status FromKafka(rd_kafka_resp_err_t err, std::string_view context);

// How many partitions `topic` has (metadata request); NotFound if the topic is missing.
Result<uint32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms = 10000);

struct OutMessage {
  std::string topic;
  int32_t partition = RD_KAFKA_PARTITION_UA;  // UA: the producer's partitioner picks
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// An idempotent producer (enable.idempotence=true, hence acks=all and ordered retries).
// Thread-safe: several threads may call ProduceAndWait at once; a background thread serves
// delivery reports.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>> Create(const Config& config);
  ~Producer();

  // Produces every message and waits for every delivery report. OK only when all were
  // acknowledged by the in-sync replicas; the offsets come back in order. On error some
  // messages may have been written: callers retry with the same record ids, and readers
  // drop duplicates by id.
  Result<std::vector<int64_t>> ProduceAndWait(const std::vector<OutMessage>& messages);

  rd_kafka_t* handle() { return rk_.get(); }

 private:
  Producer() = default;
  void Poll();

  KafkaHandle rk_;
  std::thread poller_;
  std::atomic<bool> stop_{false};
};

}  // namespace closeloop::kafka
