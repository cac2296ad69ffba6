// An in-memory StateStore over a MemoryLog, for engine tests.
#pragma once

#include <memory>
#include <mutex>

#include "engine/store.h"
#include "events/memory_log.h"

namespace closeloop::engine::testing {

class MemoryStore final : public StateStore {
 public:
  explicit MemoryStore(uint32_t partitions, std::string name = "memory")
      : log_(std::move(name), partitions) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::string_view to, const ScanFn& fn) const override;
  Result<std::vector<events::AppendedRange>> Commit(
      const Changes& changes, std::vector<events::PartitionAppend> appends) override;
  events::Log& log() override { return log_; }
  events::MemoryLog& memory_log() { return log_; }
  const events::MemoryLog& memory_log() const { return log_; }

  // The next `n` commits fail with IOError and write nothing (fault injection).
  void FailNextCommits(int n) { fail_commits_ = n; }

  // Everything, in key order (for comparing two stores).
  std::map<std::string, std::string, std::less<>> Snapshot() const;

 private:
  events::MemoryLog log_;
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> kv_;  // GUARDED_BY(mu_)
  int fail_commits_ = 0;                                // GUARDED_BY(mu_)
};

}  // namespace closeloop::engine::testing
