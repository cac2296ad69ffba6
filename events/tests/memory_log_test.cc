#include "events/memory_log.h"

#include <doctest/doctest.h>

#include "events/chain.h"
#include "events/record.h"
#include "events/testing/record_builder.h"

namespace closeloop::events {
namespace {

std::string Tick(int64_t now) {
  return testing::IngressRecord(R"({"source": "clock","body_type": "ClockTick","body": {"now": )" +
                                std::to_string(now) + "}}");
}

TEST_CASE("appends chain each record to its predecessor, verifiable end to end") {
  MemoryLog log("test", 2);
  REQUIRE(log.Append({{0, {Tick(1767225600000), Tick(1767225601000)}}, {1, {Tick(1767225602000)}}})
              .ok());
  REQUIRE(log.Append({{0, {Tick(1767225603000)}}}).ok());
  CHECK(log.Head(0).end_offset == 3);
  for (uint32_t p = 0; p < 2; ++p) {
    ChainVerifier v(log.name(), p);
    auto recs = log.Read(p, 0, 100);
    REQUIRE(recs.ok());
    for (const auto& r : *recs) CHECK(v.Next(r.offset, r.bytes).ok());
    CHECK(v.Finish(log.Head(p)).ok());
  }
}

TEST_CASE("a batch with one bad record appends nothing") {
  MemoryLog log("test", 2);
  std::string bad = "not a record at all";
  auto r = log.Append({{0, {Tick(1767225600000)}}, {1, {bad}}});
  CHECK_FALSE(r.ok());
  CHECK(log.Head(0).end_offset == 0);
  CHECK(log.Head(1).end_offset == 0);
  CHECK(log.Head(0).last_hash == GenesisHash("test", 0));
}

TEST_CASE("the chain verifier detects alteration, removal and reordering") {
  MemoryLog log("test", 1);
  REQUIRE(log.Append({{0, {Tick(1767225600000), Tick(1767225601000), Tick(1767225602000)}}}).ok());
  auto recs = *log.Read(0, 0, 10);

  auto verify = [&](const std::vector<StoredRecord>& seq) {
    ChainVerifier v(log.name(), 0);
    for (const auto& r : seq) CL_RETURN_IF_ERROR(v.Next(r.offset, r.bytes));
    return v.Finish(log.Head(0));
  };
  CHECK(verify(recs).ok());

  auto altered = recs;
  altered[1].bytes = Tick(1767225609000);
  CHECK_FALSE(verify(altered).ok());

  auto removed = recs;
  removed.erase(removed.begin() + 1);
  CHECK_FALSE(verify(removed).ok());

  auto reordered = recs;
  std::swap(reordered[0].bytes, reordered[1].bytes);
  CHECK_FALSE(verify(reordered).ok());

  auto truncated = recs;
  truncated.pop_back();
  CHECK_FALSE(verify(truncated).ok());
}

TEST_CASE("a tailing reader wakes on append") {
  MemoryLog log("test", 1);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    (void)log.Append({{0, {Tick(1767225600000)}}});
  });
  uint64_t end = log.WaitForAppend(0, 0, std::chrono::seconds(5));
  writer.join();
  CHECK(end == 1);
}

}  // namespace
}  // namespace closeloop::events
