#include "connectors/kafka/kafka_log.h"

#include <set>

#include "events/ids.h"
#include "events/record.h"

namespace closeloop::kafka {
namespace {

void PutBE(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBE(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// EmbeddedLog::Open would name a new log at random; the mirror's name must be the same on
// every process ("kafka:<topic>") so they all compute the same chain. So the metadata the
// embedded log reads at open is written here first, in its layout (embedded_log.h).
Status SeedMirror(rocks::RocksDb* db, const std::string& name, uint32_t partitions) {
  auto* meta = db->family("meta");
  std::string existing;
  rocksdb::Status s = db->db()->Get({}, meta, "log_name", &existing);
  if (s.ok()) {
    if (existing != name)
      return FailedPrecondition("data directory holds log '" + existing + "', not '" + name +
                                "': use a separate --data per cluster and topic prefix");
    return Status::Ok();
  }
  if (!s.IsNotFound()) return rocks::FromRocks(s, "reading log metadata");
  rocksdb::WriteBatch wb;
  std::string p;
  PutBE(p, partitions, 4);
  wb.Put(meta, "partitions", p);
  wb.Put(meta, "log_name", name);
  for (uint32_t i = 0; i < partitions; ++i) {
    std::string head;
    PutBE(head, 0, 8);
    events::Hash g = events::GenesisHash(name, i);
    head.append(reinterpret_cast<const char*>(g.data()), g.size());
    wb.Put(meta, rocks::EmbeddedLog::HeadKey(i), head);
  }
  return db->Write(&wb);
}

}  // namespace

std::string KafkaLog::ResumeKey(uint32_t partition) {
  std::string k = "kpos/";
  PutBE(k, partition, 4);
  return k;
}

std::string KafkaLog::IdKey(uint32_t partition, std::string_view id) {
  std::string k = "kid/";
  PutBE(k, partition, 4);
  k.append(id);
  return k;
}

KafkaLog::KafkaLog(rocks::RocksDb* db, Producer* producer, Topics topics,
                   std::unique_ptr<rocks::EmbeddedLog> mirror)
    : db_(db), producer_(producer), topics_(std::move(topics)), mirror_(std::move(mirror)) {}

Result<std::unique_ptr<KafkaLog>> KafkaLog::Open(rocks::RocksDb* db, Producer* producer,
                                                 const Topics& topics, uint32_t partitions) {
  if (db->family(kFamily) == nullptr) return Internal("the database lacks the kafka family");
  CL_RETURN_IF_ERROR(SeedMirror(db, "kafka:" + topics.records(), partitions));
  CL_ASSIGN_OR_RETURN(auto mirror, rocks::EmbeddedLog::Open(db, partitions));
  return std::unique_ptr<KafkaLog>(new KafkaLog(db, producer, topics, std::move(mirror)));
}

Result<std::vector<events::AppendedRange>> KafkaLog::Append(
    std::vector<events::PartitionAppend> batch) {
  std::vector<OutMessage> out;
  for (const auto& pa : batch) {
    if (pa.partition >= partition_count())
      return InvalidArgument("no partition " + std::to_string(pa.partition));
    for (const auto& bytes : pa.records) {
      CL_ASSIGN_OR_RETURN(const events::fb::Record* rec, events::VerifyRecord(bytes));
      if (rec->id() == nullptr || !events::IsValidId(rec->id()->string_view()))
        return InvalidArgument("a record appended to Kafka needs a valid id");
      if (rec->prev_hash() == nullptr || rec->prev_hash()->string_view() != events::kUnsetHash)
        return InvalidArgument("a record appended to Kafka must carry the prev_hash placeholder");
      out.push_back({.topic = topics_.records(),
                     .partition = static_cast<int32_t>(pa.partition),
                     .key = rec->subject() ? rec->subject()->str() : "",
                     .value = bytes});
    }
  }
  CL_ASSIGN_OR_RETURN(auto offsets, producer_->ProduceAndWait(out));
  std::vector<events::AppendedRange> ranges;
  size_t i = 0;
  for (const auto& pa : batch) {
    // Kafka offsets: the mirror numbers records when it reads them back (after dedup).
    ranges.push_back(
        {pa.partition, pa.records.empty() ? 0 : uint64_t(offsets[i]), pa.records.size()});
    i += pa.records.size();
  }
  return ranges;
}

Result<int64_t> KafkaLog::ResumeOffset(uint32_t partition) const {
  std::string v;
  rocksdb::Status s = db_->db()->Get({}, db_->family(kFamily), ResumeKey(partition), &v);
  if (s.IsNotFound()) return int64_t{0};
  CL_RETURN_IF_ERROR(rocks::FromRocks(s, "reading the kafka position"));
  return static_cast<int64_t>(GetBE(v));
}

Result<bool> KafkaLog::Contains(uint32_t partition, std::string_view id) const {
  std::string v;
  rocksdb::Status s = db_->db()->Get({}, db_->family(kFamily), IdKey(partition, id), &v);
  if (s.IsNotFound()) return false;
  CL_RETURN_IF_ERROR(rocks::FromRocks(s, "reading the id index"));
  return true;
}

Result<MirrorStats> KafkaLog::Mirror(uint32_t partition, const std::vector<Consumed>& messages,
                                     const BadRecordFn& bad) {
  MirrorStats stats;
  if (messages.empty() || messages.back().offset < 0) return stats;
  std::vector<std::string> records;
  std::vector<std::pair<std::string, int64_t>> ids;  // id -> Kafka offset
  std::set<std::string, std::less<>> batch_ids;
  CL_ASSIGN_OR_RETURN(int64_t resume, ResumeOffset(partition));
  for (const Consumed& m : messages) {
    if (m.offset < resume) continue;  // already mirrored (a consumer re-delivery)
    std::string bytes = m.value;
    auto rec = events::VerifyRecord(bytes);
    Status why;
    if (!rec.ok()) {
      why = rec.status();
    } else if ((*rec)->id() == nullptr || !events::IsValidId((*rec)->id()->string_view())) {
      why = InvalidArgument("record without a valid id");
    } else {
      why = events::SetPrevHash(bytes, events::Hash{});  // the placeholder the chain fills
    }
    if (!why.ok()) {
      ++stats.bad;
      if (bad) bad(partition, m, why);
      continue;
    }
    std::string id = (*events::VerifyRecord(bytes))->id()->str();
    CL_ASSIGN_OR_RETURN(bool seen, Contains(partition, id));
    if (seen || batch_ids.count(id)) {
      ++stats.duplicates;
      continue;
    }
    batch_ids.insert(id);
    ids.emplace_back(std::move(id), m.offset);
    records.push_back(std::move(bytes));
  }
  auto* fam = db_->family(kFamily);
  auto extra = [&](rocksdb::WriteBatch& wb) -> Status {
    std::string next;
    PutBE(next, static_cast<uint64_t>(messages.back().offset + 1), 8);
    CL_RETURN_IF_ERROR(rocks::FromRocks(wb.Put(fam, ResumeKey(partition), next), "batching"));
    for (const auto& [id, offset] : ids) {
      std::string v;
      PutBE(v, static_cast<uint64_t>(offset), 8);
      CL_RETURN_IF_ERROR(rocks::FromRocks(wb.Put(fam, IdKey(partition, id), v), "batching"));
    }
    return Status::Ok();
  };
  stats.appended = records.size();
  if (records.empty()) {
    rocksdb::WriteBatch wb;
    CL_RETURN_IF_ERROR(extra(wb));
    CL_RETURN_IF_ERROR(db_->Write(&wb, /*sync=*/false));
    return stats;
  }
  std::vector<events::PartitionAppend> batch{{partition, std::move(records)}};
  // Not synced: everything here can be consumed again from Kafka after a power cut.
  CL_ASSIGN_OR_RETURN(auto ranges, mirror_->AppendWith(std::move(batch), extra, false));
  (void)ranges;
  return stats;
}

}  // namespace closeloop::kafka
