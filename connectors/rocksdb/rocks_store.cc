#include "connectors/rocksdb/rocks_store.h"

#include <rocksdb/iterator.h>

#include "connectors/rocksdb/record_index.h"
#include "engine/keys.h"
#include "events/record.h"

namespace closeloop::rocks {

Result<std::optional<std::string>> RocksStore::Get(std::string_view key) const {
  std::string v;
  rocksdb::Status s = db_->db()->Get({}, state_, rocksdb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  CL_RETURN_IF_ERROR(FromRocks(s, "reading state"));
  return std::optional<std::string>(std::move(v));
}

Status RocksStore::Scan(std::string_view from, std::string_view to,
                        const engine::ScanFn& fn) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(to.data(), to.size());
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(ro, state_));
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scanning state");
}

Result<std::vector<events::AppendedRange>> RocksStore::Commit(
    const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
    const std::vector<engine::RecordRef>& refs) {
  CL_RETURN_IF_ERROR(engine::CheckRecordRefs(appends, refs));
  auto put_changes = [&](rocksdb::WriteBatch& wb) -> Status {
    for (const auto& [k, v] : changes) {
      rocksdb::Status s = v ? wb.Put(state_, k, *v) : wb.Delete(state_, k);
      CL_RETURN_IF_ERROR(FromRocks(s, "batching state"));
    }
    return Status::Ok();
  };
  if (appends.empty()) {
    rocksdb::WriteBatch wb;
    CL_RETURN_IF_ERROR(put_changes(wb));
    CL_RETURN_IF_ERROR(db_->Write(&wb, /*sync=*/false));
    return std::vector<events::AppendedRange>();
  }
  // The records' ids, to index where each lands (evidence exports find them by id).
  std::vector<std::vector<std::string>> ids(appends.size());
  for (size_t i = 0; i < appends.size(); ++i) {
    for (const std::string& bytes : appends[i].records) {
      auto rec = events::VerifyRecord(bytes);
      ids[i].push_back(rec.ok() && (*rec)->id() ? (*rec)->id()->str() : std::string());
    }
  }
  return log_->AppendPositioned(
      std::move(appends),
      [&](rocksdb::WriteBatch& wb, const std::vector<events::AppendedRange>& ranges) -> Status {
        CL_RETURN_IF_ERROR(put_changes(wb));
        for (const engine::RecordRef& ref : refs) {
          for (const auto& range : ranges) {
            if (range.partition != ref.partition) continue;
            CL_RETURN_IF_ERROR(FromRocks(
                wb.Put(state_, ref.key, engine::keys::BE64(range.first_offset + ref.index)),
                "writing a record's position"));
          }
        }
        auto* meta = db_->family("meta");
        for (size_t i = 0; i < ranges.size(); ++i) {
          for (size_t k = 0; k < ids[i].size(); ++k) {
            if (ids[i][k].empty()) continue;
            CL_RETURN_IF_ERROR(
                FromRocks(wb.Put(meta, EngineRecordIndexKey(ids[i][k]),
                                 EncodePosition(ranges[i].partition, ranges[i].first_offset + k)),
                          "indexing records"));
          }
        }
        return Status::Ok();
      },
      /*sync=*/false);
}

}  // namespace closeloop::rocks
