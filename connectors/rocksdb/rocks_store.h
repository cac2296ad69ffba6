// The engine's StateStore on the embedded backend: state in the "state" column family of
// the same RocksDB as the log, so a processor's commit (state changes, emitted records,
// input position) is one WriteBatch.
#pragma once

#include "connectors/rocksdb/embedded_log.h"
#include "engine/store.h"

namespace closeloop::rocks {

// Thread-safe as RocksDB is; each partition's processor commits only its own keys.
// `db` and `log` must outlive the store.
class RocksStore final : public engine::StateStore {
 public:
  RocksStore(RocksDb* db, EmbeddedLog* log) : db_(db), log_(log), state_(db->family("state")) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::string_view to, const engine::ScanFn& fn) const override;
  Result<std::vector<events::AppendedRange>> Commit(
      const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
      const std::vector<engine::RecordRef>& refs) override;
  // The log assigns offsets inside the same WriteBatch (EmbeddedLog::AppendPositioned).
  bool ResolvesRecordRefs() const override { return true; }
  events::Log& log() override { return *log_; }

 private:
  RocksDb* db_;
  EmbeddedLog* log_;
  rocksdb::ColumnFamilyHandle* state_;
};

}  // namespace closeloop::rocks
