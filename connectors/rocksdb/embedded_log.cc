#include "connectors/rocksdb/embedded_log.h"

#include <rocksdb/iterator.h>

#include "events/chain.h"
#include "events/ids.h"
#include "events/record.h"

namespace closeloop::rocks {
namespace {

constexpr std::string_view kPartitionsKey = "partitions";
constexpr std::string_view kNameKey = "log_name";

void PutBE32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutBE64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBE(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

std::string EncodeHead(const events::PartitionHead& h) {
  std::string v;
  PutBE64(v, h.end_offset);
  v.append(reinterpret_cast<const char*>(h.last_hash.data()), h.last_hash.size());
  return v;
}

Result<events::PartitionHead> DecodeHead(std::string_view v) {
  if (v.size() != 40)
    return Corruption("partition head has " + std::to_string(v.size()) + " bytes, not 40");
  events::PartitionHead h;
  h.end_offset = GetBE(v, 0, 8);
  std::copy(v.begin() + 8, v.end(), h.last_hash.begin());
  return h;
}

}  // namespace

std::string EmbeddedLog::RecordKey(uint32_t partition, uint64_t offset) {
  std::string k;
  k.reserve(12);
  PutBE32(k, partition);
  PutBE64(k, offset);
  return k;
}

std::string EmbeddedLog::HeadKey(uint32_t partition) {
  std::string k = "head/";
  PutBE32(k, partition);
  return k;
}

EmbeddedLog::EmbeddedLog(RocksDb* db, std::string name, std::vector<events::PartitionHead> heads)
    : db_(db), name_(std::move(name)), heads_(std::move(heads)) {}

Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::Open(RocksDb* db, uint32_t partitions) {
  auto* meta = db->family("meta");
  std::string value;
  rocksdb::Status s = db->db()->Get({}, meta, kPartitionsKey, &value);
  if (s.IsNotFound()) {
    if (partitions == 0) partitions = 4;
    if (partitions > 4096) return InvalidArgument("at most 4096 partitions");
    // A new log: its name binds every partition's genesis hash.
    std::string name = "closeloop-" + events::NewRandomId(0).ToString();
    rocksdb::WriteBatch batch;
    std::string p;
    PutBE32(p, partitions);
    batch.Put(meta, kPartitionsKey, p);
    batch.Put(meta, kNameKey, name);
    std::vector<events::PartitionHead> heads(partitions);
    for (uint32_t i = 0; i < partitions; ++i) {
      heads[i].last_hash = events::GenesisHash(name, i);
      batch.Put(meta, HeadKey(i), EncodeHead(heads[i]));
    }
    CL_RETURN_IF_ERROR(db->Write(&batch));
    return std::unique_ptr<EmbeddedLog>(new EmbeddedLog(db, name, std::move(heads)));
  }
  if (!s.ok()) return FromRocks(s, "reading log metadata");
  if (value.size() != 4) return Corruption("log metadata: bad partition count");
  uint32_t stored = static_cast<uint32_t>(GetBE(value, 0, 4));
  if (partitions != 0 && partitions != stored) {
    return FailedPrecondition("the log has " + std::to_string(stored) +
                              " partitions; it cannot be reopened with " +
                              std::to_string(partitions));
  }
  std::string name;
  CL_RETURN_IF_ERROR(FromRocks(db->db()->Get({}, meta, kNameKey, &name), "reading log name"));
  std::vector<events::PartitionHead> heads(stored);
  for (uint32_t i = 0; i < stored; ++i) {
    std::string h;
    CL_RETURN_IF_ERROR(
        FromRocks(db->db()->Get({}, meta, HeadKey(i), &h), "reading partition head"));
    CL_ASSIGN_OR_RETURN(heads[i], DecodeHead(h));
  }
  return std::unique_ptr<EmbeddedLog>(new EmbeddedLog(db, name, std::move(heads)));
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::Append(
    std::vector<events::PartitionAppend> batch) {
  return AppendWith(std::move(batch), nullptr);
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::AppendWith(
    std::vector<events::PartitionAppend> batch, const ExtraWrites& extra, bool sync) {
  if (!extra) return AppendPositioned(std::move(batch), nullptr, sync);
  return AppendPositioned(
      std::move(batch),
      [&extra](rocksdb::WriteBatch& wb, const std::vector<events::AppendedRange>&) {
        return extra(wb);
      },
      sync);
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::AppendPositioned(
    std::vector<events::PartitionAppend> batch, const PositionedWrites& extra, bool sync) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<events::PartitionHead> heads = heads_;
  CL_ASSIGN_OR_RETURN(std::vector<events::AppendedRange> ranges, events::ChainBatch(batch, heads));

  rocksdb::WriteBatch wb;
  auto* log_cf = db_->family("log");
  auto* meta = db_->family("meta");
  std::vector<bool> touched(heads.size(), false);
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& pa = batch[i];
    for (size_t k = 0; k < pa.records.size(); ++k) {
      wb.Put(log_cf, RecordKey(pa.partition, ranges[i].first_offset + k), pa.records[k]);
    }
    touched[pa.partition] = true;
  }
  for (uint32_t p = 0; p < heads.size(); ++p) {
    if (touched[p]) wb.Put(meta, HeadKey(p), EncodeHead(heads[p]));
  }
  if (extra) CL_RETURN_IF_ERROR(extra(wb, ranges));
  CL_RETURN_IF_ERROR(sync ? db_->Write(&wb) : db_->Write(&wb, false));
  heads_ = std::move(heads);
  appended_.notify_all();
  return ranges;
}

Result<std::vector<events::StoredRecord>> EmbeddedLog::Read(uint32_t partition, uint64_t from,
                                                            size_t max_records) const {
  if (partition >= heads_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  std::vector<events::StoredRecord> out;
  std::string prefix;
  PutBE32(prefix, partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, db_->family("log")));
  for (it->Seek(RecordKey(partition, from)); it->Valid() && out.size() < max_records; it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.size() != 12 || !key.starts_with(prefix)) break;
    uint64_t offset = GetBE(std::string_view(key.data(), key.size()), 4, 8);
    std::string bytes = it->value().ToString();
    auto rec = events::VerifyRecord(bytes);
    if (!rec.ok()) {
      return rec.status().Annotate("partition " + std::to_string(partition) + " offset " +
                                   std::to_string(offset));
    }
    out.push_back({offset, std::move(bytes)});
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  return out;
}

events::PartitionHead EmbeddedLog::Head(uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  return heads_.at(partition);
}

Result<events::PartitionHead> EmbeddedLog::StoredHead(uint32_t partition) const {
  std::string h;
  CL_RETURN_IF_ERROR(FromRocks(db_->db()->Get({}, db_->family("meta"), HeadKey(partition), &h),
                               "reading partition head"));
  return DecodeHead(h);
}

uint64_t EmbeddedLog::WaitForAppend(uint32_t partition, uint64_t offset,
                                    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  appended_.wait_for(lock, timeout, [&] { return heads_.at(partition).end_offset > offset; });
  return heads_.at(partition).end_offset;
}

}  // namespace closeloop::rocks
