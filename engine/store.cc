#include "engine/store.h"

namespace closeloop::engine {

Status CheckRecordRefs(const std::vector<events::PartitionAppend>& appends,
                       const std::vector<RecordRef>& refs) {
  for (const RecordRef& ref : refs) {
    bool found = false;
    for (const auto& a : appends)
      if (a.partition == ref.partition && ref.index < a.records.size()) found = true;
    if (!found) {
      return InvalidArgument("record ref: no record " + std::to_string(ref.index) +
                             " appended to partition " + std::to_string(ref.partition));
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> Overlay::Get(std::string_view key) const {
  auto it = changes_.find(key);
  if (it != changes_.end()) return it->second;
  return base_.Get(key);
}

Status Overlay::Scan(std::string_view from, std::string_view to, const ScanFn& fn) const {
  // Merge the base's keys with ours; ours win, deletions hide the base's.
  auto lo = changes_.lower_bound(from);
  auto hi = changes_.lower_bound(to);
  auto it = lo;
  bool stopped = false;
  Status s = base_.Scan(from, to, [&](std::string_view k, std::string_view v) {
    // Emit our keys that sort before k.
    while (it != hi && it->first < k) {
      if (it->second && !fn(it->first, *it->second)) {
        stopped = true;
        return false;
      }
      ++it;
    }
    if (it != hi && it->first == k) {
      bool go = !it->second || fn(it->first, *it->second);
      ++it;
      if (!go) stopped = true;
      return go;
    }
    if (!fn(k, v)) {
      stopped = true;
      return false;
    }
    return true;
  });
  CL_RETURN_IF_ERROR(s);
  while (!stopped && it != hi) {
    if (it->second && !fn(it->first, *it->second)) break;
    ++it;
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
