#include "engine/testing/memory_store.h"

#include "engine/keys.h"

namespace closeloop::engine::testing {

Result<std::optional<std::string>> MemoryStore::Get(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::Scan(std::string_view from, std::string_view to, const ScanFn& fn) const {
  std::vector<std::pair<std::string, std::string>> items;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = kv_.lower_bound(from); it != kv_.end() && it->first < to; ++it)
      items.push_back(*it);
  }
  for (const auto& [k, v] : items) {
    if (!fn(k, v)) break;
  }
  return Status::Ok();
}

Result<std::vector<events::AppendedRange>> MemoryStore::Commit(
    const Changes& changes, std::vector<events::PartitionAppend> appends,
    const std::vector<RecordRef>& refs) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_commits_ > 0 && commits_before_failing_ > 0) {
    --commits_before_failing_;
  } else if (fail_commits_ > 0) {
    --fail_commits_;
    return IOError("injected commit failure");
  }
  CL_RETURN_IF_ERROR(CheckRecordRefs(appends, refs));
  std::vector<events::AppendedRange> ranges;
  if (!appends.empty()) {
    CL_ASSIGN_OR_RETURN(ranges, log_.Append(std::move(appends)));
  }
  for (const auto& [k, v] : changes) {
    if (v) {
      kv_[k] = *v;
    } else {
      kv_.erase(k);
    }
  }
  for (const RecordRef& ref : refs) {
    const events::AppendedRange* range = nullptr;
    for (const auto& r : ranges)
      if (r.partition == ref.partition) range = &r;
    if (range == nullptr) continue;  // cannot be: CheckRecordRefs
    kv_[ref.key] = keys::BE64(range->first_offset + ref.index);
  }
  return ranges;
}

std::map<std::string, std::string, std::less<>> MemoryStore::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return kv_;
}

}  // namespace closeloop::engine::testing
