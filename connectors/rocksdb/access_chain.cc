#include "connectors/rocksdb/access_chain.h"

#include <rocksdb/iterator.h>

namespace closeloop::rocks {
namespace {

constexpr std::string_view kEntry = "acc/e/";
constexpr std::string_view kTime = "acc/t/";
constexpr std::string_view kTree = "acc/tree";
constexpr std::string_view kLegacy = "access/";

void PutBE(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBE(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = v << 8 | static_cast<uint8_t>(s[i]);
  return v;
}

std::string EntryKey(uint64_t seq) {
  std::string k(kEntry);
  PutBE(k, seq);
  return k;
}

std::string TimeKey(int64_t at_ms, uint64_t seq) {
  std::string k(kTime);
  PutBE(k, static_cast<uint64_t>(std::max<int64_t>(0, at_ms)));
  PutBE(k, seq);
  return k;
}

Result<events::MerkleFrontier> LoadTree(RocksDb& db) {
  std::string v;
  rocksdb::Status s = db.db()->Get({}, db.family("meta"), std::string(kTree), &v);
  if (s.IsNotFound()) return events::MerkleFrontier();
  CL_RETURN_IF_ERROR(FromRocks(s, "access log tree"));
  auto tree = events::MerkleFrontier::Decode(v);
  if (!tree.ok()) return Corruption("access log tree: " + tree.status().message());
  return tree;
}

// Stages one entry into `wb`, advancing `tree`.
void Stage(RocksDb& db, rocksdb::WriteBatch& wb, events::MerkleFrontier& tree, int64_t at_ms,
           std::string_view entry) {
  const uint64_t seq = tree.size();
  tree.Append(events::LeafHash(entry));
  wb.Put(db.family("meta"), EntryKey(seq), rocksdb::Slice(entry.data(), entry.size()));
  wb.Put(db.family("meta"), TimeKey(at_ms, seq), "");
  wb.Put(db.family("meta"), std::string(kTree), tree.Encode());
}

}  // namespace

Result<std::unique_ptr<AccessChain>> AccessChain::Open(RocksDb* db) {
  std::unique_ptr<AccessChain> chain(new AccessChain(db));
  CL_ASSIGN_OR_RETURN(chain->tree_, LoadTree(*db));
  if (chain->tree_.size() > 0 || db->read_only()) return chain;
  // Entries written before the chain existed: move them in, oldest first, in one batch.
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator({}, db->family("meta")));
  for (it->Seek(std::string(kLegacy)); it->Valid() && it->key().starts_with(std::string(kLegacy));
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    // "access/<16 hex time>/<8 hex n>"
    int64_t at = static_cast<int64_t>(std::stoull(std::string(key.substr(7, 16)), nullptr, 16));
    Stage(*db, wb, chain->tree_, at, std::string_view(it->value().data(), it->value().size()));
    wb.Delete(db->family("meta"), it->key());
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "access log"));
  if (wb.Count() > 0) CL_RETURN_IF_ERROR(db->Write(&wb, true));
  return chain;
}

Status AccessChain::Append(int64_t at_ms, std::string_view entry, bool sync) {
  std::lock_guard<std::mutex> lock(mu_);
  events::MerkleFrontier next = tree_;
  rocksdb::WriteBatch wb;
  Stage(*db_, wb, next, at_ms, entry);
  CL_RETURN_IF_ERROR(db_->Write(&wb, sync));
  tree_ = std::move(next);  // only once written: a failed write leaves no gap
  return Status::Ok();
}

Result<std::vector<std::string>> AccessChain::List(int64_t since_ms, size_t limit) const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, db_->family("meta")));
  std::string from(kTime);
  PutBE(from, static_cast<uint64_t>(std::max<int64_t>(0, since_ms)));
  for (it->Seek(from); it->Valid() && out.size() < limit; it->Next()) {
    if (!it->key().starts_with(std::string(kTime))) break;
    uint64_t seq = GetBE(std::string_view(it->key().data() + kTime.size() + 8, 8));
    std::string entry;
    CL_RETURN_IF_ERROR(
        FromRocks(db_->db()->Get({}, db_->family("meta"), EntryKey(seq), &entry), "access log"));
    out.push_back(std::move(entry));
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "access log"));
  return out;
}

Status AccessChain::Scan(int64_t since_ms, uint64_t from_seq,
                         const std::function<bool(int64_t, uint64_t, std::string_view)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, db_->family("meta")));
  std::string from(kTime);
  PutBE(from, static_cast<uint64_t>(std::max<int64_t>(0, since_ms)));
  PutBE(from, from_seq);
  for (it->Seek(from); it->Valid(); it->Next()) {
    if (!it->key().starts_with(std::string(kTime))) break;
    auto at = static_cast<int64_t>(GetBE(std::string_view(it->key().data() + kTime.size(), 8)));
    uint64_t seq = GetBE(std::string_view(it->key().data() + kTime.size() + 8, 8));
    std::string entry;
    CL_RETURN_IF_ERROR(
        FromRocks(db_->db()->Get({}, db_->family("meta"), EntryKey(seq), &entry), "access log"));
    if (!fn(at, seq, entry)) break;
  }
  return FromRocks(it->status(), "access log");
}

Result<events::TreeHead> AccessTreeHead(RocksDb& db) {
  CL_ASSIGN_OR_RETURN(events::MerkleFrontier tree, LoadTree(db));
  return events::TreeHead{tree.size(), tree.Root()};
}

Result<std::string> VerifyAccessChain(RocksDb& db,
                                      const std::map<uint64_t, events::Hash>& signed_roots) {
  CL_ASSIGN_OR_RETURN(events::MerkleFrontier committed, LoadTree(db));
  events::MerkleFrontier tree;
  auto check_signed = [&]() -> std::string {
    auto at = signed_roots.find(tree.size());
    if (at != signed_roots.end() && at->second != tree.Root()) {
      return "access log: its first " + std::to_string(tree.size()) +
             " entries do not hash to the root its checkpoint signed: an entry was altered, "
             "removed or reordered after it was signed";
    }
    return "";
  };
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator({}, db.family("meta")));
  for (it->Seek(std::string(kEntry)); it->Valid() && it->key().starts_with(std::string(kEntry));
       it->Next()) {
    uint64_t seq = GetBE(std::string_view(it->key().data() + kEntry.size(), 8));
    if (it->key().size() != kEntry.size() + 8 || seq != tree.size()) {
      return "access log: entry " + std::to_string(tree.size()) + " is missing (next is " +
             std::to_string(seq) + ")";
    }
    tree.Append(events::LeafHash(std::string_view(it->value().data(), it->value().size())));
    if (auto problem = check_signed(); !problem.empty()) return problem;
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "access log"));
  if (tree.size() != committed.size()) {
    return "access log: " + std::to_string(tree.size()) + " entries, but its tree counts " +
           std::to_string(committed.size());
  }
  if (tree.Root() != committed.Root()) {
    return std::string(
        "access log: its entries do not hash to the tree's root: an entry was altered");
  }
  for (const auto& [size, root] : signed_roots) {
    if (size > tree.size()) {
      return "access log: a checkpoint signed " + std::to_string(size) + " entries, but only " +
             std::to_string(tree.size()) + " remain";
    }
  }
  return std::string();
}

}  // namespace closeloop::rocks
