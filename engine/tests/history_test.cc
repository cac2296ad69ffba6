// A ticket's history by reference: what state keeps for each of a ticket's records is its
// offset in the log, read back as the record itself; a rebuilt or re-decided state keeps
// the same offsets; a store that cannot give offsets at its commit (Kafka) keeps copies that
// read the same; an offset the log does not hold is reported, never skipped.
#include <doctest/doctest.h>

#include "engine/keys.h"
#include "engine/queries.h"
#include "engine/testing/harness.h"
#include "events/partition.h"

namespace closeloop::engine {
namespace {

using testing::Harness;
using testing::MemoryStore;
using testing::Shanghai;

// A fireworks report opens a quick order; a day on, past its limit, the order chains an
// oversight case: records from a report and from the clock in one history.
std::string OverdueOrder(Harness& h) {
  h.Clock(Shanghai(2026, 2, 10, 9));
  testing::LoadTestCity(h);
  h.Deploy("quick_order", testing::kQuickOrder);
  h.Publish(
      R"({"source": "hotline","subject": "ENT-00002","jurisdiction": "liuhe.getang.g02",)"
      R"("occurred_at": )" +
      std::to_string(h.now()) +
      R"(,"body_type": "HazardReport","body": {"category": "fireworks","severity": "general"}})");
  auto orders = h.TicketsOf("quick_order");
  REQUIRE(orders.size() == 1);
  h.Clock(Shanghai(2026, 2, 11, 17));  // past three working hours
  return orders[0].id;
}

// The stored history entries of ticket `id` (keys::History values), from any partition.
std::vector<std::string> Entries(const StateReader& state, uint32_t partitions,
                                 const std::string& id) {
  std::vector<std::string> out;
  for (uint32_t p = 0; p < partitions && out.empty(); ++p) {
    std::string prefix = keys::HistoryPrefix(p, id);
    REQUIRE(state
                .Scan(prefix, keys::PrefixEnd(prefix),
                      [&](std::string_view, std::string_view v) {
                        out.emplace_back(v);
                        return true;
                      })
                .ok());
  }
  return out;
}

std::vector<std::string> Types(const std::vector<std::string>& records) {
  std::vector<std::string> out;
  for (const auto& bytes : records)
    out.emplace_back(events::BodyName((*events::VerifyRecord(bytes))->body_type()));
  return out;
}

std::unique_ptr<MemoryStore> Rebuilt(Harness& h, Mode mode, bool resolves_refs) {
  auto fresh = std::make_unique<MemoryStore>(h.partitions(), "rebuilt");
  fresh->set_resolves_record_refs(resolves_refs);
  for (uint32_t p = 0; p < h.partitions(); ++p) {
    Processor proc(p, h.store().log(), *fresh, {.mode = mode, .records_per_commit = 3});
    REQUIRE(proc.Open().ok());
    REQUIRE(proc.ProcessAvailable().ok());
    CHECK(proc.stats().mismatches == 0);
  }
  return fresh;
}

TEST_CASE("history by reference: each entry is the record's offset, read back as the record") {
  Harness h;
  const std::string id = OverdueOrder(h);
  Ticket t = *h.Find(id);
  const uint32_t p = events::PartitionForKey(t.subject, h.partitions());

  auto entries = Entries(h.store(), h.partitions(), id);
  REQUIRE(entries.size() == t.history_length);
  REQUIRE(entries.size() >= 2);  // opened, and chained at its limit
  auto history = TicketHistory(h.store(), h.store().log(), id);
  REQUIRE(history.ok());
  REQUIRE(history->size() == entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    CAPTURE(i);
    REQUIRE(entries[i].size() == 8);  // an offset, not a copy of the record
    const uint64_t offset = keys::ReadBE64(entries[i]);
    auto read = h.store().log().Read(p, offset, 1);
    REQUIRE(read.ok());
    REQUIRE(read->size() == 1);
    std::string in_log = read->front().bytes;
    REQUIRE(events::SetPrevHash(in_log, events::Hash{}).ok());
    CHECK(in_log == (*history)[i]);  // the record as the log holds it, hash aside
    const fb::Record* rec = *events::VerifyRecord(in_log);
    CHECK(rec->correlation_id()->str() == (t.chain_id.empty() ? t.id : t.chain_id));
  }
  CHECK(Types(*history).front() == "TicketOpened");
  CHECK(h.HistoryTypes(id) == Types(*history));

  // As of a time: the records recorded by then, from the same entries.
  auto before = TicketHistory(h.store(), h.store().log(), id, Shanghai(2026, 2, 10, 10));
  REQUIRE(before.ok());
  CHECK(before->size() < history->size());
  auto then = TicketAsOf(h.store(), h.store().log(), id, Shanghai(2026, 2, 10, 10));
  REQUIRE(then.ok());
  REQUIRE(then->has_value());
  CHECK((*then)->children.empty());  // not yet chained then
  CHECK(h.Find(id)->children.size() == 1);
}

TEST_CASE("history by reference: a rebuilt and a re-decided state keep the same offsets") {
  Harness h;
  const std::string id = OverdueOrder(h);
  const auto live = Entries(h.store(), h.partitions(), id);
  for (Mode mode : {Mode::kRebuild, Mode::kReprocess}) {
    CAPTURE(static_cast<int>(mode));
    auto rebuilt = Rebuilt(h, mode, /*resolves_refs=*/true);
    CHECK(Entries(*rebuilt, h.partitions(), id) == live);
    CHECK(rebuilt->Snapshot() == h.store().Snapshot());
  }
}

TEST_CASE("history by copy where the store cannot give offsets (Kafka): read the same") {
  Harness h;
  const std::string id = OverdueOrder(h);
  auto by_reference = TicketHistory(h.store(), h.store().log(), id);
  REQUIRE(by_reference.ok());
  auto copied = Rebuilt(h, Mode::kRebuild, /*resolves_refs=*/false);
  auto entries = Entries(*copied, h.partitions(), id);
  REQUIRE(entries.size() == by_reference->size());
  for (const auto& e : entries) CHECK(e.size() > 8);
  auto by_copy = TicketHistory(*copied, h.store().log(), id);
  REQUIRE(by_copy.ok());
  CHECK(*by_copy == *by_reference);

  // Live on such a store: the records emitted in a batch are settled as copies at commit.
  Harness k;
  k.store().set_resolves_record_refs(false);
  const std::string kid = OverdueOrder(k);
  for (const auto& e : Entries(k.store(), k.partitions(), kid)) CHECK(e.size() > 8);
  auto live_copy = TicketHistory(k.store(), k.store().log(), kid);
  REQUIRE(live_copy.ok());
  CHECK(Types(*live_copy) == Types(*by_reference));
}

TEST_CASE("history by reference: an offset the log does not hold is corruption, not a gap") {
  Harness h;
  const std::string id = OverdueOrder(h);
  Ticket t = *h.Find(id);
  const uint32_t p = events::PartitionForKey(t.subject, h.partitions());
  const uint64_t end = h.store().log().Head(p).end_offset;
  REQUIRE(h.store()
              .Commit({{keys::History(p, id, t.history_length), keys::BE64(end + 5)}}, {}, {})
              .ok());
  auto history = TicketHistory(h.store(), h.store().log(), id);
  REQUIRE(!history.ok());
  CHECK(history.status().code() == Code::kCorruption);
  CHECK(history.status().message().find("offset " + std::to_string(end + 5)) != std::string::npos);
}

}  // namespace
}  // namespace closeloop::engine
