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

// Thread-safety: implementations allow concurrent reads with one committing writer per
// partition (each partition's processor commits only its own keys).
class StateStore : public StateReader {
 public:
  // Atomically applies `changes` and appends `appends`: all or nothing.
  virtual Result<std::vector<events::AppendedRange>> Commit(
      const Changes& changes, std::vector<events::PartitionAppend> appends) = 0;
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
