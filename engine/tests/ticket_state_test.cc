// Ticket state as stored (Ticket::Encode): every field and every kind of fact comes
// back as written, the MessagePack form of earlier versions still opens, damaged bytes are
// refused, and the processor's write-back cache encodes a changed ticket once per batch and
// stays within its byte budget.
#include <doctest/doctest.h>

#include "engine/keys.h"
#include "engine/processor.h"
#include "engine/testing/memory_store.h"
#include "engine/ticket.h"
#include "engine/ticket_legacy.h"
#include "engine/ticket_table.h"

namespace closeloop::engine {
namespace {

Ticket Full(std::string id = "T-1") {
  Ticket t;
  t.id = std::move(id);
  t.workflow = "hazard_disposal";
  t.workflow_version = 3;
  t.loop = "prevention";
  t.state = "rectifying";
  t.title = "堆场消防通道被占用";
  t.what = "仓库门口堆放纸箱，消防通道被堵";
  t.where = "玄武区中山路 88 号";
  t.subject = "ent:320102-0042";
  t.jurisdiction = "xuanwu";
  t.category = "fire_safety";
  t.severity = "major";
  t.lead = "nj.xuanwu.fire";
  t.assist = {"nj.xuanwu.awb", "nj.xuanwu.jd.xinjiekou"};
  t.routing_table = "nanjing";
  t.routing_version = 7;
  t.parent_id = "T-0";
  t.chain_id = "T-0";
  t.children = {"T-2", "T-3"};
  t.trigger = "chain";
  t.dedup_key = "ent:320102-0042|fire";
  t.version = 12;
  t.opened_at = 1'767'225'600'000;
  t.state_entered_at = 1'767'312'000'000;
  t.deadline_at = 1'767'744'000'000;
  t.limit_from = 1'767'312'000'000;
  t.clock_left = 86'400'000;
  t.next_due = 1'767'700'000'000;
  t.closed = false;
  t.closed_at = 0;
  t.outcome = "";
  t.resolution = "";
  t.returns = 1;
  t.reopens = 2;
  t.extensions = 1;
  t.overdue_count = 3;
  t.overdue = true;
  t.escalated_to = "nj.awb";
  t.pending_extension_days = -5;
  t.last_returned_by = "nj.xuanwu.emb";
  t.facts["hazard_class"] = dsl::Value::String("fire");
  t.facts["deaths"] = dsl::Value::Int(-1);
  t.facts["ratio"] = dsl::Value::Double(0.1 + 0.2);  // not exactly 0.3: kept as it is
  t.facts["verified"] = dsl::Value::Bool(true);
  t.facts["unset"] = dsl::Value::Null();
  t.facts["空"] = dsl::Value::String("");
  t.fired = {"remind_at_half", "overdue"};
  t.fired_once = {"major_to_city"};
  t.chained_by = {"to_discipline"};
  t.history_length = 41;
  t.case_length = 9;
  t.assignee = "xw-fire-2";
  return t;
}

void CheckSame(const Ticket& a, const Ticket& b) {
  CHECK(a.ToJson() == b.ToJson());  // every field people and APIs see
  CHECK(a.routing_table == b.routing_table);
  CHECK(a.routing_version == b.routing_version);
  CHECK(a.dedup_key == b.dedup_key);
  CHECK(a.limit_from == b.limit_from);
  CHECK(a.clock_left == b.clock_left);
  CHECK(a.last_returned_by == b.last_returned_by);
  CHECK(a.fired == b.fired);
  CHECK(a.fired_once == b.fired_once);
  CHECK(a.chained_by == b.chained_by);
  REQUIRE(a.facts.size() == b.facts.size());
  for (const auto& [k, v] : a.facts) {
    auto it = b.facts.find(k);
    REQUIRE(it != b.facts.end());
    CHECK(v.type() == it->second.type());
    CHECK(v.ToString() == it->second.ToString());
  }
}

TEST_CASE("ticket state: every field and every kind of fact comes back as it was written") {
  const Ticket t = Full();
  const std::string bytes = t.Encode();
  auto back = Ticket::Decode(bytes);
  REQUIRE(back.ok());
  CheckSame(t, *back);
  CHECK(back->facts.at("ratio").as_double() == 0.1 + 0.2);  // bit for bit
  CHECK(back->facts.at("unset").is_null());
  CHECK(back->Encode() == bytes);  // deterministic: the same ticket, the same bytes
  Ticket empty;
  CHECK(empty.Encode().size() < 64);
  auto e = Ticket::Decode(empty.Encode());
  REQUIRE(e.ok());
  CHECK(e->severity == "unknown");
  CHECK(e->facts.empty());
}

TEST_CASE("ticket state: a duration fact is kept as its text, as the literal form kept it") {
  Ticket t = Full();
  auto d = dsl::Value::Of(dsl::Duration{3, dsl::DurationUnit::kWorkingDays, "prc"});
  t.facts["grace"] = d;
  auto back = Ticket::Decode(t.Encode());
  REQUIRE(back.ok());
  CHECK(back->facts.at("grace").type() == dsl::ValueType::kString);
  CHECK(back->facts.at("grace").as_string() == d.ToString());
}

TEST_CASE("ticket state: a data directory's MessagePack tickets still open, and are larger") {
  Ticket t = Full();
  t.assignee.clear();  // that form predates assignees
  const std::string old = EncodeMessagePack(t);
  auto back = Ticket::Decode(old);
  REQUIRE(back.ok());
  CHECK(back->ToJson() == t.ToJson());
  CHECK(back->fired == t.fired);
  CHECK(t.Encode().size() * 3 < old.size() * 2);  // at least a third smaller
}

TEST_CASE("ticket state: damaged bytes are refused, never read as a ticket") {
  const std::string bytes = Full().Encode();
  CHECK_FALSE(Ticket::Decode("").ok());
  CHECK_FALSE(Ticket::Decode("garbage!").ok());
  CHECK_FALSE(Ticket::Decode(bytes.substr(0, bytes.size() / 2)).ok());
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    CAPTURE(cut);
    CHECK_FALSE(Ticket::Decode(bytes.substr(0, cut)).ok());  // cut short anywhere
  }
  CHECK_FALSE(Ticket::Decode(bytes + "x").ok());  // bytes left over
  std::string newer = bytes;
  newer[2] = 100;  // more fields than this version knows
  auto refused = Ticket::Decode(newer);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("newer version") != std::string::npos);
  std::string bad_bool = Full().Encode();
  // A flag byte that is neither 0 nor 1 is refused: find `closed` by encoding two tickets
  // that differ only there.
  Ticket a = Full(), b = Full();
  b.closed = true;
  const std::string ea = a.Encode(), eb = b.Encode();
  size_t at = 0;
  while (ea[at] == eb[at]) ++at;
  bad_bool[at] = 7;
  auto bad = Ticket::Decode(bad_bool);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("closed") != std::string::npos);
}

