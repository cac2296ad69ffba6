// The engine's counters (engine/counters.h) against a count made the slow way: random
// tickets moving between departments, states, escalations and assistants, overdue and back,
// closed; after every change the cells equal a recount of the tickets as they now are, and
// the open-overdue count "as of" any past instant, rebuilt from the per-quarter-hour changes,
// equals what the tickets' own history says it was then.
#include "engine/counters.h"

#include <doctest/doctest.h>

#include <map>
#include <random>

#include "engine/testing/memory_store.h"

namespace closeloop::engine {
namespace {

struct Key {
  std::string assist, lead, jur, esc, loop, wf, state;
  auto operator<=>(const Key&) const = default;
};
using Counts = std::map<Key, std::array<int64_t, 5>>;

Counts Recount(const std::map<std::string, Ticket>& tickets) {
  Counts out;
  for (const auto& [id, t] : tickets) {
    std::array<int64_t, 5> v = {1, !t.closed, !t.closed && t.overdue, t.overdue_count > 0,
                                t.closed && t.overdue_count > 0};
    auto add = [&](const std::string& assist) {
      auto& c = out[{assist, t.lead, t.jurisdiction, t.escalated_to, t.loop, t.workflow, t.state}];
      for (size_t i = 0; i < 5; ++i) c[i] += v[i];
    };
    add("");
    for (const auto& d : t.assist) add(d);
  }
  return out;
}

Counts Cells(const StateReader& state) {
  Counts out;
  REQUIRE(ForEachCounterCell(state, 1, [&](const CounterCell& c) {
            out[{c.assist, c.lead, c.jurisdiction, c.escalated_to, c.loop, c.workflow, c.state}] = {
                c.tickets, c.open, c.overdue, c.ever_overdue, c.closed_late};
          }).ok());
  return out;
}

TEST_CASE("counters: every cell equals a recount, and overdue as of a past instant is exact") {
  testing::MemoryStore store(1);
  std::mt19937_64 rng(20261207);
  auto pick = [&](std::initializer_list<const char*> xs) {
    return std::string(*(xs.begin() + rng() % xs.size()));
  };
  std::map<std::string, Ticket> tickets;
  // For the trend: per instant of change, the open-overdue count of the lead cells of
  // department "d1" (any jurisdiction) and of the cells d1 assists on.
  std::vector<std::pair<int64_t, int64_t>> lead_history{{0, 0}}, assist_history{{0, 0}};
  int64_t now = 1'767'225'600'000;
  for (int step = 0; step < 400; ++step) {
    now += static_cast<int64_t>(rng() % (3 * kCounterBucketMs));
    Overlay overlay(store);
    const std::string id = "T-" + std::to_string(rng() % 25);
    std::optional<Ticket> before;
    if (auto it = tickets.find(id); it != tickets.end()) before = it->second;
    if (before && before->closed) continue;
    Ticket t = before.value_or(Ticket{});
    if (!before) {
      t.id = id;
      t.loop = pick({"prevention", "request"});
      t.workflow = t.loop == "request" ? "service_request" : "hazard_disposal";
      t.jurisdiction = pick({"xuanwu", "gulou", "xuanwu/xinjiekou"});
    }
    t.lead = pick({"d1", "d2", "d3"});
    t.state = pick({"dispatched", "rectifying", "review"});
    t.escalated_to = pick({"", "", "jw"});
    t.assist.clear();
    if (rng() % 3 == 0) t.assist.push_back(pick({"d1", "d4"}));
    t.overdue = rng() % 2 == 0;
    if (t.overdue) ++t.overdue_count;
    t.closed = before && rng() % 6 == 0;
    REQUIRE(UpdateCounters(overlay, 0, before, t, now).ok());
    REQUIRE(store.Commit(overlay.changes(), {}, {}).ok());
    tickets[id] = t;
    CHECK(Cells(store) == Recount(tickets));
    int64_t lead = 0, assist = 0;
    for (const auto& [k, x] : tickets) {
      if (x.closed || !x.overdue) continue;
      if (x.lead == "d1") ++lead;
      if (std::find(x.assist.begin(), x.assist.end(), "d1") != x.assist.end()) ++assist;
    }
    lead_history.emplace_back(now, lead);
    assist_history.emplace_back(now, assist);
  }
  // "As of" each quarter-hour boundary: the count now, less the changes after it.
  const int64_t first = lead_history[1].first;
  for (int64_t at = (first / kCounterBucketMs) * kCounterBucketMs; at < now;
       at += 7 * kCounterBucketMs) {
    CAPTURE(at);
    int64_t lead = 0, assist = 0;
    REQUIRE(ForEachOverdueChange(store, 1, at, [&](const OverdueChange& c) {
              CHECK(c.bucket_end > at);
              if (c.lead == "d1" && c.assist.empty()) lead += c.delta;
              if (c.assist == "d1") assist += c.delta;
            }).ok());
    auto then = [&](const auto& history) {
      int64_t n = 0;
      for (const auto& [when, count] : history)
        if (when <= at) n = count;
      return n;
    };
    CHECK(lead_history.back().second - lead == then(lead_history));
    CHECK(assist_history.back().second - assist == then(assist_history));
  }
}

TEST_CASE("counters: a ticket that changes nothing a counter shows writes no counter key") {
  testing::MemoryStore store(1);
  Ticket t;
  t.id = "T-1";
  t.lead = "d1";
  t.state = "dispatched";
  {
    Overlay o(store);
    REQUIRE(UpdateCounters(o, 0, std::nullopt, t, 1000).ok());
    REQUIRE(store.Commit(o.changes(), {}, {}).ok());
  }
  Ticket after = t;
  after.version = 7;
  after.title = "a new title";
  Overlay o(store);
  REQUIRE(UpdateCounters(o, 0, t, after, 2000).ok());
  CHECK(o.changes().empty());
}

}  // namespace
}  // namespace closeloop::engine
