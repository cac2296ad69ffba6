// An opened data directory: the RocksDB database, the embedded log and the engine's state
// store over it, and the processors. Shared by the verbs that work on a data directory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/time_text.h"
#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/ingress_appender.h"
#include "connectors/rocksdb/rocks_store.h"
#include "engine/processor.h"

namespace closeloop::app {

struct Node {
  std::unique_ptr<rocks::RocksDb> db;
  std::unique_ptr<rocks::EmbeddedLog> log;
  std::unique_ptr<rocks::RocksStore> store;
  // Every record from outside goes in through it: at most once per id (not when read-only).
  std::unique_ptr<rocks::IngressAppender> ingress;

  // Exits with a message on failure. read_only: open beside a running server.
  static Node Open(const std::string& data, bool read_only, uint32_t partitions = 0,
                   bool sync = true, bool create = true);
  // The same, returning the failure (rocks::IsDiskFull: no space to open for writing).
  // min_free_bytes: writes are refused under it (rocks::DbOptions).
  // memory_bytes: the process's memory budget (`--memory`): 5/8 for RocksDB
  // (rocks::DbOptions::memory_bytes), 1/4 for the processors' decoded tickets
  // (engine::TicketCache, split between partitions), the rest for everything else.
  static Result<Node> TryOpen(const std::string& data, bool read_only, uint32_t partitions = 0,
                              bool sync = true, bool create = true, uint64_t min_free_bytes = 0,
                              uint64_t memory_bytes = kDefaultMemoryBytes);
  static constexpr uint64_t kDefaultMemoryBytes = uint64_t{512} << 20;
  static constexpr uint64_t kMinMemoryBytes = uint64_t{64} << 20;
  uint64_t memory_bytes = kDefaultMemoryBytes;
  bool read_only() const { return !ingress; }

  uint32_t partitions() const { return log->partition_count(); }

  // One live processor per partition, opened.
  std::vector<std::unique_ptr<engine::Processor>> Processors(engine::ProcessorOptions options = {});
  // Processes every partition until nothing is left; returns the records processed.
  uint64_t ProcessAll();
  // The engine's clock: the latest time processed in any partition (0 before any clock).
  int64_t EngineNow();
  // The city's time zone (engine::World::CityZone) from the control records partition 0 has
  // applied, for printing times; exits with a message when they cannot be read.
  std::string CityZone();

  // Before control records are appended offline (`deploy`, `publish`): takes the engine's
  // configuration as partition 0 has applied it plus the control records appended after its
  // position (nothing is processed), then applies the control records among `records` (verified
  // record bytes with a label such as "line 3", in order) to a copy of the engine's configuration.
  // The engine's own reason for the first it would refuse, after its label; records of other types
  // are not judged. The admin API refuses the same way (connectors/http WorldCache::Admits). With
  // `order`, and when every record is a control record, the records may go in any order: *order is
  // one in which the engine admits them all (their own order when it does); the reason given is
  // then the first refusal in their own order.
  Status AdmitControl(const std::vector<std::pair<std::string, std::string_view>>& records,
                      std::vector<size_t>* order = nullptr);
  // Appends control records (their bytes, events/record_build.h) through the ingress
  // boundary (validated, stamped now), each to every partition, in one atomic batch: all or
  // none.
  Status AppendControl(const std::vector<std::string>& records);
  // A ClockTick at `now_ms` from `source` (the scheduler, `clock advance`).
  Status AppendClockTick(int64_t now_ms, std::string_view source);
};

// ParseTime, ParseDuration, FormatTime: base/time_text.h.

}  // namespace closeloop::app
