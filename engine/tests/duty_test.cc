// Duty rosters and paging (engine/duty_roster.h, engine/duty.h): the roster table's
// validation, which shift covers an instant (a night shift across midnight and across the
// week's end), and the paging chain decided on the engine's clock: the person on duty, the
// next after ack_within, an acknowledgement that stops the chain, the end of the order; then
// replay and reprocess reproduce the same state and the same records byte for byte.
#include "engine/duty.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/duty_roster.h"
#include "engine/queries.h"
#include "engine/testing/harness.h"
#include "engine/tests/duty_tables.h"

namespace closeloop::engine {
namespace {

using nlohmann::json;
using testing::Harness;
using namespace duty_tables;
using testing::MemoryStore;
using testing::Shanghai;

// Asia/Shanghai with no listed holidays or make-up days: the shifts are simply weekly.
const Calendar& Weekly() {
  static const Calendar c = *Calendar::Create(CalendarSpec{.name = "weekly"});
  return c;
}

TEST_CASE("a roster's shifts cover the week once, and a night shift runs across midnight") {
  auto t = RosterTable::Parse(Rosters().dump(), 1);
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  const Roster& r = *t->Find("env-duty");
  // 2026-03-02 is a Monday.
  CHECK(r.ShiftAt(Shanghai(2026, 3, 2, 19, 59), Weekly()).id == "day");
  CHECK(r.ShiftAt(Shanghai(2026, 3, 2, 20, 0), Weekly()).id == "night");
  CHECK(r.ShiftAt(Shanghai(2026, 3, 3, 0, 40), Weekly()).id == "night");  // Monday's, past midnight
  CHECK(r.ShiftAt(Shanghai(2026, 3, 3, 7, 59), Weekly()).id == "night");
  CHECK(r.ShiftAt(Shanghai(2026, 3, 3, 8, 0), Weekly()).id == "day");
  CHECK(r.ShiftAt(Shanghai(2026, 3, 2, 3, 0), Weekly()).id == "night");  // Sunday's, into Monday

  // A weekend shift that only Friday's night covers, across two midnights.
  json w = Rosters();
  w["rosters"][0]["shifts"] = {
      {{"id", "week"},
       {"days", {"mon", "tue", "wed", "thu"}},
       {"from", "08:00"},
       {"to", "08:00"},
       {"order", {"wang"}}},
      {{"id", "weekend"}, {"days", {"fri"}}, {"from", "08:00"}, {"to", "08:00"}, {"order", {"li"}}},
      {{"id", "sat"},
       {"days", {"sat", "sun"}},
       {"from", "08:00"},
       {"to", "08:00"},
       {"order", {"zhao"}}}};
  auto wt = RosterTable::Parse(w.dump(), 1);
  REQUIRE_MESSAGE(wt.ok(), wt.status().ToString());
  CHECK(wt->Find("env-duty")->ShiftAt(Shanghai(2026, 3, 7, 7, 0), Weekly()).id == "weekend");
  CHECK(wt->Find("env-duty")->ShiftAt(Shanghai(2026, 3, 9, 7, 59), Weekly()).id == "sat");
}

TEST_CASE("a roster table with a gap, an overlap or an unknown person is refused with the field") {
  json gap = Rosters();
  gap["rosters"][0]["shifts"][1]["to"] = "07:00";
  auto g = RosterTable::Parse(gap.dump(), 1);
  REQUIRE_FALSE(g.ok());
  CHECK(g.status().message() ==
        "rosters[0].shifts: no shift covers Monday 07:00 (each minute of the week is one "
        "shift's)");

  json overlap = Rosters();
  overlap["rosters"][0]["shifts"][1]["from"] = "19:00";
  auto o = RosterTable::Parse(overlap.dump(), 1);
  REQUIRE_FALSE(o.ok());
  CHECK(o.status().message().starts_with(
      "rosters[0].shifts[1]: overlaps shift 'day' at Monday 19:00"));

  json unknown = Rosters();
  unknown["rosters"][0]["shifts"][0]["order"][1] = "sun";
  auto u = RosterTable::Parse(unknown.dump(), 1);
  REQUIRE_FALSE(u.ok());
  CHECK(u.status().message() ==
        "rosters[0].shifts[0].order[1]: not a person of this roster's people");

  json bad_time = Rosters();
  bad_time["rosters"][0]["shifts"][0]["from"] = "8:00";
  CHECK(RosterTable::Parse(bad_time.dump(), 1)
            .status()
            .message()
            .starts_with("rosters[0].shifts[0].from: a local time HH:MM"));
}

TEST_CASE("a subscription with ack_within pages one roster and carries {ack_url}") {
  json sub = PagingSubscription();
  sub["template"]["zh"]["body"] = "告警 {ticket_id}";
  auto t = NotifyTable::Parse(json{{"subscriptions", {sub}}}.dump(), 1);
  REQUIRE_FALSE(t.ok());
  CHECK(
      t.status().message().starts_with("subscriptions[0].template.zh.body: a subscription "
                                       "with ack_within must carry {ack_url}"));
  sub = PagingSubscription();
  sub["to"] = {"department_head"};
  CHECK(NotifyTable::Parse(json{{"subscriptions", {sub}}}.dump(), 1).status().message() ==
        "subscriptions[0].to: a subscription with ack_within pages one roster: [{\"roster\": id}]");
  sub = PagingSubscription();
  sub["ack_within"] = "10 minutes";
  CHECK(NotifyTable::Parse(json{{"subscriptions", {sub}}}.dump(), 1)
            .status()
            .message()
            .starts_with("subscriptions[0].ack_within: a time such as 90s, 10m or 2h"));
  // {ack_url} belongs to paging subscriptions only.
  sub = PagingSubscription();
  sub.erase("ack_within");
  CHECK(NotifyTable::Parse(json{{"subscriptions", {sub}}}.dump(), 1)
            .status()
            .message()
            .starts_with("subscriptions[0].template.zh.body: unknown placeholder {ack_url}"));
}

struct PagingCity {
  Harness h;
  PagingCity() {
    h.Clock(Shanghai(2026, 3, 2, 23, 0));  // Monday night
    testing::LoadTestCity(h);
    h.Publish(TableRecord(kRosterTableName, 1, Rosters()));
    h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {PagingSubscription()}}}));
    REQUIRE(Records(h, "CommandRejected").empty());
  }
};

