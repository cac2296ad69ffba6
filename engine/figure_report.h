// What the figure cells (engine/figures.h) add up to: the bureau's figures over a period,
// grouped by district, street (town), department, workflow or period, the rates built on
// them, and the quarterly scoring of towns (seed 004: 季度考核通报). Pure functions of the
// cells: the same cells give the same report on any machine.
//
// Definitions (docs/api.md, "Reports", says them to the reader):
// - opened: tickets that got their lead in the period, by origin; proactive (主动发现) are
//   the ones the system and its people found: sensor, video, inspection, grid_inspector,
//   self_report (the enterprise's own), schedule (a periodic duty), and tickets an
//   agency's event opened in the prevention or violation loops (alarm responses, enforcement
//   filings, platform warnings); reactive (被动受理) are what others brought: the 12345
//   hotline, public app, web, phone, another department's system, incidents, requests;
//   follow-ups are chained tickets (their parent was counted).
// - on-time rate (按期办结率): tickets settled on time / (settled on time + became late); a
//   ticket is settled on time when it closes never overdue and late when first marked
//   overdue, so each is counted once, and one left open past its limit counts against it.
// - hazards (隐患): found = confirmed (verified real, ordered rectified) + rectified without
//   an order (the enterprise's own rectification, the street's on-the-spot handling: found
//   and fixed by one hand); rectified = closed as rectified, self_rectified,
//   self_rectified_checked or handled_by_street; dismissed = closed as false_alarm.
//   Rectification rate (整改率) = rectified / found over the same period: a ratio of flows,
//   above 1 when a period clears hazards found before it.
// - duties (1+2+3 periodic duties, the scheduled tickets): done on time / (done on time +
//   missed), missed = marked overdue (the duty's cycle ended undone).
// - enforcement outcomes: closures (关闭), suspensions (停产整顿) and penalties are closed
//   enforcement cases by outcome `closure`, `suspension`, `penalty`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/figures.h"
#include "engine/store.h"

namespace closeloop::engine {

enum class OriginClass { kProactive, kReactive, kFollowUp };
OriginClass ClassifyOrigin(std::string_view origin);
std::string_view OriginClassName(OriginClass c);  // "proactive" | "reactive" | "follow_up"

struct FigureTotals {
  int64_t opened = 0, proactive = 0, reactive = 0, follow_up = 0;
  int64_t closed = 0, closed_on_time = 0, late = 0;
  int64_t hazards_found = 0, hazards_rectified = 0, hazards_rectified_on_time = 0;
  int64_t hazards_dismissed = 0;
  int64_t duties_issued = 0, duties_done = 0, duties_done_on_time = 0, duties_missed = 0;
  int64_t closures = 0, suspensions = 0, penalties = 0;
  std::map<std::string, int64_t> by_origin;   // opened, by origin
  std::map<std::string, int64_t> by_outcome;  // closed, by outcome

  void Add(const FigureCell& c);
  void Add(const FigureTotals& o);
  // nullopt when there is nothing to measure (no denominator).
  std::optional<double> OnTimeRate() const;
  std::optional<double> RectificationRate() const;
  std::optional<double> DutyCompletionRate() const;
  std::optional<double> ProactiveShare() const;  // proactive / (proactive + reactive)
};

// Civil days as day numbers (days since 1970-01-01), ISO weeks (Monday first), quarters.
std::optional<int64_t> ParseDay(std::string_view yyyy_mm_dd);
std::string DayText(int64_t day);                 // "2026-03-09"
std::string WeekText(int64_t day);                // "2026-W11" (ISO 8601 week-year)
std::string MonthText(int64_t day);               // "2026-03"
std::string QuarterText(int64_t day);             // "2026-Q1"
// "2026-W11" -> its Monday..Sunday; "2026-Q1" -> 1 January..31 March; nullopt if malformed.
std::optional<std::pair<int64_t, int64_t>> ParseWeek(std::string_view text);
std::optional<std::pair<int64_t, int64_t>> ParseQuarter(std::string_view text);

enum class FigureDimension { kDistrict, kStreet, kDepartment, kWorkflow, kDay, kWeek, kMonth, kQuarter };
std::optional<FigureDimension> ParseDimension(std::string_view name);
std::string_view DimensionName(FigureDimension d);
std::string GroupValue(FigureDimension d, const FigureCell& c);

using FigureGroups = std::map<std::vector<std::string>, FigureTotals>;
// The cells of days first_day..last_day that `keep` admits, added up per group of `by` (no
// dimension: one group, the empty key).
Result<FigureGroups> TallyFigures(const StateReader& state, uint32_t partitions,
                                  int64_t first_day, int64_t last_day,
                                  const std::vector<FigureDimension>& by,
                                  const std::function<bool(const FigureCell&)>& keep);

// Seed 004's quarterly scoring of the towns (镇区): each indicator's rate (capped at 1) times
// its weight, over the weights of the indicators the town has something to measure for,
// out of 100. The weights are the city's *(city figure)*; nullopt when nothing measures.
struct ScoreWeights {
  double rectification = 30;  // 隐患整改率
  double on_time = 30;        // 按期办结率
  double duties = 25;         // 检查任务完成率 (1+2+3)
  double proactive = 15;      // 主动发现占比
};
// "rectification:30,on_time:30,duties:25,proactive:15" (any subset; the others keep their
// default); InvalidArgument naming the bad item.
Result<ScoreWeights> ParseWeights(std::string_view text);
std::optional<double> TownScore(const FigureTotals& t, const ScoreWeights& w);

}  // namespace closeloop::engine
