#include "tests/crash/committed_probe.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "connectors/rocksdb/rocks_db.h"

namespace closeloop::crash {

Result<uint64_t> CommittedRecords(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) return uint64_t{0};
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  CL_RETURN_IF_ERROR(
      rocks::FromRocks(rocksdb::DB::ListColumnFamilies(options, dir, &names), "listing families"));
  if (std::find(names.begin(), names.end(), "meta") == names.end()) return uint64_t{0};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  CL_RETURN_IF_ERROR(rocks::FromRocks(
      rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &handles, &raw), "read-only open"));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  for (auto* h : handles) {
    if (h->GetName() == "meta") meta = h;
  }
  uint64_t total = 0;
  Status status;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, meta));
    for (it->Seek("head/"); it->Valid() && it->key().starts_with("head/"); it->Next()) {
      rocksdb::Slice v = it->value();
      if (v.size() < 8) {
        status = Corruption("a partition head of " + std::to_string(v.size()) + " bytes");
        break;
      }
      uint64_t end = 0;
      for (int i = 0; i < 8; ++i) end = (end << 8) | static_cast<uint8_t>(v.data()[i]);
      total += end;
    }
    if (status.ok()) status = rocks::FromRocks(it->status(), "reading partition heads");
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  CL_RETURN_IF_ERROR(status);
  return total;
}

}  // namespace closeloop::crash