TEST_CASE(
    "an alarm at night pages the night shift across midnight, then the next, until acknowledged") {
  PagingCity c;
  c.h.Clock(Shanghai(2026, 3, 3, 0, 40));  // Tuesday 00:40: Monday's night shift
  GasAlarm(c.h, "ENT-00002");
  auto pages = Records(c.h, "DutyPaged");
  REQUIRE(pages.size() == 1);
  const json& first = pages[0]["body"];
  CHECK(first["person"] == "zhao");
  CHECK(first["shift"] == "night");
  CHECK(first["order"] == json({"zhao", "wang", "li"}));
  CHECK(first["ack_by"] == Shanghai(2026, 3, 3, 0, 50));
  CHECK(first["cause_type"] == "TicketOpened");
  CHECK(first["text"] == "告警 " + first["ticket_id"].get<std::string>() + "，确认：{ack_url}");

  c.h.Clock(Shanghai(2026, 3, 3, 0, 49));  // not yet
  CHECK(Records(c.h, "DutyPaged").size() == 1);
  c.h.Clock(Shanghai(2026, 3, 3, 0, 50));  // zhao did not answer: wang
  pages = Records(c.h, "DutyPaged");
  REQUIRE(pages.size() == 2);
  CHECK(pages[1]["body"]["person"] == "wang");
  CHECK(pages[1]["body"]["position"] == 1);
  CHECK(pages[1]["body"]["ack_by"] == Shanghai(2026, 3, 3, 1, 0));

  // wang acknowledges through the second page's delivery: the chain stops.
  const std::string delivery = pages[1]["id"].get<std::string>() + ".duty";
  c.h.Clock(Shanghai(2026, 3, 3, 0, 53));
  Ack(c.h, "ENT-00002", delivery, "duty-wang", "user");
  auto acks = Records(c.h, "PageAcknowledged");
  REQUIRE(acks.size() == 1);
  CHECK(acks[0]["body"]["person"] == "wang");
  CHECK(acks[0]["body"]["position"] == 1);
  CHECK(acks[0]["body"]["after_ms"] == 13 * 60000);
  c.h.Clock(Shanghai(2026, 3, 3, 2, 0));
  CHECK(Records(c.h, "DutyPaged").size() == 2);
  CHECK(Records(c.h, "PagingExhausted").empty());

  // A second acknowledgement is refused, naming who acknowledged.
  Ack(c.h, "ENT-00002", pages[0]["id"].get<std::string>() + ".duty", "ack-link", "token");
  auto rejected = Records(c.h, "CommandRejected");
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0]["body"]["message"].get<std::string>().ends_with(
      "was acknowledged by wang already"));
}

