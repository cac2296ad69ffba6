#include "connectors/rocksdb/ingress_appender.h"

#include <map>

#include "connectors/rocksdb/record_index.h"
#include "events/validate.h"

namespace closeloop::rocks {
namespace {

Result<events::IngressAck> DecodeAck(std::string_view id, std::string_view v) {
  CL_ASSIGN_OR_RETURN(RecordPosition pos, DecodePosition(v, id));
  return events::IngressAck{
      .id = std::string(id), .partition = pos.partition, .offset = pos.offset, .duplicate = true};
}

// A resend (same id, same content) is a duplicate; the same id with other content, or from
// another agency, is a conflict: the new event would be dropped while its publisher is told
// it is durable.
Status SameOrConflict(std::string_view stored, const events::IngressItem& item, const char* what) {
  std::string difference;
  if (events::SameSubmission(stored, item.bytes, &difference)) return Status::Ok();
  return AlreadyExists("id " + item.id + " is already used by " + what + " with a different " +
                       difference + "; a resend must repeat the event unchanged, a new event " +
                       "needs a new id");
}

}  // namespace

std::string IngressAppender::IndexKey(std::string_view id) { return "ingress/" + std::string(id); }

Result<std::optional<events::IngressAck>> IngressAppender::Find(std::string_view id) const {
  std::string value;
  rocksdb::Status s =
      db_.db()->Get(rocksdb::ReadOptions(), db_.family("meta"), IndexKey(id), &value);
  if (s.IsNotFound()) return std::optional<events::IngressAck>();
  if (!s.ok()) return FromRocks(s, "ingress index");
  CL_ASSIGN_OR_RETURN(events::IngressAck ack, DecodeAck(id, value));
  return std::optional<events::IngressAck>(ack);
}

Result<std::vector<events::IngressAck>> IngressAppender::Append(
    const std::vector<events::IngressItem>& items, bool sync) {
  auto acks = AppendUnsynced(items);
  // A duplicate's record may be one another caller appended a moment ago: sync in any case
  // (free when an fsync already covered it).
  if (acks.ok() && sync) CL_RETURN_IF_ERROR(db_.SyncWal());
  return acks;
}

Result<std::vector<events::IngressAck>> IngressAppender::AppendUnsynced(
    const std::vector<events::IngressItem>& items) {
  std::lock_guard lock(mu_);
  std::vector<events::IngressAck> acks(items.size());
  // New items, grouped by partition in input order; where each lands is known only after
  // the append, so remember (partition, index within that partition's batch).
  std::map<uint32_t, std::vector<std::string>> by_partition;
  std::vector<std::pair<uint32_t, size_t>> slot(items.size());
  std::map<std::string, size_t, std::less<>> first_of;  // id -> first item index in this call
  std::vector<size_t> fresh;
  for (size_t i = 0; i < items.size(); ++i) {
    const events::IngressItem& item = items[i];
    if (item.partitions.empty()) return InvalidArgument("item " + item.id + " has no partition");
    if (auto it = first_of.find(item.id); it != first_of.end()) {
      CL_RETURN_IF_ERROR(SameOrConflict(items[it->second].bytes, item, "an earlier item"));
      acks[i].id = item.id;
      acks[i].duplicate = true;
      slot[i] = {UINT32_MAX, it->second};  // resolved after the append
      continue;
    }
    CL_ASSIGN_OR_RETURN(auto existing, Find(item.id));
    if (existing) {
      auto stored = log_.Read(existing->partition, existing->offset, 1);
      CL_RETURN_IF_ERROR(stored.status());
      if (stored->empty() || stored->front().offset != existing->offset) {
        return Corruption("ingress index points past the log for " + item.id);
      }
      CL_RETURN_IF_ERROR(SameOrConflict(stored->front().bytes, item, "the recorded event"));
      acks[i] = *existing;
      slot[i] = {UINT32_MAX, SIZE_MAX};
      first_of.emplace(item.id, i);
      continue;
    }
    first_of.emplace(item.id, i);
    fresh.push_back(i);
    for (size_t k = 0; k < item.partitions.size(); ++k) {
      auto& recs = by_partition[item.partitions[k]];
      if (k == 0) slot[i] = {item.partitions[k], recs.size()};
      recs.push_back(item.bytes);
    }
  }
  if (!fresh.empty()) {
    std::vector<events::PartitionAppend> batch;
    for (auto& [p, recs] : by_partition) batch.push_back({p, std::move(recs)});
    std::map<uint32_t, uint64_t> first_offset;
    auto ranges = log_.AppendPositioned(
        std::move(batch),
        [&](rocksdb::WriteBatch& wb, const std::vector<events::AppendedRange>& landed) -> Status {
          for (const auto& r : landed) first_offset[r.partition] = r.first_offset;
          for (size_t i : fresh) {
            uint32_t p = slot[i].first;
            auto s = wb.Put(db_.family("meta"), IndexKey(items[i].id),
                            EncodePosition(p, first_offset[p] + slot[i].second));
            if (!s.ok()) return FromRocks(s, "ingress index");
          }
          return Status::Ok();
        },
        /*sync=*/false);  // Append syncs after the locks are released
    CL_RETURN_IF_ERROR(ranges.status());
    for (size_t i : fresh) {
      acks[i] = {.id = items[i].id,
                 .partition = slot[i].first,
                 .offset = first_offset[slot[i].first] + slot[i].second,
                 .duplicate = false};
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (slot[i].first == UINT32_MAX && slot[i].second != SIZE_MAX) {
      const events::IngressAck& first = acks[slot[i].second];
      acks[i] = {first.id, first.partition, first.offset, true};
    }
  }
  return acks;
}

}  // namespace closeloop::rocks