TEST_CASE("ticket state: a ticket written before assignees existed opens with nobody assigned") {
  Ticket t = Full();
  t.assignee.clear();
  std::string bytes = t.Encode();
  // The form of the version before: one field fewer (the count), the last field (an empty
  // assignee, one length byte) absent.
  REQUIRE(static_cast<uint8_t>(bytes[2]) == 47);
  REQUIRE(bytes.back() == '\0');
  bytes[2] = 46;
  bytes.pop_back();
  auto back = Ticket::Decode(bytes);
  REQUIRE(back.ok());
  CHECK(back->assignee.empty());
  CHECK(back->case_length == 9);
  CHECK(Full().Encode() != t.Encode());  // the assignee is kept
  CHECK(Ticket::Decode(Full().Encode())->assignee == "xw-fire-2");
}

TEST_CASE("ticket cache: a ticket changed by several records is written once, at Flush") {
  testing::MemoryStore store(1);
  Overlay overlay(store);
  TicketCache cache;
  Ticket t = Full("T-9");
  for (int i = 0; i < 5; ++i) {
    t.version = i;
    cache.Write(t);
  }
  CHECK(overlay.changes().empty());  // nothing encoded yet
  REQUIRE(cache.Find("T-9") != nullptr);
  CHECK(cache.Find("T-9")->version == 4);
  CHECK(cache.Flush(0, overlay) == 1);
  REQUIRE(overlay.changes().size() == 1);
  auto written = Ticket::Decode(*overlay.changes().begin()->second);
  REQUIRE(written.ok());
  CHECK(written->version == 4);
  CHECK(cache.Flush(0, overlay) == 0);  // nothing changed since
}

