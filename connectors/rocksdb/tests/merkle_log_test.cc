// The embedded log's Merkle trees and signed checkpoints.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "connectors/rocksdb/checkpoints.h"
#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/log_verify.h"
#include "events/record.h"
#include "events/testing/record_builder.h"
#include "events/testing/temp_dir.h"

namespace closeloop::rocks {
namespace {

namespace fs = std::filesystem;

struct TempDir : events::testing::TempDir {
  TempDir() : events::testing::TempDir("cl-merkle") {}
};

std::string Alarm(int n, const std::string& extra = "") {
  return events::testing::IngressRecord(
      R"({"source": "iot","subject": "ENT-1","occurred_at": 1767225600000,)"
      R"("body_type": "SensorAlarm","body": {"sensor_id": "S-)" +
      std::to_string(n) + extra + R"("}})");
}

// MTH of RFC 9162 over the stored records, computed naively.
events::Hash Naive(const std::vector<events::StoredRecord>& r, size_t lo, size_t hi) {
  if (hi == lo) return events::EmptyTreeHash();
  if (hi - lo == 1) return events::LeafHash(r[lo].bytes);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return events::NodeHash(Naive(r, lo, lo + k), Naive(r, lo + k, hi));
}

void Append(EmbeddedLog& log, uint32_t p, int from, int count) {
  std::vector<std::string> recs;
  for (int i = from; i < from + count; ++i) recs.push_back(Alarm(i));
  REQUIRE(log.Append({{p, recs}}).ok());
}

TEST_CASE("the tree follows every batch; proofs from stored nodes verify") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 2);
  REQUIRE(log.ok());
  EmbeddedLog& l = **log;
  CHECK(l.Tree(0).size == 0);
  CHECK(l.Tree(0).root == events::EmptyTreeHash());
  std::vector<uint64_t> sizes;
  std::vector<events::Hash> roots;
  int n = 0;
  for (int batch : {1, 2, 5, 16, 17, 3, 33, 1, 60}) {
    Append(l, 1, n, batch);
    n += batch;
    auto recs = l.Read(1, 0, 1000);
    REQUIRE(recs.ok());
    auto head = l.Tree(1);
    REQUIRE(head.size == static_cast<uint64_t>(n));
    REQUIRE(head.root == Naive(*recs, 0, n));
    for (uint64_t i = 0; i < head.size; i += 3) {
      auto proof = l.Inclusion(1, i, head.size);
      REQUIRE(proof.ok());
      CHECK(events::VerifyInclusion(i, head.size, events::LeafHash((*recs)[i].bytes), *proof,
                                    head.root)
                .ok());
    }
    for (size_t k = 0; k < sizes.size(); ++k) {
      auto root = l.RootAt(1, sizes[k]);
      REQUIRE(root.ok());
      CHECK(*root == roots[k]);
      auto proof = l.Consistency(1, sizes[k], head.size);
      REQUIRE(proof.ok());
      CHECK(events::VerifyConsistency(sizes[k], head.size, *proof, roots[k], head.root).ok());
    }
    sizes.push_back(head.size);
    roots.push_back(head.root);
  }
  CHECK(l.Tree(0).size == 0);
  CHECK(VerifyLog(l).ok());
  CHECK_FALSE(l.Inclusion(1, 5, 1000).ok());
}

TEST_CASE("the tree survives a restart and is built for a log that predates trees") {
  TempDir dir;
  events::TreeHead before;
  {
    auto db = RocksDb::Open(dir.path, {});
    auto log = EmbeddedLog::Open(db->get(), 1);
    Append(**log, 0, 0, 45);
    before = (*log)->Tree(0);
  }
  {
    auto db = RocksDb::Open(dir.path, {});
    auto log = EmbeddedLog::Open(db->get(), 0);
    CHECK((*log)->Tree(0).root == before.root);
    // As a log written before trees existed: no frontier, no nodes.
    auto* meta = (*db)->family("meta");
    REQUIRE((*db)->db()->Delete({}, meta, EmbeddedLog::FrontierKey(0)).ok());
    REQUIRE((*db)->db()->Delete({}, meta, EmbeddedLog::NodeKey(0, 5, 0)).ok());
  }
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 0);
  REQUIRE(log.ok());
  CHECK((*log)->Tree(0).size == 45);
  CHECK((*log)->Tree(0).root == before.root);
  CHECK((*log)->StoredNode(0, 5, 0).ok());
  CHECK(VerifyLog(**log).ok());
}

