// Where a record is on the embedded log, by its id, without scanning: ingress records are
// indexed by the ingress appender ("ingress/<id>"), the engine's records by RocksStore's
// commit ("rec/<id>"), each in the WriteBatch that appends the record. Both values are
// partition (4 bytes BE) + offset (8 BE): the record's first copy. Evidence exports use it to
// find a chain's records and prove them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connectors/rocksdb/rocks_db.h"

namespace closeloop::rocks {

struct RecordPosition {
  uint32_t partition = 0;
  uint64_t offset = 0;
};

std::string EngineRecordIndexKey(std::string_view id);
// The index value: partition (4 bytes BE) + offset (8 BE); Corruption when `value` is not one.
std::string EncodePosition(uint32_t partition, uint64_t offset);
Result<RecordPosition> DecodePosition(std::string_view value, std::string_view id);
// Looks in both indexes; nullopt when neither knows the id (records written before the
// engine's index existed).
Result<std::optional<RecordPosition>> LocateRecord(RocksDb& db, std::string_view id);

}  // namespace closeloop::rocks
