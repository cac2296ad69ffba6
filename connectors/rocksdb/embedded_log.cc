#include "connectors/rocksdb/embedded_log.h"

#include <rocksdb/iterator.h>

#include "events/chain.h"
#include "events/ids.h"
#include "events/record.h"

namespace closeloop::rocks {
namespace {

constexpr std::string_view kPartitionsKey = "partitions";
constexpr std::string_view kNameKey = "log_name";

void PutBE32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutBE64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBE(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

std::string EncodeHead(const events::PartitionHead& h) {
  std::string v;
  PutBE64(v, h.end_offset);
  v.append(reinterpret_cast<const char*>(h.last_hash.data()), h.last_hash.size());
  return v;
}

Result<events::PartitionHead> DecodeHead(std::string_view v) {
  if (v.size() != 40)
    return Corruption("partition head has " + std::to_string(v.size()) + " bytes, not 40");
  events::PartitionHead h;
  h.end_offset = GetBE(v, 0, 8);
  std::copy(v.begin() + 8, v.end(), h.last_hash.begin());
  return h;
}

// Complete subtrees of one partition: stored from kStoredHeight up, recomputed from the
// records below it.
class PartitionTree final : public events::SubtreeSource {
 public:
  PartitionTree(const EmbeddedLog& log, uint32_t partition) : log_(log), p_(partition) {}
  Result<events::Hash> Subtree(uint32_t height, uint64_t index) const override {
    if (height >= EmbeddedLog::kStoredHeight) return log_.StoredNode(p_, height, index);
    const uint64_t count = uint64_t{1} << height, first = index << height;
    CL_ASSIGN_OR_RETURN(auto records, log_.Read(p_, first, count));
    if (records.size() != count || records.back().offset != first + count - 1) {
      return Corruption("partition " + std::to_string(p_) + ": records " + std::to_string(first) +
                        ".." + std::to_string(first + count - 1) + " are not all there");
    }
    events::MerkleFrontier f;
    for (const auto& r : records) f.Append(events::LeafHash(r.bytes));
    return f.Root();
  }

 private:
  const EmbeddedLog& log_;
  const uint32_t p_;
};

}  // namespace

std::string EmbeddedLog::FrontierKey(uint32_t partition) {
  std::string k = "mtf/";
  PutBE32(k, partition);
  return k;
}

std::string EmbeddedLog::NodeKey(uint32_t partition, uint32_t height, uint64_t index) {
  std::string k = "mtn/";
  PutBE32(k, partition);
  k.push_back(static_cast<char>(height));
  PutBE64(k, index);
  return k;
}

std::string EmbeddedLog::RecordKey(uint32_t partition, uint64_t offset) {
  std::string k;
  k.reserve(12);
  PutBE32(k, partition);
  PutBE64(k, offset);
  return k;
}

std::string EmbeddedLog::HeadKey(uint32_t partition) {
  std::string k = "head/";
  PutBE32(k, partition);
  return k;
}

EmbeddedLog::EmbeddedLog(RocksDb* db, std::string name, std::vector<events::PartitionHead> heads,
                         std::vector<events::MerkleFrontier> trees)
    : db_(db), name_(std::move(name)), heads_(std::move(heads)), trees_(std::move(trees)) {}

Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::Open(RocksDb* db, uint32_t partitions) {
  auto* meta = db->family("meta");
  std::string value;
  rocksdb::Status s = db->db()->Get({}, meta, kPartitionsKey, &value);
  if (s.IsNotFound()) {
    if (partitions == 0) partitions = 4;
    if (partitions > 4096) return InvalidArgument("at most 4096 partitions");
    // A new log: its name binds every partition's genesis hash.
    std::string name = "closeloop-" + events::NewRandomId(0).ToString();
    rocksdb::WriteBatch batch;
    std::string p;
    PutBE32(p, partitions);
    batch.Put(meta, kPartitionsKey, p);
    batch.Put(meta, kNameKey, name);
    std::vector<events::PartitionHead> heads(partitions);
    for (uint32_t i = 0; i < partitions; ++i) {
      heads[i].last_hash = events::GenesisHash(name, i);
      batch.Put(meta, HeadKey(i), EncodeHead(heads[i]));
      batch.Put(meta, FrontierKey(i), events::MerkleFrontier().Encode());
    }
    CL_RETURN_IF_ERROR(db->Write(&batch));
    return std::unique_ptr<EmbeddedLog>(new EmbeddedLog(
        db, name, std::move(heads), std::vector<events::MerkleFrontier>(partitions)));
  }
  if (!s.ok()) return FromRocks(s, "reading log metadata");
  if (value.size() != 4) return Corruption("log metadata: bad partition count");
  uint32_t stored = static_cast<uint32_t>(GetBE(value, 0, 4));
  if (partitions != 0 && partitions != stored) {
    return FailedPrecondition("the log has " + std::to_string(stored) +
                              " partitions; it cannot be reopened with " +
                              std::to_string(partitions));
  }
  std::string name;
  CL_RETURN_IF_ERROR(FromRocks(db->db()->Get({}, meta, kNameKey, &name), "reading log name"));
  std::vector<events::PartitionHead> heads(stored);
  for (uint32_t i = 0; i < stored; ++i) {
    std::string h;
    CL_RETURN_IF_ERROR(
        FromRocks(db->db()->Get({}, meta, HeadKey(i), &h), "reading partition head"));
    CL_ASSIGN_OR_RETURN(heads[i], DecodeHead(h));
  }
  std::vector<events::MerkleFrontier> trees(stored);
  std::vector<uint32_t> missing;
  for (uint32_t i = 0; i < stored; ++i) {
    std::string f;
    s = db->db()->Get({}, meta, FrontierKey(i), &f);
    if (s.IsNotFound()) {
      missing.push_back(i);
      continue;
    }
    CL_RETURN_IF_ERROR(FromRocks(s, "reading a partition's tree"));
    CL_ASSIGN_OR_RETURN(trees[i], events::MerkleFrontier::Decode(f));
    if (trees[i].size() != heads[i].end_offset) {
      return Corruption("partition " + std::to_string(i) + ": its tree has " +
                        std::to_string(trees[i].size()) + " records, its head " +
                        std::to_string(heads[i].end_offset));
    }
  }
  std::unique_ptr<EmbeddedLog> log(new EmbeddedLog(db, name, std::move(heads), std::move(trees)));
  for (uint32_t i : missing) {
    CL_RETURN_IF_ERROR(
        log->BuildTree(i).Annotate("building partition " + std::to_string(i) + "'s Merkle tree"));
  }
  return log;
}

Status EmbeddedLog::BuildTree(uint32_t partition) {
  events::MerkleFrontier tree;
  rocksdb::WriteBatch wb;
  auto* meta = db_->family("meta");
  const uint64_t end = heads_[partition].end_offset;
  const events::MerkleFrontier::OnComplete keep = [&](uint32_t height, uint64_t index,
                                                      const events::Hash& h) {
    if (height >= kStoredHeight) {
      wb.Put(meta, NodeKey(partition, height, index),
             rocksdb::Slice(reinterpret_cast<const char*>(h.data()), h.size()));
    }
  };
  while (tree.size() < end) {
    CL_ASSIGN_OR_RETURN(auto records, Read(partition, tree.size(), 4096));
    if (records.empty() || records.front().offset != tree.size()) {
      return Corruption("record " + std::to_string(tree.size()) + " is missing");
    }
    for (const auto& r : records) {
      if (r.offset != tree.size() || r.offset >= end) break;
      tree.Append(events::LeafHash(r.bytes), keep);
    }
  }
  wb.Put(meta, FrontierKey(partition), tree.Encode());
  // Opened read-only (beside a running server): the frontier is kept in memory only (tree
  // heads work, proofs need the stored nodes); the next writable open stores the tree.
  if (!db_->read_only()) CL_RETURN_IF_ERROR(db_->Write(&wb));
  trees_[partition] = std::move(tree);
  return Status::Ok();
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::Append(
    std::vector<events::PartitionAppend> batch) {
  return AppendWith(std::move(batch), nullptr);
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::AppendWith(
    std::vector<events::PartitionAppend> batch, const ExtraWrites& extra, bool sync) {
  if (!extra) return AppendPositioned(std::move(batch), nullptr, sync);
  return AppendPositioned(
      std::move(batch),
      [&extra](rocksdb::WriteBatch& wb, const std::vector<events::AppendedRange>&) {
        return extra(wb);
      },
      sync);
}

Result<std::vector<events::AppendedRange>> EmbeddedLog::AppendPositioned(
    std::vector<events::PartitionAppend> batch, const PositionedWrites& extra, bool sync) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<events::PartitionHead> heads = heads_;
  CL_ASSIGN_OR_RETURN(std::vector<events::AppendedRange> ranges, events::ChainBatch(batch, heads));

  rocksdb::WriteBatch wb;
  auto* log_cf = db_->family("log");
  auto* meta = db_->family("meta");
  std::vector<bool> touched(heads.size(), false);
  // The trees of the partitions this batch touches, advanced on copies: kept only if the
  // write succeeds.
  std::vector<std::pair<uint32_t, events::MerkleFrontier>> trees;
  auto tree_of = [&](uint32_t p) -> events::MerkleFrontier& {
    for (auto& [q, t] : trees)
      if (q == p) return t;
    return trees.emplace_back(p, trees_[p]).second;
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& pa = batch[i];
    events::MerkleFrontier& tree = tree_of(pa.partition);
    const events::MerkleFrontier::OnComplete keep =
        [&wb, meta, p = pa.partition](uint32_t height, uint64_t index, const events::Hash& h) {
          if (height >= kStoredHeight) {
            wb.Put(meta, NodeKey(p, height, index),
                   rocksdb::Slice(reinterpret_cast<const char*>(h.data()), h.size()));
          }
        };
    for (size_t k = 0; k < pa.records.size(); ++k) {
      wb.Put(log_cf, RecordKey(pa.partition, ranges[i].first_offset + k), pa.records[k]);
      tree.Append(events::LeafHash(pa.records[k]), keep);
    }
    touched[pa.partition] = true;
  }
  for (uint32_t p = 0; p < heads.size(); ++p) {
    if (touched[p]) wb.Put(meta, HeadKey(p), EncodeHead(heads[p]));
  }
  for (const auto& [p, tree] : trees) wb.Put(meta, FrontierKey(p), tree.Encode());
  if (extra) CL_RETURN_IF_ERROR(extra(wb, ranges));
  CL_RETURN_IF_ERROR(sync ? db_->Write(&wb) : db_->Write(&wb, false));
  heads_ = std::move(heads);
  for (auto& [p, tree] : trees) trees_[p] = std::move(tree);
  appended_.notify_all();
  return ranges;
}

Result<std::vector<events::StoredRecord>> EmbeddedLog::Read(uint32_t partition, uint64_t from,
                                                            size_t max_records) const {
  if (partition >= heads_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  std::vector<events::StoredRecord> out;
  std::string prefix;
  PutBE32(prefix, partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, db_->family("log")));
  for (it->Seek(RecordKey(partition, from)); it->Valid() && out.size() < max_records; it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.size() != 12 || !key.starts_with(prefix)) break;
    uint64_t offset = GetBE(std::string_view(key.data(), key.size()), 4, 8);
    std::string bytes = it->value().ToString();
    auto rec = events::VerifyRecord(bytes);
    if (!rec.ok()) {
      return rec.status().Annotate("partition " + std::to_string(partition) + " offset " +
                                   std::to_string(offset));
    }
    out.push_back({offset, std::move(bytes)});
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  return out;
}

events::PartitionHead EmbeddedLog::Head(uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  return heads_.at(partition);
}

Result<events::PartitionHead> EmbeddedLog::StoredHead(uint32_t partition) const {
  std::string h;
  CL_RETURN_IF_ERROR(FromRocks(db_->db()->Get({}, db_->family("meta"), HeadKey(partition), &h),
                               "reading partition head"));
  return DecodeHead(h);
}

events::TreeHead EmbeddedLog::Tree(uint32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto& t = trees_.at(partition);
  return {t.size(), t.Root()};
}

Result<events::Hash> EmbeddedLog::RootAt(uint32_t partition, uint64_t size) const {
  if (partition >= heads_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  events::TreeHead now = Tree(partition);
  if (size > now.size) {
    return InvalidArgument("partition " + std::to_string(partition) + " has " +
                           std::to_string(now.size) + " records, not " + std::to_string(size));
  }
  if (size == now.size) return now.root;
  if (size == 0) return events::EmptyTreeHash();
  return events::RangeHash(PartitionTree(*this, partition), 0, size);
}

Result<std::vector<events::Hash>> EmbeddedLog::Inclusion(uint32_t partition, uint64_t index,
                                                         uint64_t size) const {
  if (partition >= heads_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  if (size > Tree(partition).size) return InvalidArgument("tree size beyond the log's end");
  return events::InclusionProof(PartitionTree(*this, partition), index, size);
}

Result<std::vector<events::Hash>> EmbeddedLog::Consistency(uint32_t partition, uint64_t old_size,
                                                           uint64_t new_size) const {
  if (partition >= heads_.size())
    return InvalidArgument("no partition " + std::to_string(partition));
  if (new_size > Tree(partition).size) return InvalidArgument("tree size beyond the log's end");
  return events::ConsistencyProof(PartitionTree(*this, partition), old_size, new_size);
}

Result<events::Hash> EmbeddedLog::StoredNode(uint32_t partition, uint32_t height,
                                             uint64_t index) const {
  std::string v;
  rocksdb::Status s =
      db_->db()->Get({}, db_->family("meta"), NodeKey(partition, height, index), &v);
  if (s.IsNotFound()) {
    return Corruption("partition " + std::to_string(partition) + ": no tree node at height " +
                      std::to_string(height) + " index " + std::to_string(index));
  }
  CL_RETURN_IF_ERROR(FromRocks(s, "reading a tree node"));
  if (v.size() != 32) return Corruption("tree node of " + std::to_string(v.size()) + " bytes");
  events::Hash h;
  std::copy(v.begin(), v.end(), h.begin());
  return h;
}

Result<events::MerkleFrontier> EmbeddedLog::StoredFrontier(uint32_t partition) const {
  std::string v;
  CL_RETURN_IF_ERROR(FromRocks(db_->db()->Get({}, db_->family("meta"), FrontierKey(partition), &v),
                               "reading a partition's tree"));
  return events::MerkleFrontier::Decode(v);
}

uint64_t EmbeddedLog::WaitForAppend(uint32_t partition, uint64_t offset,
                                    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  appended_.wait_for(lock, timeout, [&] { return heads_.at(partition).end_offset > offset; });
  return heads_.at(partition).end_offset;
}

}  // namespace closeloop::rocks
