#include "connectors/kafka/state_union.h"

#include <rocksdb/iterator.h>

#include "connectors/kafka/kafka_log.h"
#include "connectors/rocksdb/rocks_db.h"
#include "engine/keys.h"
#include "engine/queries.h"

namespace closeloop::kafka {

Result<std::optional<std::string>> MapState::Get(std::string_view key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MapState::Scan(std::string_view from, std::string_view to, const engine::ScanFn& fn) const {
  for (auto it = kv_.lower_bound(from); it != kv_.end() && it->first < to; ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return Status::Ok();
}

Result<UnionReport> UnionOfStates(const std::vector<std::string>& dirs) {
  // partition -> (position, dir index, that partition's keys)
  struct Best {
    uint64_t position = 0;
    size_t dir = 0;
    std::map<std::string, std::string, std::less<>> kv;
    bool set = false;
  };
  std::map<uint32_t, Best> best;
  for (size_t d = 0; d < dirs.size(); ++d) {
    CL_ASSIGN_OR_RETURN(auto db,
                        rocks::RocksDb::Open(dirs[d], {.create_if_missing = false,
                                                       .read_only = true,
                                                       .extra_families = {KafkaLog::kFamily}}));
    std::map<uint32_t, MapState> parts;
    std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator({}, db->family("state")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string key = it->key().ToString();
      std::optional<uint32_t> p = engine::keys::PartitionOf(key);
      if (!p) continue;
      parts[*p].kv().emplace(std::move(key), it->value().ToString());
    }
    CL_RETURN_IF_ERROR(rocks::FromRocks(it->status(), "reading state of " + dirs[d]));
    for (auto& [p, part] : parts) {
      CL_ASSIGN_OR_RETURN(uint64_t position, engine::InputPosition(part, p));
      Best& b = best[p];
      if (!b.set || position > b.position) b = {position, d, std::move(part.kv()), true};
    }
  }
  UnionReport out;
  for (auto& [p, b] : best) {
    out.source[p] = b.dir;
    for (auto& [k, v] : b.kv) out.state.kv().emplace(k, std::move(v));
    CL_ASSIGN_OR_RETURN(uint64_t tickets, engine::CountStoredTickets(out.state, p));
    out.tickets += tickets;
  }
  return out;
}

}  // namespace closeloop::kafka