TEST_CASE("ticket cache: least recently used out first, within its budget in bytes") {
  const size_t one = Full("T-0").ApproxBytes();
  TicketCache cache(one * 10);
  for (int i = 0; i < 20; ++i) {
    cache.Put(Full("T-" + std::to_string(i)));
    if (i >= 1) REQUIRE(cache.Find("T-0") != nullptr);  // used: stays
  }
  CHECK(cache.bytes() <= cache.budget());
  CHECK(cache.size() < 20);
  CHECK(cache.Find("T-0") != nullptr);
  CHECK(cache.Find("T-1") == nullptr);  // the least recently used went first
  CHECK(cache.Find("T-19") != nullptr);
}

TEST_CASE("ticket cache: a changed ticket is never evicted before it is written") {
  testing::MemoryStore store(1);
  Overlay overlay(store);
  TicketCache cache(1);  // a budget smaller than any ticket
  for (int i = 0; i < 3; ++i) cache.Write(Full("T-" + std::to_string(i)));
  cache.Put(Full("T-clean"));
  CHECK(cache.Find("T-0") != nullptr);
  CHECK(cache.Find("T-clean") == nullptr);  // clean: evicted at once
  CHECK(cache.Flush(0, overlay) == 3);
  CHECK(overlay.changes().size() == 3);
  CHECK(cache.size() == 0);  // written, then evicted to the budget
  CHECK(cache.bytes() == 0);
}

}  // namespace
}  // namespace closeloop::engine

namespace closeloop::engine {
namespace {

TEST_CASE(
    "a partition whose tickets predate Engine v2's state format is refused, with the way out") {
  testing::MemoryStore store(1);
  {
    Processor fresh(0, store.log(), store);
    CHECK(fresh.Open().ok());  // nothing stored yet: nothing to refuse
  }
  REQUIRE(store.Commit({{keys::Ticket(0, "T-1"), EncodeMessagePack(Full("T-1"))}}, {}, {}).ok());
  Processor old(0, store.log(), store);
  Status s = old.Open();
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("closeloop replay") != std::string::npos);
  CHECK(s.message().find("state format 1") != std::string::npos);
  // Format 2 kept copies in histories where format 3 keeps offsets: a replay of it would
  // not match its state, so it is rebuilt too.
  REQUIRE(store.Commit({{keys::StateFormat(0), "2"}}, {}, {}).ok());
  Processor two(0, store.log(), store);
  Status s2 = two.Open();
  REQUIRE_FALSE(s2.ok());
  CHECK(s2.message().find("state format 2") != std::string::npos);
  // Format 3 had no figure cells (figures.h): its reports would miss the days before.
  REQUIRE(store.Commit({{keys::StateFormat(0), "3"}}, {}, {}).ok());
  Processor three(0, store.log(), store);
  Status s3 = three.Open();
  REQUIRE_FALSE(s3.ok());
  CHECK(s3.message().find("state format 3") != std::string::npos);
  REQUIRE(store.Commit({{keys::StateFormat(0), "4"}}, {}, {}).ok());
  Processor current(0, store.log(), store);
  CHECK(current.Open().ok());
}

}  // namespace
}  // namespace closeloop::engine
