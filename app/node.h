// An opened data directory: the RocksDB database, the embedded log and the engine's state
// store over it, and the processors. Shared by the verbs that work on a data directory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/rocks_store.h"
#include "engine/processor.h"

namespace closeloop::app {

struct Node {
  std::unique_ptr<rocks::RocksDb> db;
  std::unique_ptr<rocks::EmbeddedLog> log;
  std::unique_ptr<rocks::RocksStore> store;

  // Exits with a message on failure. read_only: open beside a running server.
  static Node Open(const std::string& data, bool read_only, uint32_t partitions = 0,
                   bool sync = true, bool create = true);

  uint32_t partitions() const { return log->partition_count(); }

  // One live processor per partition, opened.
  std::vector<std::unique_ptr<engine::Processor>> Processors(engine::ProcessorOptions options = {});
  // Processes every partition until nothing is left; returns the records processed.
  uint64_t ProcessAll();
  // The engine's clock: the latest time processed in any partition (0 before any clock).
  int64_t EngineNow();

  // Appends control records (JSON) through the ingress boundary (decoded, validated,
  // stamped now), each to every partition, in one atomic batch: all or none.
  Status AppendControl(const std::vector<std::string>& jsons);
  // A ClockTick at `now_ms` from `source` (the scheduler, `clock advance`).
  Status AppendClockTick(int64_t now_ms, std::string_view source);
};

// Milliseconds since the epoch from "1767225600000" or an ISO 8601 time
// ("2026-03-02T09:00", "2026-03-02T09:00:00+08:00", "...Z"; no offset means Asia/Shanghai).
Result<int64_t> ParseTime(const std::string& text);
// "500ms", "90s", "30m", "2h", "3d", "1w" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& text);
// "2026-03-02 09:00:00 +08:00" for people.
std::string FormatTime(int64_t ms);

}  // namespace closeloop::app
