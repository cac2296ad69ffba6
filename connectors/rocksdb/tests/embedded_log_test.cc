#include "connectors/rocksdb/embedded_log.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "connectors/rocksdb/log_verify.h"
#include "events/record.h"
#include "events/testing/record_builder.h"
#include "events/testing/temp_dir.h"

namespace closeloop::rocks {
namespace {

namespace fs = std::filesystem;

struct TempDir : events::testing::TempDir {
  TempDir() : events::testing::TempDir("cl-rocks") {}
};

std::string Alarm(const std::string& subject, int n) {
  return events::testing::IngressRecord(
      R"({"source": "iot","subject": ")" + subject + R"(","occurred_at": 1767225600000,)" +
      R"("body_type": "SensorAlarm","body": {"sensor_id": "S-)" + std::to_string(n) + R"("}})");
}

TEST_CASE("records appended survive a restart, in order, with the chain intact") {
  TempDir dir;
  {
    auto db = RocksDb::Open(dir.path, {});
    REQUIRE(db.ok());
    auto log = EmbeddedLog::Open(db->get(), 4);
    REQUIRE(log.ok());
    auto ranges = (*log)->Append({{1, {Alarm("a", 1), Alarm("a", 2)}}, {3, {Alarm("b", 3)}}});
    REQUIRE(ranges.ok());
    CHECK((*ranges)[0].first_offset == 0);
    CHECK((*ranges)[1].partition == 3);
    REQUIRE((*log)->Append({{1, {Alarm("a", 4)}}}).ok());
  }
  auto db = RocksDb::Open(dir.path, {});
  REQUIRE(db.ok());
  auto log = EmbeddedLog::Open(db->get(), 0);
  REQUIRE(log.ok());
  CHECK((*log)->partition_count() == 4);
  CHECK((*log)->Head(1).end_offset == 3);
  auto recs = (*log)->Read(1, 1, 10);
  REQUIRE(recs.ok());
  REQUIRE(recs->size() == 2);
  CHECK((*recs)[0].offset == 1);
  auto second = events::VerifyRecord((*recs)[1].bytes);
  CHECK((*second)->body_as_SensorAlarm()->sensor_id()->str() == "S-4");
  auto report = VerifyLog(**log);
  REQUIRE(report.ok());
  CHECK((*report)[1].records == 3);
}

TEST_CASE("reopening with another partition count is refused") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  REQUIRE(EmbeddedLog::Open(db->get(), 4).ok());
  auto again = EmbeddedLog::Open(db->get(), 8);
  CHECK(again.status().code() == Code::kFailedPrecondition);
}

TEST_CASE("a batch with a bad record writes nothing, not even the good records") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 2);
  auto r = (*log)->Append({{0, {Alarm("a", 1)}}, {1, {std::string("garbage")}}});
  CHECK_FALSE(r.ok());
  CHECK((*log)->Head(0).end_offset == 0);
  CHECK((*(*log)->Read(0, 0, 10)).empty());
  CHECK((*log)->StoredHead(0)->end_offset == 0);
}

TEST_CASE("extra writes join the append atomically, and their failure cancels it") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 1);
  auto* meta = (*db)->family("meta");
  auto ok = (*log)->AppendWith({{0, {Alarm("a", 1)}}}, [&](rocksdb::WriteBatch& wb) {
    return FromRocks(wb.Put(meta, "test/position", "1"), "put");
  });
  REQUIRE(ok.ok());
  std::string v;
  CHECK((*db)->db()->Get({}, meta, "test/position", &v).ok());
  auto failed = (*log)->AppendWith({{0, {Alarm("a", 2)}}},
                                   [](rocksdb::WriteBatch&) { return Internal("injected"); });
  CHECK_FALSE(failed.ok());
  CHECK((*log)->Head(0).end_offset == 1);
  CHECK(VerifyLog(**log).ok());
}

TEST_CASE("a second process cannot open a data directory in use") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  REQUIRE(db.ok());
  auto second = RocksDb::Open(dir.path, {});
  CHECK(second.status().code() == Code::kUnavailable);
}

TEST_CASE("a tailing reader is woken by an append") {
  TempDir dir;
  auto db = RocksDb::Open(dir.path, {});
  auto log = EmbeddedLog::Open(db->get(), 1);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    (void)(*log)->Append({{0, {Alarm("a", 1)}}});
  });
  CHECK((*log)->WaitForAppend(0, 0, std::chrono::seconds(10)) == 1);
  writer.join();
}

}  // namespace
}  // namespace closeloop::rocks
