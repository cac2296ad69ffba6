#include "connectors/kafka/kafka_store.h"

#include <rocksdb/iterator.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "events/record.h"

namespace closeloop::kafka {
namespace {

constexpr std::string_view kOutbox = "ob/";

std::string OutboxKey(uint64_t seq) {
  std::string k(kOutbox);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
  return k;
}
uint64_t GetBE(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

KafkaStore::KafkaStore(rocks::RocksDb* db, KafkaLog* log, uint64_t next_seq)
    : db_(db), log_(log), reader_(db, &log->mirror()), next_seq_(next_seq) {}

Result<std::unique_ptr<KafkaStore>> KafkaStore::Open(rocks::RocksDb* db, KafkaLog* log) {
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator({}, db->family(KafkaLog::kFamily)));
  it->SeekForPrev(OutboxKey(UINT64_MAX));
  uint64_t next = 0;
  if (it->Valid() && it->key().starts_with(rocksdb::Slice(kOutbox.data(), kOutbox.size())))
    next = GetBE(std::string_view(it->key().data() + kOutbox.size(), 8)) + 1;
  CL_RETURN_IF_ERROR(rocks::FromRocks(it->status(), "reading the outbox"));
  return std::unique_ptr<KafkaStore>(new KafkaStore(db, log, next));
}

Result<std::vector<events::AppendedRange>> KafkaStore::Commit(
    const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
    const std::vector<engine::RecordRef>& refs) {
  if (!refs.empty()) return InvalidArgument("the Kafka store cannot resolve record positions");
  rocksdb::WriteBatch wb;
  auto* state = db_->family("state");
  auto* fam = db_->family(KafkaLog::kFamily);
  for (const auto& [k, v] : changes) {
    rocksdb::Status s = v ? wb.Put(state, k, *v) : wb.Delete(state, k);
    CL_RETURN_IF_ERROR(rocks::FromRocks(s, "batching state"));
  }
  std::vector<Entry> entries;
  std::vector<events::AppendedRange> ranges;
  for (auto& pa : appends) {
    ranges.push_back({pa.partition, 0, pa.records.size()});
    for (auto& bytes : pa.records) {
      std::string value;
      for (int i = 3; i >= 0; --i)
        value.push_back(static_cast<char>((pa.partition >> (8 * i)) & 0xff));
      value += bytes;
      Entry e{OutboxKey(next_seq_++), pa.partition, std::move(bytes)};
      CL_RETURN_IF_ERROR(rocks::FromRocks(wb.Put(fam, e.key, value), "batching the outbox"));
      entries.push_back(std::move(e));
    }
  }
  // Not synced, like the embedded store's commits: a power cut rolls state, position and
  // outbox back together, and the records are consumed and processed again.
  CL_RETURN_IF_ERROR(db_->Write(&wb, /*sync=*/false));
  if (!entries.empty()) CL_RETURN_IF_ERROR(Deliver(entries));
  return ranges;
}

Status KafkaStore::Deliver(const std::vector<Entry>& entries) {
  pending_ += entries.size();
  std::vector<OutMessage> out;
  for (const Entry& e : entries) {
    auto rec = events::VerifyRecord(e.bytes);
    if (!rec.ok()) return rec.status().Annotate("outbox entry");
    // A replaying owner re-emits what Kafka already holds: no need to send it again.
    CL_ASSIGN_OR_RETURN(bool mirrored, log_->Contains(e.partition, (*rec)->id()->string_view()));
    if (mirrored) {
      ++skipped_;
      continue;
    }
    out.push_back({.topic = log_->topics().records(),
                   .partition = static_cast<int32_t>(e.partition),
                   .key = (*rec)->subject() ? (*rec)->subject()->str() : "",
                   .value = e.bytes});
  }
  int attempt = 0;
  while (!out.empty()) {
    auto r = log_->producer().ProduceAndWait(out);
    if (r.ok()) {
      produced_ += out.size();
      break;
    }
    if (stopping_.load()) return Status::Ok();  // committed; the outbox keeps them
    if (attempt++ % 10 == 0)
      spdlog::warn("kafka: emitted records not acknowledged yet ({}); retrying",
                   r.status().ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  rocksdb::WriteBatch wb;
  for (const Entry& e : entries) wb.Delete(db_->family(KafkaLog::kFamily), e.key);
  pending_ -= entries.size();
  return db_->Write(&wb, /*sync=*/false);
}

Status KafkaStore::DrainOutbox() {
  auto* fam = db_->family(KafkaLog::kFamily);
  std::vector<Entry> entries;
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, fam));
  for (it->Seek(rocksdb::Slice(kOutbox.data(), kOutbox.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(kOutbox.data(), kOutbox.size()));
       it->Next()) {
    std::string_view v(it->value().data(), it->value().size());
    if (v.size() < 4) return Corruption("outbox entry too short");
    entries.push_back({it->key().ToString(), static_cast<uint32_t>(GetBE(v.substr(0, 4))),
                       std::string(v.substr(4))});
  }
  CL_RETURN_IF_ERROR(rocks::FromRocks(it->status(), "reading the outbox"));
  if (entries.empty()) return Status::Ok();
  spdlog::info("kafka: producing {} record(s) a previous run left in the outbox", entries.size());
  return Deliver(entries);
}

}  // namespace closeloop::kafka