TEST_CASE("log verify notices a damaged tree node") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 1);
  Append(**log, 0, 0, 40);
  REQUIRE((*db)
              ->db()
              ->Put({}, (*db)->family("meta"), EmbeddedLog::NodeKey(0, 4, 1), std::string(32, 'x'))
              .ok());
  auto r = VerifyLog(**log);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("tree") != std::string::npos);
}

TEST_CASE("checkpoints: a private key at first start, signed tree heads, newest first") {
  TempDir dir;
  fs::create_directories(dir.path);
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 2);
  CHECK_FALSE(Checkpointer::Open(log->get(), db->get(), dir.path, false).ok());
  auto cp = Checkpointer::Open(log->get(), db->get(), dir.path, true);
  REQUIRE(cp.ok());
  struct stat st;
  REQUIRE(::stat(Checkpointer::KeyPath(dir.path).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto verifier = Checkpointer::ReadVerifier(dir.path);
  REQUIRE(verifier.ok());
  CHECK(verifier->ToString() == (*cp)->verifier().ToString());
  CHECK(verifier->name == (*log)->name());

  CHECK((*cp)->Publish(1000)->empty());  // nothing to sign yet
  Append(**log, 0, 0, 10);
  auto first = (*cp)->Publish(2000);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 1);
  CHECK((*first)[0].checkpoint.size == 10);
  CHECK((*first)[0].checkpoint.root == (*log)->Tree(0).root);
  CHECK((*cp)->Publish(3000)->empty());  // unchanged: not signed again
  Append(**log, 0, 10, 7);
  REQUIRE((*cp)->Publish(4000)->size() == 1);
  auto list = (*cp)->List(0, 10);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].checkpoint.size == 17);
  CHECK((*list)[1].checkpoint.size == 10);
  CHECK((*list)[0].checkpoint.signed_at_ms == 4000);
  CHECK((*cp)->At(0, 10).ok());
  CHECK((*cp)->At(0, 11).status().code() == Code::kNotFound);
  CHECK((*cp)->Latest(1).status().code() == Code::kNotFound);
  auto text = events::OpenNote((*list)[0].note, *verifier);
  REQUIRE(text.ok());
  CHECK(text->rfind((*log)->name() + "/partition/0\n17\n", 0) == 0);

  // Reopened, the same key is used.
  cp->reset();
  auto again = Checkpointer::Open(log->get(), db->get(), dir.path, true);
  REQUIRE(again.ok());
  CHECK((*again)->verifier().ToString() == verifier->ToString());
}

TEST_CASE("a log rewritten after a checkpoint fails the consistency proof") {
  TempDir dir;
  events::TreeHead signed_head;
  {
    auto db = RocksDb::Open(dir.path, {});
    auto log = EmbeddedLog::Open(db->get(), 1);
    Append(**log, 0, 0, 40);
    signed_head = (*log)->Tree(0);
    // Rewrite record 7 underneath, and the whole tree from the rewritten records (what
    // someone rewriting history would do): forget the frontier and the nodes.
    auto* meta = (*db)->family("meta");
    auto recs = (*log)->Read(0, 7, 1);
    std::string forged = Alarm(7, "-forged");
    REQUIRE(events::SetPrevHash(forged, events::Hash{}).ok());
    REQUIRE((*db)->db()->Put({}, (*db)->family("log"), EmbeddedLog::RecordKey(0, 7), forged).ok());
    REQUIRE((*db)->db()->Delete({}, meta, EmbeddedLog::FrontierKey(0)).ok());
    for (uint32_t h = EmbeddedLog::kStoredHeight; h < 8; ++h)
      for (uint64_t i = 0; i < 4; ++i)
        (*db)->db()->Delete({}, meta, EmbeddedLog::NodeKey(0, h, i)).PermitUncheckedError();
  }
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 0);
  REQUIRE(log.ok());
  Append(**log, 0, 40, 25);
  auto now = (*log)->Tree(0);
  auto proof = (*log)->Consistency(0, signed_head.size, now.size);
  REQUIRE(proof.ok());
  auto checked =
      events::VerifyConsistency(signed_head.size, now.size, *proof, signed_head.root, now.root);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.message().find("does not extend") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::rocks
