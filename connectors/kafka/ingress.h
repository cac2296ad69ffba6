// Agencies' ingress topics: <prefix>.ingress.json (one JSON record per message, the format
// of docs/events.md) and <prefix>.ingress.fb (one FlatBuffers Record per message). The
// bridge validates each message at the ingress boundary (connectors/file/ingress.h), stamps
// it, and produces it to the records topic: to its subject's partition, or to every
// partition for a control record. Bad messages never stop it: each is counted, logged with
// topic/partition/offset and the precise error, and produced to <prefix>.deadletter.
//
// At-least-once into the records topic with a deterministic effect: the consumer group's
// offsets are committed only after the records were acknowledged, and a record without an id
// gets one derived from its topic, partition and offset (stamped at the message's
// timestamp), so a message consumed twice becomes the same record twice, which the mirror
// drops by id.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "connectors/file/ingress.h"
#include "connectors/kafka/client.h"

namespace closeloop::kafka {

enum class IngressFormat { kJson, kFlatBuffers };

struct IngressMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // the message's timestamp: the record's recorded_at
  std::string value;
};

// One message to a record (PreparedRecord: bytes + target partitions), or the errors.
// Not thread-safe (the preparer, made for the records topic's partition count); one per
// thread.
bool ConvertIngress(IngressFormat format, const IngressMessage& m, file::IngressPreparer& preparer,
                    file::PreparedRecord* out, std::vector<file::IngressError>* errors);

// "line 1, column 40: body.severity: unknown value 'big'" for logs and dead-letter headers.
std::string DescribeErrors(const std::vector<file::IngressError>& errors);

struct IngressStats {
  std::atomic<uint64_t> accepted{0}, rejected{0}, produced{0};
};

// A consumer in group `group` over both ingress topics. Start() runs it on its own thread.
// `producer` must outlive the bridge.
class IngressBridge {
 public:
  IngressBridge(Config config, std::string group, Topics topics, uint32_t partitions,
                Producer* producer)
      : config_(std::move(config)),
        group_(std::move(group)),
        topics_(std::move(topics)),
        partitions_(partitions),
        producer_(producer) {}
  ~IngressBridge() { Stop(); }

  Status Start();
  void Stop();
  const IngressStats& stats() const { return stats_; }

 private:
  void Run();

  Config config_;
  std::string group_;
  Topics topics_;
  uint32_t partitions_;
  Producer* producer_;
  KafkaHandle rk_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  IngressStats stats_;
};

}  // namespace closeloop::kafka
