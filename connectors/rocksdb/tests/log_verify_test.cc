#include "connectors/rocksdb/log_verify.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "events/testing/record_builder.h"

namespace closeloop::rocks {
namespace {

namespace fs = std::filesystem;

std::string Report(int n) {
  return events::testing::IngressRecord(
      R"({"source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,)"
      R"("body_type": "HazardReport","body": {"category": "gas","description": "report )" +
      std::to_string(n) + R"("}})");
}

// A log of one partition with five records; each case damages it underneath the log,
// straight in RocksDB, then reopens and verifies.
struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("cl-verify-" + std::to_string(::getpid()));
  Fixture() {
    fs::remove_all(dir);
    auto db = RocksDb::Open(dir, {});
    auto log = EmbeddedLog::Open(db->get(), 1);
    std::vector<std::string> recs;
    for (int i = 0; i < 5; ++i) recs.push_back(Report(i));
    REQUIRE((*log)->Append({{0, recs}}).ok());
  }
  ~Fixture() { fs::remove_all(dir); }

  template <typename Damage>
  Status VerifyAfter(Damage damage) {
    auto db = RocksDb::Open(dir, {});
    REQUIRE(db.ok());
    damage(**db);
    auto log = EmbeddedLog::Open(db->get(), 0);
    REQUIRE(log.ok());
    auto r = VerifyLog(**log);
    return r.ok() ? Status::Ok() : r.status();
  }
  static std::string Get(RocksDb& db, uint64_t offset) {
    std::string v;
    REQUIRE(db.db()->Get({}, db.family("log"), EmbeddedLog::RecordKey(0, offset), &v).ok());
    return v;
  }
  static void Put(RocksDb& db, uint64_t offset, const std::string& v) {
    REQUIRE(db.db()->Put({}, db.family("log"), EmbeddedLog::RecordKey(0, offset), v).ok());
  }
};

TEST_CASE("an intact log verifies") {
  Fixture f;
  CHECK(f.VerifyAfter([](RocksDb&) {}).ok());
}

TEST_CASE("a record altered in place is detected at the next offset") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) {
    std::string v = Fixture::Get(db, 2);
    auto pos = v.find("report 2");
    REQUIRE(pos != std::string::npos);
    v[pos + 7] = '9';  // the description now reads "report 9"
    Fixture::Put(db, 2, v);
  });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("offset 3") != std::string::npos);
}

TEST_CASE("the last record altered is detected against the stored head") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) {
    std::string v = Fixture::Get(db, 4);
    v[v.find("report 4") + 7] = '8';
    Fixture::Put(db, 4, v);
  });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("offset 4") != std::string::npos);
}

TEST_CASE("a removed record is detected where the gap is") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) {
    REQUIRE(db.db()->Delete({}, db.family("log"), EmbeddedLog::RecordKey(0, 1)).ok());
  });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("offset 2") != std::string::npos);
}

TEST_CASE("two records swapped are detected") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) {
    std::string a = Fixture::Get(db, 1), b = Fixture::Get(db, 2);
    Fixture::Put(db, 1, b);
    Fixture::Put(db, 2, a);
  });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("offset 1") != std::string::npos);
}

TEST_CASE("the tail cut off is detected against the stored head") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) {
    REQUIRE(db.db()->Delete({}, db.family("log"), EmbeddedLog::RecordKey(0, 4)).ok());
  });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("head says 5") != std::string::npos);
}

TEST_CASE("bytes that are not a record are reported with their offset") {
  Fixture f;
  Status s = f.VerifyAfter([](RocksDb& db) { Fixture::Put(db, 3, "not a flatbuffer"); });
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("offset 3") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::rocks
