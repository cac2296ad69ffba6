// A clock record that makes many tickets late at once is handled over several commits
// (ProcessorOptions::due_per_commit), never as one write of everything: the records come out
// as from one commit, a crash between two of its commits goes on where it stopped with the
// same ids, and replay from the log reproduces the state byte for byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "engine/keys.h"
#include "engine/queries.h"
#include "engine/testing/harness.h"
#include "engine/tests/duty_tables.h"
#include "events/testing/record_builder.h"

namespace closeloop::engine {
namespace {

using testing::Harness;
using testing::MemoryStore;
using testing::Shanghai;

constexpr int kOrders = 11;

// Eleven quick orders (fireworks reports from eleven sites) opened at 09:00, each with three
// working hours to close before it chains an oversight case.
void OpenOrders(Harness& h) {
  h.Clock(Shanghai(2026, 2, 10, 9));
  testing::LoadTestCity(h);
  h.Deploy("quick_order", testing::kQuickOrder);
  for (int i = 0; i < kOrders; ++i) {
    h.Publish(R"({"source": "hotline","subject": "ENT-)" + std::to_string(1000 + i) +
              R"(","jurisdiction": "liuhe.getang.g02","occurred_at": )" + std::to_string(h.now()) +
              R"(,"body_type": "HazardReport","body": {"category": "fireworks"}})");
  }
  REQUIRE(h.TicketsOf("quick_order").size() == kOrders);
}

size_t Chained(const Harness& h) {
  size_t n = 0;
  for (const auto& t : h.TicketsOf("quick_order")) n += t.children.size();
  return n;
}

struct Replayed {
  std::map<std::string, std::string, std::less<>> state;
  std::string digest;  // StateDigest: all but the outbox, which live processing alone writes
  uint64_t mismatches = 0;
  std::string first_mismatch;
};

Replayed Replay(Harness& h, Mode mode, size_t due_per_commit) {
  MemoryStore fresh(h.partitions(), "replay");
  Replayed out;
  for (uint32_t p = 0; p < h.partitions(); ++p) {
    Processor proc(p, h.store().log(), fresh,
                   {.mode = mode, .records_per_commit = 5, .due_per_commit = due_per_commit});
    REQUIRE(proc.Open().ok());
    REQUIRE(proc.ProcessAvailable().ok());
    out.mismatches += proc.stats().mismatches;
    if (out.first_mismatch.empty()) out.first_mismatch = proc.stats().first_mismatch;
  }
  out.state = fresh.Snapshot();
  out.digest = *StateDigest(fresh);
  return out;
}

TEST_CASE("a tick that makes many orders late is handled in parts, with the records of one") {
  Harness h(2, {.due_per_commit = 3});
  OpenOrders(h);
  h.Clock(Shanghai(2026, 2, 11, 17));
  CHECK(Chained(h) == kOrders);
  for (uint32_t p = 0; p < h.partitions(); ++p)
    CHECK(!h.store().Get(keys::TickWork(p))->has_value());  // nothing left in progress

  // Deciding again from the inputs in one part per tick gives the same records, and the
  // rebuilt state is the live one byte for byte.
  Replayed whole = Replay(h, Mode::kReprocess, ProcessorOptions::kDuePerCommit);
  CHECK_MESSAGE(whole.mismatches == 0, whole.first_mismatch);
  CHECK(whole.state == h.store().Snapshot());
  Replayed rebuilt = Replay(h, Mode::kRebuild, ProcessorOptions::kDuePerCommit);
  CHECK(rebuilt.state == h.store().Snapshot());
}

TEST_CASE("a crash between two parts of a tick goes on where it stopped, with the same ids") {
  Harness h(1, {.due_per_commit = 3});
  OpenOrders(h);
  // The duty officer is paged for every chained case: each part of the tick emits pages
  // after its records, and the next part's ids come after those.
  nlohmann::json paging = duty_tables::PagingSubscription();
  paging["match"] = {{"types", {"TicketChained"}}};
  h.Publish(duty_tables::TableRecord(kRosterTableName, 1, duty_tables::Rosters()));
  h.Publish(duty_tables::TableRecord(kNotifyTableName, 1, {{"subscriptions", {paging}}}));
  REQUIRE(h.RecordsOfType("CommandRejected").empty());
  // The tick goes on the log; a processor of our own takes it (the harness's stay idle).
  REQUIRE(h.store()
              .log()
              .Append({{0,
                        {events::testing::IngressRecord(
                            R"({"source": "scheduler","body_type": "ClockTick","body": {"now": )" +
                                std::to_string(Shanghai(2026, 2, 11, 17)) + "}}",
                            Shanghai(2026, 2, 11, 17))}}})
              .ok());
  const uint64_t tick_at = h.store().log().Head(0).end_offset - 1;
  {
    Processor first(0, h.store().log(), h.store(), {.due_per_commit = 3});
    REQUIRE(first.Open().ok());
    h.store().FailNextCommits(1, /*after=*/1);  // the first part commits, the second fails
    auto r = first.ProcessAvailable();
    REQUIRE(!r.ok());
  }
  // What the crash left: the tick still the next input, and where its work stood: the
  // first part of the tickets it found due (the orders, and the test city's own disposal
  // orders for the same reports) handled, the rest not.
  CHECK(keys::ReadBE64(**h.store().Get(keys::Position(0))) == tick_at);
  auto work = *h.store().Get(keys::TickWork(0));
  auto due = *h.store().Get(keys::TickDue(0));
  REQUIRE(work.has_value());
  REQUIRE(due.has_value());
  CHECK(keys::ReadBE64(work->substr(0, 8)) == tick_at);
  CHECK(keys::ReadBE64(work->substr(8, 8)) == 3);  // next: the fourth due ticket
  CHECK(std::count(due->begin(), due->end(), '\n') >= kOrders);
  const size_t chained_before = h.RecordsOfType("TicketChained").size();
  CHECK(chained_before < kOrders);

  Processor restarted(0, h.store().log(), h.store(), {.due_per_commit = 3});
  REQUIRE(restarted.Open().ok());
  REQUIRE(restarted.ProcessAvailable().ok());
  CHECK(Chained(h) == kOrders);
  CHECK(h.RecordsOfType("TicketChained").size() == kOrders);  // none twice
  std::set<std::string> ids;
  size_t records = 0;
  auto log = h.store().log().Read(0, 0, SIZE_MAX);
  REQUIRE(log.ok());
  for (const auto& r : *log) {
    ids.insert((*events::VerifyRecord(r.bytes))->id()->str());
    ++records;
  }
  CHECK(ids.size() == records);                           // no id given twice across the crash
  CHECK(h.RecordsOfType("DutyPaged").size() == kOrders);  // every chained case paged once
  CHECK(!h.store().Get(keys::TickWork(0))->has_value());
  CHECK(!h.store().Get(keys::TickDue(0))->has_value());
  CHECK(keys::ReadBE64(**h.store().Get(keys::Position(0))) > tick_at);

  Replayed again = Replay(h, Mode::kReprocess, 3);
  CHECK_MESSAGE(again.mismatches == 0, again.first_mismatch);
  CHECK(again.digest == *StateDigest(h.store()));
}

TEST_CASE("a damaged record of a tick's work in progress stops the partition, with the reason") {
  MemoryStore store(1);
  REQUIRE(store.Commit({{keys::TickWork(0), "short"}, {keys::TickDue(0), "a\n"}}, {}, {}).ok());
  Processor proc(0, store.log(), store);
  Status s = proc.Open();
  REQUIRE(!s.ok());
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("work in progress") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::engine
