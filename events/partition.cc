#include "events/partition.h"

namespace closeloop::events {

// Kafka's org.apache.kafka.common.utils.Utils.murmur2, byte for byte.
uint32_t Murmur2(std::string_view key) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const size_t length = key.size();
  uint32_t h = 0x9747b28cu ^ static_cast<uint32_t>(length);
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  const size_t length4 = length / 4;
  for (size_t i = 0; i < length4; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = static_cast<uint32_t>(data[i4]) | (static_cast<uint32_t>(data[i4 + 1]) << 8) |
                 (static_cast<uint32_t>(data[i4 + 2]) << 16) |
                 (static_cast<uint32_t>(data[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = length & ~static_cast<size_t>(3);
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(data[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(data[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(data[tail]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

uint32_t PartitionForKey(std::string_view subject, uint32_t partitions) {
  return (Murmur2(subject) & 0x7fffffffu) % partitions;
}

}  // namespace closeloop::events
