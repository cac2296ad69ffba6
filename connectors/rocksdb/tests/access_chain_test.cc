// The access log's chain: entries under a Merkle tree the checkpoints sign; an entry altered,
// removed or reordered afterwards is caught; entries of older data directories move in.
#include "connectors/rocksdb/access_chain.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "connectors/rocksdb/checkpoints.h"
#include "connectors/rocksdb/embedded_log.h"
#include "events/testing/temp_dir.h"

namespace closeloop::rocks {
namespace {

namespace fs = std::filesystem;

struct Dir : events::testing::TempDir {
  Dir() : events::testing::TempDir("cl-access") {}
};

std::string Entry(int n) {
  return R"({"at":)" + std::to_string(1767225600000 + n) +
         R"(,"user":"auditor","target":"/v1/tickets/T-)" + std::to_string(n) + R"("})";
}

std::string EntryKey(uint64_t seq) {
  std::string k = "acc/e/";
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
  return k;
}

TEST_CASE("the access log is a tree the checkpoints sign, and tampering with it is caught") {
  Dir dir;
  auto db = RocksDb::Open(dir.path.string(), {.sync = false});
  REQUIRE(db.ok());
  auto log = EmbeddedLog::Open(db->get(), 1);
  REQUIRE(log.ok());
  auto cp = Checkpointer::Open(log->get(), db->get(), dir.path.string(), true);
  REQUIRE(cp.ok());
  auto chain = AccessChain::Open(db->get());
  REQUIRE(chain.ok());
  for (int i = 0; i < 10; ++i) REQUIRE((*chain)->Append(1767225600000 + i, Entry(i)).ok());
  auto published = (*cp)->Publish(1767225700000);
  REQUIRE(published.ok());
  bool access_signed = false;
  for (const auto& c : *published) {
    if (c.partition == Checkpointer::kAccessLog) {
      access_signed = true;
      CHECK(c.checkpoint.origin == (*log)->name() + "/access");
      CHECK(c.checkpoint.size == 10);
    }
  }
  CHECK(access_signed);
  for (int i = 10; i < 12; ++i) REQUIRE((*chain)->Append(1767225600000 + i, Entry(i)).ok());
  auto roots = (*cp)->AccessRoots();
  REQUIRE(roots.ok());
  REQUIRE(roots->size() == 1);
  auto intact = VerifyAccessChain(**db, *roots);
  REQUIRE(intact.ok());
  CHECK(*intact == "");
  auto listed = (*chain)->List(1767225600005, 3);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0] == Entry(5));

  rocksdb::DB* raw = (*db)->db();
  auto* meta = (*db)->family("meta");
  SUBCASE("an entry altered") {
    std::string altered = Entry(3);
    altered[altered.size() - 3] = '9';
    REQUIRE(raw->Put({}, meta, EntryKey(3), altered).ok());
    auto found = VerifyAccessChain(**db, *roots);
    REQUIRE(found.ok());
    CHECK(found->find("do not hash to the root its checkpoint signed") != std::string::npos);
  }
  SUBCASE("an entry removed") {
    REQUIRE(raw->Delete({}, meta, EntryKey(4)).ok());
    auto found = VerifyAccessChain(**db, *roots);
    REQUIRE(found.ok());
    CHECK(found->find("entry 4 is missing") != std::string::npos);
  }
  SUBCASE("two entries swapped") {
    REQUIRE(raw->Put({}, meta, EntryKey(1), Entry(2)).ok());
    REQUIRE(raw->Put({}, meta, EntryKey(2), Entry(1)).ok());
    auto found = VerifyAccessChain(**db, *roots);
    REQUIRE(found.ok());
    CHECK(!found->empty());
  }
  SUBCASE("the tail rewritten along with the tree, after the checkpoint") {
    // Whoever rewrites entries and recomputes the stored tree still fails the signed root.
    Dir other;
    auto db2 = RocksDb::Open(other.path.string(), {.sync = false});
    REQUIRE(db2.ok());
    auto chain2 = AccessChain::Open(db2->get());
    REQUIRE(chain2.ok());
    for (int i = 0; i < 12; ++i) REQUIRE((*chain2)->Append(1, i == 7 ? Entry(70) : Entry(i)).ok());
    auto found = VerifyAccessChain(**db2, *roots);
    REQUIRE(found.ok());
    CHECK(found->find("checkpoint signed") != std::string::npos);
  }
}

TEST_CASE("entries written before the chain existed move into it, in order") {
  Dir dir;
  {
    auto db = RocksDb::Open(dir.path.string(), {.sync = false});
    REQUIRE(db.ok());
    for (int i = 0; i < 3; ++i) {
      char key[64];
      std::snprintf(key, sizeof key, "access/%016llx/%08x",
                    static_cast<unsigned long long>(1767225600000 + i), i);
      REQUIRE((*db)->db()->Put({}, (*db)->family("meta"), key, Entry(i)).ok());
    }
  }
  auto db = RocksDb::Open(dir.path.string(), {.sync = false});
  REQUIRE(db.ok());
  auto chain = AccessChain::Open(db->get());
  REQUIRE(chain.ok());
  auto head = AccessTreeHead(**db);
  REQUIRE(head.ok());
  CHECK(head->size == 3);
  auto listed = (*chain)->List(0, 10);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[2] == Entry(2));
  auto verified = VerifyAccessChain(**db, {});
  REQUIRE(verified.ok());
  CHECK(*verified == "");
}

}  // namespace
}  // namespace closeloop::rocks