TEST_CASE("nobody acknowledges: each of the order is paged once, then PagingExhausted") {
  PagingCity c;
  c.h.Clock(Shanghai(2026, 3, 3, 10, 0));  // Tuesday day shift: wang, li
  GasAlarm(c.h, "ENT-00002");
  c.h.Clock(Shanghai(2026, 3, 3, 10, 10));
  c.h.Clock(Shanghai(2026, 3, 3, 10, 20));
  auto pages = Records(c.h, "DutyPaged");
  REQUIRE(pages.size() == 2);
  CHECK(pages[0]["body"]["person"] == "wang");
  CHECK(pages[1]["body"]["person"] == "li");
  auto end = Records(c.h, "PagingExhausted");
  REQUIRE(end.size() == 1);
  CHECK(end[0]["body"]["paged"] == 2);
  c.h.Clock(Shanghai(2026, 3, 3, 12, 0));
  CHECK(Records(c.h, "DutyPaged").size() == 2);
  // Pages are in the ticket's history.
  auto history = c.h.HistoryTypes(pages[0]["body"]["ticket_id"].get<std::string>());
  CHECK(std::count(history.begin(), history.end(), "DutyPaged") == 2);
  CHECK(std::count(history.begin(), history.end(), "PagingExhausted") == 1);
}

TEST_CASE("a roster recipient without ack_within is the person on duty at the record's time") {
  Harness h;
  h.Clock(Shanghai(2026, 3, 2, 23, 0));
  testing::LoadTestCity(h);
  h.Publish(TableRecord(kRosterTableName, 1, Rosters()));
  json sub = PagingSubscription();
  sub.erase("ack_within");
  sub["id"] = "on-duty";
  sub["urgency"] = "immediate";
  sub["template"]["zh"]["body"] = "告警 {ticket_id}";
  h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {sub}}}));
  h.Clock(Shanghai(2026, 3, 3, 0, 40));  // Monday's night shift: zhao
  GasAlarm(h, "ENT-00002");
  h.Clock(Shanghai(2026, 3, 3, 9, 0));  // Tuesday's day shift: wang
  GasAlarm(h, "ENT-00003", "GAS-8");
  CHECK(Records(h, "DutyPaged").empty());  // no acknowledgement asked: no paging chain
  std::vector<std::string> phones;
  for (const auto& [k, v] : h.store().Snapshot()) {
    if (!outbox::IsOutboxKey(k)) continue;
    json d = json::parse(v);
    REQUIRE(d["to"].size() == 1);
    phones.push_back(d["to"][0].get<std::string>());
  }
  std::sort(phones.begin(), phones.end());
  CHECK(phones == std::vector<std::string>{"13900000001", "13900000003"});
}

TEST_CASE("replay rebuilds the paging state and reprocess re-decides every page byte for byte") {
  PagingCity c;
  c.h.Clock(Shanghai(2026, 3, 3, 0, 40));
  GasAlarm(c.h, "ENT-00002");
  GasAlarm(c.h, "ENT-00003", "GAS-8");
  c.h.Clock(Shanghai(2026, 3, 3, 0, 55));
  auto pages = Records(c.h, "DutyPaged");
  REQUIRE(pages.size() >= 3);
  Ack(c.h, pages.back()["subject"].get<std::string>(),
      pages.back()["id"].get<std::string>() + ".duty", "ack-link", "token");
  c.h.Clock(Shanghai(2026, 3, 3, 1, 30));
  REQUIRE(Records(c.h, "PageAcknowledged").size() == 1);
  auto live = StateDigest(c.h.store());
  REQUIRE(live.ok());
  for (Mode mode : {Mode::kRebuild, Mode::kReprocess}) {
    CAPTURE(static_cast<int>(mode));
    MemoryStore fresh(c.h.partitions(), "replay");
    uint64_t mismatches = 0;
    for (uint32_t p = 0; p < c.h.partitions(); ++p) {
      Processor proc(p, c.h.store().log(), fresh, {.mode = mode, .records_per_commit = 5});
      REQUIRE(proc.Open().ok());
      REQUIRE(proc.ProcessAvailable().ok());
      mismatches += proc.stats().mismatches;
      CHECK(proc.stats().first_mismatch == "");
    }
    CHECK(mismatches == 0);
    auto replayed = StateDigest(fresh);
    REQUIRE(replayed.ok());
    CHECK(*replayed == *live);
    // The outbox is written by live processing only: a replay sends nothing again.
    size_t outbox = 0;
    for (const auto& [k, v] : fresh.Snapshot()) outbox += outbox::IsOutboxKey(k);
    CHECK(outbox == 0);
  }
  size_t live_outbox = 0;
  for (const auto& [k, v] : c.h.store().Snapshot()) live_outbox += outbox::IsOutboxKey(k);
  CHECK(live_outbox == Records(c.h, "DutyPaged").size());
}

}  // namespace
}  // namespace closeloop::engine
