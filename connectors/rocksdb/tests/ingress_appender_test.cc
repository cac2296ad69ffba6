#include "connectors/rocksdb/ingress_appender.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "events/record.h"
#include "events/testing/record_builder.h"

namespace closeloop::rocks {
namespace {

namespace fs = std::filesystem;

struct Db {
  fs::path path = fs::temp_directory_path() /
                  ("cl-ingress-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::unique_ptr<RocksDb> db;
  std::unique_ptr<EmbeddedLog> log;
  Db() {
    fs::remove_all(path);
    db = std::move(RocksDb::Open(path, {.sync = false}).value());
    log = std::move(EmbeddedLog::Open(db.get(), 4).value());
  }
  ~Db() {
    log.reset();
    db.reset();
    fs::remove_all(path);
  }
  static inline int counter = 0;
};

events::IngressItem Item(const std::string& id, uint32_t partition) {
  std::string bytes = events::testing::IngressRecord(
      R"({"id": ")" + id + R"(", "source": "iot", "subject": "s", "occurred_at": 1767225600000,)" +
      R"("body_type": "SensorAlarm", "body": {"sensor_id": "S-1"}})");
  return {id, bytes, {partition}};
}

const char* kA = "01JBZ0000000000000000000AA";
const char* kB = "01JBZ0000000000000000000BB";

TEST_CASE("an event re-sent with the same id is acknowledged at its first position, not appended") {
  Db d;
  IngressAppender appender(*d.db, *d.log);
  auto first = appender.Append({Item(kA, 1), Item(kB, 2)});
  REQUIRE(first.ok());
  CHECK_FALSE((*first)[0].duplicate);
  CHECK((*first)[0].partition == 1);
  CHECK((*first)[0].offset == 0);
  CHECK((*first)[1].partition == 2);

  auto again = appender.Append({Item(kB, 2), Item(kA, 1)});
  REQUIRE(again.ok());
  CHECK((*again)[0].duplicate);
  CHECK((*again)[0].partition == 2);
  CHECK((*again)[1].duplicate);
  CHECK((*again)[1].offset == 0);
  CHECK(d.log->Head(1).end_offset == 1);
  CHECK(d.log->Head(2).end_offset == 1);
}

TEST_CASE("an id repeated inside one batch is appended once") {
  Db d;
  IngressAppender appender(*d.db, *d.log);
  REQUIRE(appender.Append({Item(kB, 3)}).ok());  // something before, so offsets are not 0
  auto acks = appender.Append({Item(kA, 3), Item(kA, 3)});
  REQUIRE(acks.ok());
  CHECK_FALSE((*acks)[0].duplicate);
  CHECK((*acks)[0].offset == 1);
  CHECK((*acks)[1].duplicate);
  CHECK((*acks)[1].offset == 1);
  CHECK(d.log->Head(3).end_offset == 2);
  auto found = appender.Find(kA);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->partition == 3);
  CHECK((*found)->offset == 1);
}

TEST_CASE("concurrent copies of one event: exactly one is appended") {
  Db d;
  IngressAppender appender(*d.db, *d.log);
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto acks = appender.Append({Item(kA, 0)});
      if (acks.ok() && !(*acks)[0].duplicate) ++fresh;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(fresh == 1);
  CHECK(d.log->Head(0).end_offset == 1);
}

TEST_CASE("concurrent synced appends share fsyncs (group commit) and each lands once") {
  Db d;
  IngressAppender appender(*d.db, *d.log);
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::vector<std::vector<events::IngressAck>> acks(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto a = appender.Append({Item("g-" + std::to_string(t) + "-" + std::to_string(i),
                                       static_cast<uint32_t>(t % 4))},
                                 /*sync=*/true);
        if (!a.ok()) {
          ++failures;
          return;
        }
        acks[t].push_back(a->front());
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(failures == 0);
  std::set<std::pair<uint32_t, uint64_t>> places;
  for (const auto& list : acks) {
    for (const auto& a : list) {
      CHECK_FALSE(a.duplicate);
      places.insert({a.partition, a.offset});
      auto found = appender.Find(a.id);
      REQUIRE(found.ok());
      REQUIRE(found->has_value());
      CHECK((*found)->offset == a.offset);
    }
  }
  CHECK(places.size() == kThreads * kEach);  // every append has its own place
  uint64_t records = 0;
  for (uint32_t p = 0; p < 4; ++p) records += d.log->Head(p).end_offset;
  CHECK(records == kThreads * kEach);
  // Every append was synced, by fewer fsyncs than appends: callers that arrived during an
  // fsync shared the next one.
  CHECK(d.db->wal_syncs() >= 1);
  CHECK(d.db->wal_syncs() < static_cast<uint64_t>(kThreads * kEach));
}

TEST_CASE("the index survives a restart, so a resend after a crash is still recognised") {
  Db d;
  {
    IngressAppender appender(*d.db, *d.log);
    REQUIRE(appender.Append({Item(kA, 2)}).ok());
  }
  d.log.reset();
  d.db.reset();
  d.db = std::move(RocksDb::Open(d.path, {.sync = false}).value());
  d.log = std::move(EmbeddedLog::Open(d.db.get(), 0).value());
  IngressAppender appender(*d.db, *d.log);
  auto acks = appender.Append({Item(kA, 2)});
  REQUIRE(acks.ok());
  CHECK((*acks)[0].duplicate);
  CHECK(d.log->Head(2).end_offset == 1);
}

}  // namespace
}  // namespace closeloop::rocks
