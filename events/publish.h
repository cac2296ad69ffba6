// Publishing records from outside (HTTP, files, the demo, Kafka's API backend): what goes in
// and what each record's acknowledgement says, the same whichever log holds them, so the
// HTTP connector and the commands name no backend's types. The embedded log's appender
// (connectors/rocksdb/ingress_appender.h) and the Kafka API backend (app/kafka_serve.cc)
// both answer in these terms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace closeloop::events {

// One record to publish, already through the ingress boundary (connectors/file/ingress.h).
struct IngressItem {
  std::string id;
  std::string bytes;                 // stamped, ready to append
  std::vector<uint32_t> partitions;  // one, or every partition for control records
};

// Where a published record is. On Kafka `duplicate` is always false: a resent id is dropped
// when the mirror reads it back, which the producer cannot know at publish time.
struct IngressAck {
  std::string id;
  uint32_t partition = 0;  // where the record (its first copy) is
  uint64_t offset = 0;
  bool duplicate = false;  // already in the log: nothing was appended for it
};

}  // namespace closeloop::events
