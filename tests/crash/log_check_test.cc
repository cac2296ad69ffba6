// The crash test is only as good as its check: each case builds the log a broken publisher
// would leave and expects CheckLog to say what is wrong with it.
#include "tests/crash/log_check.h"

#include <doctest/doctest.h>

#include "events/memory_log.h"
#include "events/partition.h"
#include "events/testing/record_builder.h"
#include "tests/crash/corpus.h"

namespace closeloop::crash {
namespace {

constexpr uint32_t kRecords = 40;

// Appends records [begin, end) of `file` in one batch, as one publish would.
void AppendFile(events::Log& log, uint32_t file, uint32_t begin = 0, uint32_t end = kRecords) {
  std::vector<events::PartitionAppend> batch(log.partition_count());
  for (uint32_t p = 0; p < batch.size(); ++p) batch[p].partition = p;
  for (uint32_t seq = begin; seq < end; ++seq) {
    uint32_t p = events::PartitionForKey(CorpusSubject(file, seq), log.partition_count());
    batch[p].records.push_back(events::testing::IngressRecord(CorpusJson(file, seq)));
  }
  std::erase_if(batch, [](const auto& pa) { return pa.records.empty(); });
  REQUIRE(log.Append(std::move(batch)).ok());
}

std::vector<FileHistory> History(int files) {
  return std::vector<FileHistory>(files, FileHistory{.records = kRecords});
}

bool Mentions(const CheckReport& r, std::string_view what) {
  for (const auto& p : r.problems) {
    if (p.find(what) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("corpus ids carry their file and position and nothing else parses as one") {
  uint32_t f = 0, seq = 0;
  REQUIRE(ParseCorpusId(CorpusId(17, 4999), &f, &seq));
  CHECK(f == 17);
  CHECK(seq == 4999);
  CHECK(CorpusId(1, 2) != CorpusId(2, 1));
  CHECK_FALSE(ParseCorpusId("01ARZ3NDEKTSV4RRFFQ69G5FAV", &f, &seq));
}

TEST_CASE("the check accepts whole files, absent files, and unacknowledged files that landed") {
  events::MemoryLog log("crash-check", 4);
  AppendFile(log, 0);
  AppendFile(log, 2);
  auto h = History(3);
  h[0] = {kRecords, 1, true, 1};
  h[1] = {kRecords, 2, false, 0};  // killed twice before its write
  h[2] = {kRecords, 1, false, 1};  // killed after its write, before it printed
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(r->problems.empty());
  CHECK(r->copies == std::vector<int>{1, 0, 1});
  CHECK(r->records == 2 * kRecords);
}

TEST_CASE("the check reports a file of which only a first batch landed") {
  events::MemoryLog log("crash-check", 4);
  AppendFile(log, 0, 0, kRecords / 2);  // a publisher appending in two batches, killed between
  auto h = History(1);
  h[0] = {kRecords, 1, false, 0};
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "batch stops after"));
  CHECK(r->copies[0] != 1);
}

TEST_CASE("the check reports a file whose records landed in some partitions only") {
  events::MemoryLog log("crash-check", 4);
  std::vector<events::PartitionAppend> batch(1);
  batch[0].partition = 1;
  for (uint32_t seq = 0; seq < kRecords; ++seq) {
    if (events::PartitionForKey(CorpusSubject(0, seq), 4) == 1) {
      batch[0].records.push_back(events::testing::IngressRecord(CorpusJson(0, seq)));
    }
  }
  REQUIRE(log.Append(std::move(batch)).ok());
  auto h = History(1);
  h[0] = {kRecords, 1, true, 1};
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "file 0 is partial"));
  CHECK(r->copies[0] == -1);
}

TEST_CASE("the check reports an acknowledged file that is missing") {
  events::MemoryLog log("crash-check", 4);
  auto h = History(1);
  h[0] = {kRecords, 1, true, 0};
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "acknowledged but is not in the log"));
}

TEST_CASE("the check reports a file appended twice though published once") {
  events::MemoryLog log("crash-check", 4);
  AppendFile(log, 0);
  AppendFile(log, 0);
  auto h = History(1);
  h[0] = {kRecords, 1, true, 1};
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "in the log 2 times but was published 1 times"));
}

TEST_CASE("the check reports a file that is in the log though no run was seen adding it") {
  events::MemoryLog log("crash-check", 4);
  AppendFile(log, 0);
  auto h = History(1);
  h[0] = {kRecords, 2, false, 0};
  auto r = CheckLog(log, h);
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "runs were seen adding it 0 times"));
}

TEST_CASE("the check reports records that no corpus file holds") {
  events::MemoryLog log("crash-check", 4);
  REQUIRE(log.Append({{0,
                       {events::testing::IngressRecord(
                           R"({"source": "hotline","subject": "ENT-1","occurred_at": )"
                           R"(1767225600000,"body_type": "HazardReport","body": )"
                           R"({"category": "gas"}})")}}})
              .ok());
  auto r = CheckLog(log, History(1));
  REQUIRE(r.ok());
  CHECK(Mentions(*r, "is not a corpus record"));
}

}  // namespace
}  // namespace closeloop::crash
