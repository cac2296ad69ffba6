// Which partition a record belongs to. The key is the record's subject (enterprise, site,
// risk source), so every record about one subject is processed in order by one processor.
//
// The hash is Kafka's murmur2 (the Java client's default partitioner, also librdkafka's
// "murmur2_random"), so an agency producing keyed messages straight to a Kafka ingress topic
// lands on the same partition the engine would choose.
#pragma once

#include <cstdint>
#include <string_view>

namespace closeloop::events {

uint32_t Murmur2(std::string_view key);

// REQUIRES: partitions > 0
uint32_t PartitionForKey(std::string_view subject, uint32_t partitions);

}  // namespace closeloop::events
