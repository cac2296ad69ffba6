// The figure cells (engine/figures.h) against a count made the slow way, the city's days, and
// the report's arithmetic (engine/figure_report.h): periods, rates and the towns' scores.
#include "engine/figures.h"

#include <doctest/doctest.h>

#include <map>
#include <random>

#include "engine/figure_report.h"
#include "engine/testing/harness.h"
#include "engine/testing/memory_store.h"

namespace closeloop::engine {
namespace {

Calendar Prc() {
  CalendarSpec spec;
  spec.name = "prc";
  auto cal = Calendar::Create(spec);
  REQUIRE(cal.ok());
  return *cal;
}

int64_t DayNumber(int y, int m, int d) {
  return date::sys_days(date::year(y) / date::month(m) / date::day(d)).time_since_epoch().count();
}

TEST_CASE("figures: each ticket is opened, late and closed once, on the city's day, whatever it does between") {
  testing::MemoryStore store(1);
  const Calendar prc = Prc();
  std::mt19937_64 rng(16);
  // Expected, per (day, lead, kind, label): count, on_time.
  std::map<std::tuple<int64_t, std::string, std::string, std::string>, std::pair<int64_t, int64_t>>
      expected;
  int64_t now = testing::Shanghai(2026, 3, 1, 8);
  for (int n = 0; n < 60; ++n) {
    std::optional<Ticket> before;
    Ticket t;
    t.id = "T-" + std::to_string(n);
    t.workflow = "w";
    t.loop = "prevention";
    t.trigger = "event";
    t.jurisdiction = n % 2 ? "xuanwu.meiyuan.g03" : "liuhe";
    t.facts["channel"] = dsl::Value::String(n % 3 ? "hotline_12345" : "sensor");
    auto apply = [&](Ticket after) {
      Overlay o(store);
      REQUIRE(UpdateFigures(o, 0, after, FigureChangeOf(before, after), now, prc).ok());
      REQUIRE(store.Commit(o.changes(), {}, {}).ok());
      before = after;
      t = after;
    };
    apply(t);  // opened, no lead yet: nothing
    Ticket routed = t;
    routed.lead = n % 4 ? "d1" : "d2";
    const int64_t day = prc.LocalDay(now).time_since_epoch().count();
    expected[{day, routed.lead, "opened", ""}].first++;
    apply(routed);
    for (int k = 0; k < 5; ++k) {  // moves that count nothing: a transfer, progress, time
      now += static_cast<int64_t>(rng() % (7 * 3600 * 1000));
      Ticket moved = t;
      moved.state = "s" + std::to_string(k);
      if (rng() % 2) moved.lead = moved.lead == "d1" ? "d2" : "d1";
      if (rng() % 3 == 0) {
        moved.overdue = true;
        if (moved.overdue_count == 0) {
          expected[{prc.LocalDay(now).time_since_epoch().count(), moved.lead, "late", ""}]
              .first++;
        }
        ++moved.overdue_count;
      }
      apply(moved);
    }
    Ticket closed = t;
    closed.closed = true;
    closed.outcome = rng() % 2 ? "rectified" : "false_alarm";
    auto& e = expected[{prc.LocalDay(now).time_since_epoch().count(), closed.lead, "closed",
                        closed.outcome}];
    e.first++;
    e.second += closed.overdue_count == 0;
    apply(closed);
    apply(closed);  // a second save of a closed ticket counts nothing again
  }
  std::map<std::tuple<int64_t, std::string, std::string, std::string>, std::pair<int64_t, int64_t>>
      cells;
  REQUIRE(ForEachFigureCell(store, 1, 0, DayNumber(2100, 1, 1), [&](const FigureCell& c) {
            auto& v = cells[{c.day, c.lead, c.kind, c.label}];
            v.first += c.count;
            v.second += c.on_time;
            CHECK((c.street == "liuhe" || c.street == "xuanwu.meiyuan"));
            CHECK((c.origin == "sensor" || c.origin == "hotline_12345"));
          }).ok());
  CHECK(cells == expected);
}

TEST_CASE("figures: a day is the city's civil day, not UTC's") {
  testing::MemoryStore store(1);
  const Calendar prc = Prc();
  Ticket t;
  t.id = "T-1";
  t.lead = "d1";
  t.jurisdiction = "liuhe";
  t.loop = "incident";
  t.trigger = "event";
  Overlay o(store);
  // 23:59 and 00:01 in Shanghai: the same UTC day (15:59, 16:01), two local days.
  REQUIRE(UpdateFigures(o, 0, t, FigureChangeOf(std::nullopt, t),
                        testing::Shanghai(2026, 3, 8, 23, 59), prc)
              .ok());
  Ticket late = t;
  late.overdue_count = 1;
  REQUIRE(UpdateFigures(o, 0, late, FigureChangeOf(t, late), testing::Shanghai(2026, 3, 9, 0, 1), prc)
              .ok());
  REQUIRE(store.Commit(o.changes(), {}, {}).ok());
  std::vector<std::pair<std::string, std::string>> seen;  // (day, kind)
  REQUIRE(ForEachFigureCell(store, 1, DayNumber(2026, 3, 1), DayNumber(2026, 3, 31),
                            [&](const FigureCell& c) {
                              seen.emplace_back(DayText(c.day), c.kind);
                              CHECK(c.origin == "incident");
                            })
              .ok());
  CHECK(seen == std::vector<std::pair<std::string, std::string>>{{"2026-03-08", "opened"},
                                                                 {"2026-03-09", "late"}});
  // A span that stops on the 8th does not see the 9th.
  int n = 0;
  REQUIRE(ForEachFigureCell(store, 1, DayNumber(2026, 3, 8), DayNumber(2026, 3, 8),
                            [&](const FigureCell&) { ++n; })
              .ok());
  CHECK(n == 1);
}

TEST_CASE("figures: weeks are ISO weeks, quarters calendar quarters, and bad text is refused") {
  CHECK(WeekText(DayNumber(2026, 3, 2)) == "2026-W10");
  CHECK(WeekText(DayNumber(2026, 3, 8)) == "2026-W10");   // Sunday ends it
  CHECK(WeekText(DayNumber(2027, 1, 1)) == "2026-W53");   // a Friday: the old year's week
  CHECK(ParseWeek("2026-W10") == std::make_pair(DayNumber(2026, 3, 2), DayNumber(2026, 3, 8)));
  CHECK(ParseQuarter("2026-Q1") == std::make_pair(DayNumber(2026, 1, 1), DayNumber(2026, 3, 31)));
  CHECK(ParseQuarter("2026-Q4") ==
        std::make_pair(DayNumber(2026, 10, 1), DayNumber(2026, 12, 31)));
  CHECK(QuarterText(DayNumber(2026, 5, 20)) == "2026-Q2");
  CHECK(MonthText(DayNumber(2026, 5, 20)) == "2026-05");
  CHECK(ParseDay("2026-02-28") == DayNumber(2026, 2, 28));
  CHECK_FALSE(ParseDay("2026-02-29").has_value());  // not a leap year
  CHECK_FALSE(ParseDay("2026-2-28").has_value());
  CHECK_FALSE(ParseWeek("2026-W54").has_value());
  CHECK_FALSE(ParseWeek("2026W10").has_value());
  CHECK_FALSE(ParseQuarter("2026-Q5").has_value());
  CHECK(ParseDimension("street") == FigureDimension::kStreet);
  CHECK_FALSE(ParseDimension("grid").has_value());
}

TEST_CASE("figures: rates count each ticket's timeliness once, and towns score on what they have") {
  FigureTotals t;
  auto cell = [](std::string origin, std::string kind, std::string label, int64_t n,
                 int64_t on_time = 0, int64_t confirmed = 0) {
    FigureCell c;
    c.origin = std::move(origin);
    c.kind = std::move(kind);
    c.label = std::move(label);
    c.count = n;
    c.on_time = on_time;
    c.confirmed = confirmed;
    return c;
  };
  t.Add(cell("hotline_12345", "opened", "", 3));
  t.Add(cell("sensor", "opened", "", 1));
  t.Add(cell("chain", "opened", "", 2));  // follow-ups: neither proactive nor reactive
  t.Add(cell("hotline_12345", "confirmed", "", 2));
  t.Add(cell("hotline_12345", "closed", "rectified", 2, 1, 2));
  t.Add(cell("prevention", "closed", "handled_by_street", 1, 1, 0));  // found by the street
  t.Add(cell("hotline_12345", "late", "", 1));
  t.Add(cell("violation", "closed", "closure", 1, 1));
  t.Add(cell("schedule", "opened", "", 4));
  t.Add(cell("schedule", "closed", "inspected", 3, 2));
  t.Add(cell("schedule", "late", "", 2));
  CHECK(t.opened == 10);
  CHECK(t.proactive == 5);
  CHECK(t.reactive == 3);
  CHECK(t.follow_up == 2);
  CHECK(t.hazards_found == 3);
  CHECK(t.hazards_rectified == 3);
  CHECK(*t.RectificationRate() == doctest::Approx(1.0));
  CHECK(t.closures == 1);
  // On time: 1 + 1 + 1 + 2 closed never overdue; 1 + 2 became late.
  CHECK(*t.OnTimeRate() == doctest::Approx(5.0 / 8.0));
  CHECK(t.duties_issued == 4);
  CHECK(*t.DutyCompletionRate() == doctest::Approx(2.0 / 4.0));
  CHECK(*t.ProactiveShare() == doctest::Approx(5.0 / 8.0));

  // Score: rectification 1.0 x 30 + on time 0.625 x 30 + duties 0.5 x 25 + proactive
  // 0.625 x 15 = 70.625 of 100.
  CHECK(*TownScore(t, ScoreWeights{}) == doctest::Approx(70.625));
  // A town with no duties is scored on the other three, out of their 75.
  FigureTotals no_duties;
  no_duties.Add(cell("hotline_12345", "closed", "rectified", 1, 1, 0));
  CHECK(*TownScore(no_duties, ScoreWeights{}) == doctest::Approx(100.0 * 60.0 / 60.0));
  CHECK_FALSE(TownScore(FigureTotals{}, ScoreWeights{}).has_value());
  auto w = ParseWeights("duties:50,proactive:0");
  REQUIRE(w.ok());
  CHECK(w->duties == 50);
  CHECK(w->proactive == 0);
  CHECK(w->rectification == 30);
  CHECK(*TownScore(t, *w) == doctest::Approx((30 + 0.625 * 30 + 0.5 * 50) / 110.0 * 100.0));
  auto bad = ParseWeights("speed:10");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("speed:10") != std::string::npos);
  CHECK_FALSE(ParseWeights("rectification:0,on_time:0,duties:0,proactive:0").ok());
}

}  // namespace
}  // namespace closeloop::engine
