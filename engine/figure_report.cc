#include "engine/figure_report.h"

#include <date/date.h>
#include <date/iso_week.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace closeloop::engine {
namespace {

bool IsRectified(std::string_view outcome) {
  return outcome == "rectified" || outcome == "self_rectified" ||
         outcome == "self_rectified_checked" || outcome == "handled_by_street";
}

date::year_month_day Ymd(int64_t day) {
  return date::year_month_day(date::sys_days(date::days(day)));
}

int64_t DayOf(date::sys_days d) { return d.time_since_epoch().count(); }

std::optional<int> Digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> Ratio(int64_t num, int64_t den) {
  if (den <= 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

OriginClass ClassifyOrigin(std::string_view o) {
  if (o == "chain") return OriginClass::kFollowUp;
  if (o == "sensor" || o == "video" || o == "inspection" || o == "grid_inspector" ||
      o == "self_report" || o == "schedule" || o == "prevention" || o == "violation") {
    return OriginClass::kProactive;
  }
  return OriginClass::kReactive;  // hotline_12345, public_app, web, phone, department,
                                  // other, incident, request
}

std::string_view OriginClassName(OriginClass c) {
  switch (c) {
    case OriginClass::kProactive:
      return "proactive";
    case OriginClass::kReactive:
      return "reactive";
    case OriginClass::kFollowUp:
      return "follow_up";
  }
  return "";
}

void FigureTotals::Add(const FigureCell& c) {
  const bool duty = c.origin == "schedule";
  if (c.kind == "opened") {
    opened += c.count;
    by_origin[c.origin] += c.count;
    switch (ClassifyOrigin(c.origin)) {
      case OriginClass::kProactive:
        proactive += c.count;
        break;
      case OriginClass::kReactive:
        reactive += c.count;
        break;
      case OriginClass::kFollowUp:
        follow_up += c.count;
        break;
    }
    if (duty) duties_issued += c.count;
  } else if (c.kind == "confirmed") {
    hazards_found += c.count;
  } else if (c.kind == "late") {
    late += c.count;
    if (duty) duties_missed += c.count;
  } else if (c.kind == "closed") {
    closed += c.count;
    closed_on_time += c.on_time;
    by_outcome[c.label] += c.count;
    if (IsRectified(c.label)) {
      hazards_rectified += c.count;
      hazards_rectified_on_time += c.on_time;
      hazards_found += c.count - c.confirmed;  // found and fixed by one hand
    }
    if (c.label == "false_alarm") hazards_dismissed += c.count;
    if (c.label == "closure") closures += c.count;
    if (c.label == "suspension") suspensions += c.count;
    if (c.label == "penalty") penalties += c.count;
    if (duty) {
      duties_done += c.count;
      duties_done_on_time += c.on_time;
    }
  }
}

void FigureTotals::Add(const FigureTotals& o) {
  opened += o.opened, proactive += o.proactive, reactive += o.reactive,
      follow_up += o.follow_up;
  closed += o.closed, closed_on_time += o.closed_on_time, late += o.late;
  hazards_found += o.hazards_found, hazards_rectified += o.hazards_rectified;
  hazards_rectified_on_time += o.hazards_rectified_on_time;
  hazards_dismissed += o.hazards_dismissed;
  duties_issued += o.duties_issued, duties_done += o.duties_done;
  duties_done_on_time += o.duties_done_on_time, duties_missed += o.duties_missed;
  closures += o.closures, suspensions += o.suspensions, penalties += o.penalties;
  for (const auto& [k, n] : o.by_origin) by_origin[k] += n;
  for (const auto& [k, n] : o.by_outcome) by_outcome[k] += n;
}

std::optional<double> FigureTotals::OnTimeRate() const {
  return Ratio(closed_on_time, closed_on_time + late);
}
std::optional<double> FigureTotals::RectificationRate() const {
  return Ratio(hazards_rectified, hazards_found);
}
std::optional<double> FigureTotals::DutyCompletionRate() const {
  return Ratio(duties_done_on_time, duties_done_on_time + duties_missed);
}
std::optional<double> FigureTotals::ProactiveShare() const {
  return Ratio(proactive, proactive + reactive);
}

std::optional<int64_t> ParseDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = Digits(s.substr(0, 4)), m = Digits(s.substr(5, 2)), d = Digits(s.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  date::year_month_day ymd{date::year(*y), date::month(static_cast<unsigned>(*m)),
                           date::day(static_cast<unsigned>(*d))};
  if (!ymd.ok() || *y < 1970) return std::nullopt;
  return DayOf(date::sys_days(ymd));
}

std::string DayText(int64_t day) {
  auto ymd = Ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string WeekText(int64_t day) {
  iso_week::year_weeknum_weekday w{date::sys_days(date::days(day))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(w.year()),
                static_cast<unsigned>(w.weeknum()));
  return buf;
}

std::string MonthText(int64_t day) { return DayText(day).substr(0, 7); }

std::string QuarterText(int64_t day) {
  auto ymd = Ymd(day);
  const unsigned q = (static_cast<unsigned>(ymd.month()) - 1) / 3 + 1;
  return DayText(day).substr(0, 4) + "-Q" + std::to_string(q);
}

std::optional<std::pair<int64_t, int64_t>> ParseWeek(std::string_view s) {
  if (s.size() != 8 || s[4] != '-' || s[5] != 'W') return std::nullopt;
  auto y = Digits(s.substr(0, 4)), w = Digits(s.substr(6, 2));
  if (!y || !w || *y < 1970 || *w < 1) return std::nullopt;
  iso_week::year_weeknum_weekday first{iso_week::year(*y),
                                       iso_week::weeknum(static_cast<unsigned>(*w)),
                                       iso_week::mon};
  if (!first.ok()) return std::nullopt;
  const int64_t monday = DayOf(date::sys_days(first));
  return std::make_pair(monday, monday + 6);
}

std::optional<std::pair<int64_t, int64_t>> ParseQuarter(std::string_view s) {
  if (s.size() != 7 || s[4] != '-' || s[5] != 'Q') return std::nullopt;
  auto y = Digits(s.substr(0, 4)), q = Digits(s.substr(6, 1));
  if (!y || !q || *y < 1970 || *q < 1 || *q > 4) return std::nullopt;
  const unsigned m = static_cast<unsigned>(*q - 1) * 3 + 1;
  date::year_month_day first{date::year(*y), date::month(m), date::day(1)};
  date::year_month_day next = first + date::months(3);
  return std::make_pair(DayOf(date::sys_days(first)), DayOf(date::sys_days(next)) - 1);
}

std::optional<FigureDimension> ParseDimension(std::string_view n) {
  for (auto d : {FigureDimension::kDistrict, FigureDimension::kStreet,
                 FigureDimension::kDepartment, FigureDimension::kWorkflow, FigureDimension::kDay,
                 FigureDimension::kWeek, FigureDimension::kMonth, FigureDimension::kQuarter}) {
    if (DimensionName(d) == n) return d;
  }
  return std::nullopt;
}

std::string_view DimensionName(FigureDimension d) {
  switch (d) {
    case FigureDimension::kDistrict:
      return "district";
    case FigureDimension::kStreet:
      return "street";
    case FigureDimension::kDepartment:
      return "department";
    case FigureDimension::kWorkflow:
      return "workflow";
    case FigureDimension::kDay:
      return "day";
    case FigureDimension::kWeek:
      return "week";
    case FigureDimension::kMonth:
      return "month";
    case FigureDimension::kQuarter:
      return "quarter";
  }
  return "";
}

std::string GroupValue(FigureDimension d, const FigureCell& c) {
  switch (d) {
    case FigureDimension::kDistrict:
      return std::string(DistrictOf(c.street));
    case FigureDimension::kStreet:
      return c.street;
    case FigureDimension::kDepartment:
      return c.lead;
    case FigureDimension::kWorkflow:
      return c.workflow;
    case FigureDimension::kDay:
      return DayText(c.day);
    case FigureDimension::kWeek:
      return WeekText(c.day);
    case FigureDimension::kMonth:
      return MonthText(c.day);
    case FigureDimension::kQuarter:
      return QuarterText(c.day);
  }
  return "";
}

Result<FigureGroups> TallyFigures(const StateReader& state, uint32_t partitions,
                                  int64_t first_day, int64_t last_day,
                                  const std::vector<FigureDimension>& by,
                                  const std::function<bool(const FigureCell&)>& keep) {
  FigureGroups groups;
  std::vector<std::string> key(by.size());
  CL_RETURN_IF_ERROR(
      ForEachFigureCell(state, partitions, first_day, last_day, [&](const FigureCell& c) {
        if (keep && !keep(c)) return;
        for (size_t i = 0; i < by.size(); ++i) key[i] = GroupValue(by[i], c);
        groups[key].Add(c);
      }));
  return groups;
}

Result<ScoreWeights> ParseWeights(std::string_view text) {
  ScoreWeights w;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    std::string_view item =
        text.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    at = comma == std::string_view::npos ? text.size() : comma + 1;
    const size_t colon = item.find(':');
    std::optional<int> n;
    if (colon != std::string_view::npos) n = Digits(item.substr(colon + 1));
    std::string_view name = item.substr(0, colon);
    double* slot = name == "rectification" ? &w.rectification
                   : name == "on_time"     ? &w.on_time
                   : name == "duties"      ? &w.duties
                   : name == "proactive"   ? &w.proactive
                                           : nullptr;
    const int value = n.value_or(-1);
    if (slot == nullptr || value < 0 || value > 1000) {
      return InvalidArgument("weights: \"" + std::string(item) +
                             "\" is not NAME:N (NAME one of rectification, on_time, duties, "
                             "proactive; N a whole number 0..1000)");
    }
    *slot = value;
  }
  if (w.rectification + w.on_time + w.duties + w.proactive <= 0) {
    return InvalidArgument("weights: at least one weight must be above 0");
  }
  return w;
}

std::optional<double> TownScore(const FigureTotals& t, const ScoreWeights& w) {
  double points = 0, weight = 0;
  auto add = [&](std::optional<double> rate, double wt) {
    if (!rate || wt <= 0) return;
    points += std::min(*rate, 1.0) * wt;
    weight += wt;
  };
  add(t.RectificationRate(), w.rectification);
  add(t.OnTimeRate(), w.on_time);
  add(t.DutyCompletionRate(), w.duties);
  add(t.ProactiveShare(), w.proactive);
  if (weight <= 0) return std::nullopt;
  return points / weight * 100.0;
}

}  // namespace closeloop::engine
