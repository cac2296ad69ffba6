// The engine's state spread over several processes' data directories, put back together:
// each partition's keys from the directory whose processor got furthest in it (its current
// or latest owner; a former owner keeps a stale copy until it owns the partition again).
// What `closeloop kafka-digest` and the rebalancing tests compare with one process's state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/store.h"

namespace closeloop::kafka {

// An ordered in-memory StateReader. Not thread-safe for writes; reads may run concurrently.
class MapState final : public engine::StateReader {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::string_view to, const engine::ScanFn& fn) const override;
  std::map<std::string, std::string, std::less<>>& kv() { return kv_; }
  const std::map<std::string, std::string, std::less<>>& kv() const { return kv_; }

 private:
  std::map<std::string, std::string, std::less<>> kv_;
};

struct UnionReport {
  MapState state;
  // partition -> index into `dirs` of the directory its state came from.
  std::map<uint32_t, size_t> source;
  uint64_t tickets = 0;  // tickets (keys::Ticket) in the union
};

// Opens each directory read-only (beside running servers) and merges as described above.
Result<UnionReport> UnionOfStates(const std::vector<std::string>& dirs);

}  // namespace closeloop::kafka
