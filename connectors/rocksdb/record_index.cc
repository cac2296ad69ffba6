#include "connectors/rocksdb/record_index.h"

#include "connectors/rocksdb/ingress_appender.h"

namespace closeloop::rocks {

std::string EngineRecordIndexKey(std::string_view id) { return "rec/" + std::string(id); }

std::string EncodePosition(uint32_t partition, uint64_t offset) {
  std::string v;
  for (int i = 3; i >= 0; --i) v.push_back(static_cast<char>((partition >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) v.push_back(static_cast<char>((offset >> (8 * i)) & 0xff));
  return v;
}

Result<RecordPosition> DecodePosition(std::string_view v, std::string_view id) {
  if (v.size() != 12) return Corruption("record index: bad value for " + std::string(id));
  RecordPosition pos;
  for (int i = 0; i < 4; ++i) pos.partition = pos.partition << 8 | static_cast<uint8_t>(v[i]);
  for (int i = 4; i < 12; ++i) pos.offset = pos.offset << 8 | static_cast<uint8_t>(v[i]);
  return pos;
}

Result<std::optional<RecordPosition>> LocateRecord(RocksDb& db, std::string_view id) {
  for (const std::string& key : {EngineRecordIndexKey(id), IngressAppender::IndexKey(id)}) {
    std::string v;
    rocksdb::Status s = db.db()->Get({}, db.family("meta"), key, &v);
    if (s.IsNotFound()) continue;
    CL_RETURN_IF_ERROR(FromRocks(s, "record index"));
    CL_ASSIGN_OR_RETURN(RecordPosition pos, DecodePosition(v, id));
    return std::optional<RecordPosition>(pos);
  }
  return std::optional<RecordPosition>();
}

}  // namespace closeloop::rocks
