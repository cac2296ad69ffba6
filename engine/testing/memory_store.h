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
  Result<std::vector<events::AppendedRange>> Commit(const Changes& changes,
                                                    std::vector<events::PartitionAppend> appends,
                                                    const std::vector<RecordRef>& refs) override;
  bool ResolvesRecordRefs() const override { return resolves_refs_; }
  // Behave as a store that learns offsets only after its commits (the Kafka store):
  // histories then keep copies. Set before the first commit.
  void set_resolves_record_refs(bool on) { resolves_refs_ = on; }
  events::Log& log() override { return log_; }
  events::MemoryLog& memory_log() { return log_; }
  const events::MemoryLog& memory_log() const { return log_; }

  // After `after` more commits succeed, the next `n` fail with IOError and write nothing
  // (fault injection).
  void FailNextCommits(int n, int after = 0) {
    fail_commits_ = n;
    commits_before_failing_ = after;
  }

  // Everything, in key order (for comparing two stores).
  std::map<std::string, std::string, std::less<>> Snapshot() const;

 private:
  events::MemoryLog log_;
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> kv_;  // GUARDED_BY(mu_)
  int fail_commits_ = 0;                                // GUARDED_BY(mu_)
  int commits_before_failing_ = 0;                      // GUARDED_BY(mu_)
  bool resolves_refs_ = true;
};

}  // namespace closeloop::engine::testing
