// How the engine reaches storage: a sorted key-value state it reads, and one atomic commit
// that writes state changes and appends records together. The embedded implementation is
// connectors/rocksdb/rocks_store.h (one RocksDB WriteBatch); tests use testing/memory_store.h.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/log.h"

namespace closeloop::engine {

// Called per key in order; return false to stop.
using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Keys in [from, to), in byte order.
  virtual Status Scan(std::string_view from, std::string_view to, const ScanFn& fn) const = 0;
};

// Key -> new value, or nullopt to delete. Ordered, so commits are deterministic.
using Changes = std::map<std::string, std::optional<std::string>, std::less<>>;

// A state value that is a record's position in the log, known only when the commit that
// appends the record assigns it: the store writes keys::BE64 of the offset of the `index`-th
// record of the append to `partition` (a ticket's history by reference, ticket_table.h).
struct RecordRef {
  std::string key;
  uint32_t partition = 0;
  size_t index = 0;
};

// Each ref names a record of `appends` (checked by a store before it writes anything).
Status CheckRecordRefs(const std::vector<events::PartitionAppend>& appends,
                       const std::vector<RecordRef>& refs);

// Thread-safety: implementations allow concurrent reads with one committing writer per
// partition (each partition's processor commits only its own keys).
class StateStore : public StateReader {
 public:
  // Atomically applies `changes`, appends `appends` and writes `refs` (at most one append
  // per partition; a ref names a record of it): all or nothing. Refs are only given to a
  // store whose ResolvesRecordRefs() is true.
  virtual Result<std::vector<events::AppendedRange>> Commit(
      const Changes& changes, std::vector<events::PartitionAppend> appends,
      const std::vector<RecordRef>& refs) = 0;
  // Whether Commit knows each appended record's final offset before it writes the state
  // (the embedded and in-memory logs). The Kafka store learns them only from the brokers'
  // acknowledgements, after the state is written: there, histories keep copies.
  virtual bool ResolvesRecordRefs() const = 0;
  virtual events::Log& log() = 0;
};

// A StateReader that sees `base` with `changes` on top: a processor's uncommitted work.
// `base` must outlive it.
class Overlay final : public StateReader {
 public:
  explicit Overlay(const StateReader& base) : base_(base) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::string_view to, const ScanFn& fn) const override;

  void Put(std::string key, std::string value) { changes_[std::move(key)] = std::move(value); }
  void Delete(std::string key) { changes_[std::move(key)] = std::nullopt; }

  const Changes& changes() const { return changes_; }
  void Clear() { changes_.clear(); }

 private:
  const StateReader& base_;
  Changes changes_;
};

}  // namespace closeloop::engine
