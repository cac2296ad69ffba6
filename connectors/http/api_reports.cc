// The figures a bureau reports, read from the figure cells the engine keeps
// (engine/figures.h, engine/figure_report.h), never from tickets:
//
// GET /v1/reports/figures?from=&to=&by=&as_of=   the figures of a span of local days, grouped
// GET /v1/reports/weekly?week=                    the weekly brief (seed 004: 每周分析研判简报)
// GET /v1/reports/town-scores?quarter=&weights=   the quarterly scoring of towns (季度考核)
//
// Each answers JSON, or CSV (UTF-8 with a byte-order mark, so a spreadsheet opens the
// Chinese names right) with ?format=csv or `Accept: text/csv`. A caller counts what the
// overview lets it see, by the lead department and the street of each cell: an
// administrator or auditor everything, a supervisor its department's and its area's, staff
// and inspectors their own department's.
#include <date/tz.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "connectors/http/api_internal.h"
#include "engine/figure_report.h"

namespace closeloop::http {
namespace {

using engine::FigureDimension;
using engine::FigureTotals;

constexpr int64_t kMaxDays = 1100;  // a request spans at most about three years of days

int64_t LocalDayOf(int64_t t_ms, const std::string& zone) {
  using namespace std::chrono;
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    tz = nullptr;  // an unknown zone: UTC days
  }
  const sys_time<milliseconds> t{milliseconds(t_ms)};
  const auto local = tz ? tz->to_local(t) : date::local_time<milliseconds>(t.time_since_epoch());
  return floor<date::days>(local.time_since_epoch()).count();
}

json Rate(std::optional<double> r) {
  if (!r) return nullptr;
  return std::round(*r * 10000.0) / 10000.0;
}

json FiguresJson(const FigureTotals& t) {
  return {{"opened", t.opened},
          {"proactive", t.proactive},
          {"reactive", t.reactive},
          {"follow_up", t.follow_up},
          {"proactive_share", Rate(t.ProactiveShare())},
          {"closed", t.closed},
          {"closed_on_time", t.closed_on_time},
          {"late", t.late},
          {"on_time_rate", Rate(t.OnTimeRate())},
          {"hazards_found", t.hazards_found},
          {"hazards_rectified", t.hazards_rectified},
          {"hazards_rectified_on_time", t.hazards_rectified_on_time},
          {"hazards_dismissed", t.hazards_dismissed},
          {"rectification_rate", Rate(t.RectificationRate())},
          {"duties_issued", t.duties_issued},
          {"duties_done", t.duties_done},
          {"duties_done_on_time", t.duties_done_on_time},
          {"duties_missed", t.duties_missed},
          {"duty_completion_rate", Rate(t.DutyCompletionRate())},
          {"closures", t.closures},
          {"suspensions", t.suspensions},
          {"penalties", t.penalties},
          {"by_origin", t.by_origin},
          {"by_outcome", t.by_outcome}};
}

// The scalar figures, in the CSV's column order.
const std::vector<std::string>& CsvFigures() {
  static const std::vector<std::string> cols = {"opened",
                                                "proactive",
                                                "reactive",
                                                "follow_up",
                                                "proactive_share",
                                                "closed",
                                                "closed_on_time",
                                                "late",
                                                "on_time_rate",
                                                "hazards_found",
                                                "hazards_rectified",
                                                "hazards_rectified_on_time",
                                                "hazards_dismissed",
                                                "rectification_rate",
                                                "duties_issued",
                                                "duties_done",
                                                "duties_done_on_time",
                                                "duties_missed",
                                                "duty_completion_rate",
                                                "closures",
                                                "suspensions",
                                                "penalties"};
  return cols;
}

// A cell: numbers as they are, rates with four decimals, text quoted when it must be and
// defused when a spreadsheet would take it for a formula (a leading = + - @).
std::string CsvField(const json& v) {
  std::string s;
  if (v.is_null()) return "";
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v.get<double>());
    return buf;
  }
  if (!v.is_string()) return v.dump();
  s = v.get<std::string>();
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

// The columns' headings in Chinese (?lang=zh), for the spreadsheet a bureau passes on.
std::string ZhHeading(const std::string& col) {
  static const std::map<std::string, std::string> zh = {
      {"district", "区"},
      {"district_name_zh", "区名称"},
      {"district_name_en", "区名称(英文)"},
      {"street", "街道(镇)"},
      {"street_name_zh", "街道(镇)名称"},
      {"street_name_en", "街道(镇)名称(英文)"},
      {"department", "部门"},
      {"department_name_zh", "部门名称"},
      {"department_name_en", "部门名称(英文)"},
      {"workflow", "工单类型"},
      {"day", "日"},
      {"week", "周"},
      {"month", "月"},
      {"quarter", "季度"},
      {"town", "镇(街道)"},
      {"town_name_zh", "镇(街道)名称"},
      {"town_name_en", "镇(街道)名称(英文)"},
      {"rank", "排名"},
      {"score", "得分"},
      {"rectification", "隐患整改率"},
      {"on_time", "按期办结率"},
      {"duties", "检查任务完成率"},
      {"proactive", "主动发现占比"},
      {"opened", "新受理"},
      {"proactive_share", "主动发现占比"},
      {"reactive", "被动受理"},
      {"follow_up", "后续链接工单"},
      {"closed", "办结"},
      {"closed_on_time", "按期办结"},
      {"late", "超期"},
      {"on_time_rate", "按期办结率"},
      {"hazards_found", "发现隐患"},
      {"hazards_rectified", "整改隐患"},
      {"hazards_rectified_on_time", "按期整改隐患"},
      {"hazards_dismissed", "核查不属实"},
      {"rectification_rate", "隐患整改率"},
      {"duties_issued", "下达检查任务"},
      {"duties_done", "完成检查任务"},
      {"duties_done_on_time", "按期完成检查任务"},
      {"duties_missed", "逾期未完成检查任务"},
      {"duty_completion_rate", "检查任务完成率"},
      {"closures", "关闭取缔"},
      {"suspensions", "停产整顿"},
      {"penalties", "其他行政处罚"}};
  auto it = zh.find(col);
  return it == zh.end() ? col : it->second;
}

// A CSV table of `rows` (objects) with `columns` (headed in Chinese for `zh`), after a
// byte-order mark.
std::string Csv(const std::vector<std::string>& columns, const json& rows, bool zh) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? "," : "") + CsvField(zh ? ZhHeading(columns[i]) : columns[i]);
  }
  out += "\r\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      out += i ? "," : "";
      out += row.contains(columns[i]) ? CsvField(row[columns[i]]) : "";
    }
    out += "\r\n";
  }
  return out;
}

bool WantsCsv(Call& c) {
  const std::string f = c.Param("format");
  if (f == "csv") return true;
  if (!f.empty()) return false;
  return c.req.get_header_value("Accept").find("text/csv") != std::string::npos;
}

// The CSV of `rows`; ?lang=zh heads its columns in Chinese.
void AnswerCsv(Call& c, const std::string& filename, const std::vector<std::string>& columns,
               const json& rows) {
  const std::string body = Csv(columns, rows, c.Param("lang") == "zh");
  c.res.status = 200;
  c.res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  c.res.set_content(body, "text/csv; charset=utf-8");
}

}  // namespace

// Which cells `u` counts: the overview's scope (api_overview.cc), by lead and street.
std::function<bool(const engine::FigureCell&)> Api::Impl::FigureScope(const User& u) {
  const std::string area = world.With([&](const engine::World& w) {
    const auto* d = w.reference().FindDepartment(u.department);
    return d ? d->jurisdiction : std::string("\x01");  // unknown department: nothing
  });
  const Role role = u.role;
  const std::string dept = u.department;
  return [role, dept, area](const engine::FigureCell& c) {
    switch (role) {
      case Role::kAdmin:
      case Role::kAuditor:
        return true;
      case Role::kSupervisor:
        return c.lead == dept || engine::JurisdictionCovers(area, c.street);
      case Role::kStaff:
      case Role::kInspector:
        return c.lead == dept;
      case Role::kPublisher:
      case Role::kEnterprise:
        return false;
    }
    return false;
  };
}

// The names of a group's values (districts, streets, departments), in both languages.
void Api::Impl::NameGroup(const std::vector<FigureDimension>& by,
                          const std::vector<std::string>& key, json* row) {
  world.With([&](const engine::World& w) {
    for (size_t i = 0; i < by.size(); ++i) {
      const std::string dim(engine::DimensionName(by[i]));
      (*row)[dim] = key[i];
      const std::string* zh = nullptr;
      const std::string* en = nullptr;
      if (by[i] == FigureDimension::kDepartment) {
        if (const auto* d = w.reference().FindDepartment(key[i]))
          zh = &d->name_zh, en = &d->name_en;
      } else if (by[i] == FigureDimension::kDistrict || by[i] == FigureDimension::kStreet) {
        if (const auto* j = w.reference().FindJurisdiction(key[i]))
          zh = &j->name_zh, en = &j->name_en;
      }
      if (zh != nullptr) {
        (*row)[dim + "_name_zh"] = *zh;
        (*row)[dim + "_name_en"] = *en;
      }
    }
    return 0;
  });
}

void Api::Impl::GetFigures(Call& c) {
  const std::string zone = CityZone();
  const int64_t today = LocalDayOf(b.engine_now(), zone);
  auto day_param = [&](const char* name, int64_t fallback) -> std::optional<int64_t> {
    const std::string v = c.Param(name);
    if (v.empty()) return fallback;
    return engine::ParseDay(v);
  };
  const std::string today_text = engine::DayText(today);
  auto month_start = engine::ParseDay(today_text.substr(0, 8) + "01");
  auto to = day_param("to", today);
  if (!to) return c.Error(400, "invalid", "to: a local date YYYY-MM-DD", "to");
  auto from = day_param("from", *month_start);
  if (!from) return c.Error(400, "invalid", "from: a local date YYYY-MM-DD", "from");
  if (*from > *to) return c.Error(400, "invalid", "from: after to", "from");
  if (*to - *from + 1 > kMaxDays) {
    return c.Error(400, "invalid", "to: at most " + std::to_string(kMaxDays) + " days from from",
                   "to");
  }
  int64_t last = *to;
  const std::string as_of = c.Param("as_of");
  if (!as_of.empty()) {
    auto a = engine::ParseDay(as_of);
    if (!a) return c.Error(400, "invalid", "as_of: a local date YYYY-MM-DD", "as_of");
    last = std::min(last, *a);
  }
  std::vector<FigureDimension> by;
  const std::string by_text = c.Param("by");
  for (size_t at = 0; !by_text.empty() && at <= by_text.size();) {
    size_t comma = by_text.find(',', at);
    std::string name =
        by_text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    auto d = engine::ParseDimension(name);
    if (!d) {
      return c.Error(400, "invalid",
                     "by: \"" + name +
                         "\" is not one of district, street, department, workflow, day, week, "
                         "month, quarter",
                     "by");
    }
    by.push_back(*d);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  if (by.size() > 2) return c.Error(400, "invalid", "by: at most two dimensions", "by");
  auto groups = engine::TallyFigures(*b.state, partitions, *from, last, by, FigureScope(c.who()));
  if (!groups.ok()) return c.Fail(groups.status());
  FigureTotals total;
  json rows = json::array();
  for (const auto& [key, t] : *groups) {
    total.Add(t);
    if (by.empty()) continue;
    json row = FiguresJson(t);
    NameGroup(by, key, &row);
    rows.push_back(std::move(row));
  }
  const std::string from_text = engine::DayText(*from), to_text = engine::DayText(*to);
  if (WantsCsv(c)) {
    std::vector<std::string> cols;
    for (auto d : by) {
      const std::string dim(engine::DimensionName(d));
      cols.push_back(dim);
      if (d == FigureDimension::kDepartment || d == FigureDimension::kDistrict ||
          d == FigureDimension::kStreet) {
        cols.push_back(dim + "_name_zh");
        cols.push_back(dim + "_name_en");
      }
    }
    for (const auto& f : CsvFigures()) cols.push_back(f);
    if (by.empty()) rows.push_back(FiguresJson(total));
    return AnswerCsv(c, "figures-" + from_text + "-" + to_text + ".csv", cols, rows);
  }
  json by_names = json::array();
  for (auto d : by) by_names.push_back(engine::DimensionName(d));
  json out = {{"from", from_text}, {"to", to_text},  {"counted_to", engine::DayText(last)},
              {"time_zone", zone}, {"by", by_names}, {"totals", FiguresJson(total)},
              {"rows", rows}};
  if (!as_of.empty()) out["as_of"] = as_of;
  c.Json(200, out);
}

void Api::Impl::GetWeekly(Call& c) {
  const int64_t today = LocalDayOf(b.engine_now(), CityZone());
  std::optional<std::pair<int64_t, int64_t>> week;
  const std::string param = c.Param("week");
  if (param.empty()) {
    week = engine::ParseWeek(engine::WeekText(today - 7));  // the last whole week
  } else {
    week = engine::ParseWeek(param);
    if (!week) return c.Error(400, "invalid", "week: an ISO week YYYY-Www, e.g. 2026-W11", "week");
  }
  auto scope = FigureScope(c.who());
  auto tally = [&](int64_t first, int64_t last,
                   std::vector<FigureDimension> by) -> Result<engine::FigureGroups> {
    return engine::TallyFigures(*b.state, partitions, first, last, by, scope);
  };
  auto sum = [](const engine::FigureGroups& g) {
    FigureTotals t;
    for (const auto& [k, v] : g) t.Add(v);
    return t;
  };
  auto this_week = tally(week->first, week->second, {FigureDimension::kDepartment});
  if (!this_week.ok()) return c.Fail(this_week.status());
  auto districts = tally(week->first, week->second, {FigureDimension::kDistrict});
  if (!districts.ok()) return c.Fail(districts.status());
  auto before = tally(week->first - 7, week->second - 7, {});
  if (!before.ok()) return c.Fail(before.status());
  const std::string year_start = engine::DayText(week->second).substr(0, 4) + "-01-01";
  auto ytd = tally(*engine::ParseDay(year_start), week->second, {});
  if (!ytd.ok()) return c.Fail(ytd.status());

  auto rows_of = [&](const engine::FigureGroups& g, FigureDimension d) {
    json rows = json::array();
    for (const auto& [key, t] : g) {
      json row = FiguresJson(t);
      NameGroup({d}, key, &row);
      rows.push_back(std::move(row));
    }
    return rows;
  };
  json departments = rows_of(*this_week, FigureDimension::kDepartment);
  // The brief's order: who ran late most first (the typical problems to follow up).
  std::stable_sort(departments.begin(), departments.end(), [](const json& a, const json& z) {
    return a["late"].get<int64_t>() > z["late"].get<int64_t>();
  });
  const std::string name = engine::WeekText(week->first);
  if (WantsCsv(c)) {
    std::vector<std::string> cols = {"department", "department_name_zh", "department_name_en"};
    for (const auto& f : CsvFigures()) cols.push_back(f);
    json total = FiguresJson(sum(*this_week));
    total["department"] = "total";
    departments.push_back(total);
    return AnswerCsv(c, "weekly-" + name + ".csv", cols, departments);
  }
  c.Json(200, {{"week", name},
               {"from", engine::DayText(week->first)},
               {"to", engine::DayText(week->second)},
               {"totals", FiguresJson(sum(*this_week))},
               {"previous_week", FiguresJson(sum(*before))},
               {"year_to_date", FiguresJson(sum(*ytd))},
               {"by_district", rows_of(*districts, FigureDimension::kDistrict)},
               {"by_department", departments}});
}

void Api::Impl::GetTownScores(Call& c) {
  const int64_t today = LocalDayOf(b.engine_now(), CityZone());
  const std::string param = c.Param("quarter");
  auto quarter = engine::ParseQuarter(param.empty() ? engine::QuarterText(today) : param);
  if (!quarter) {
    return c.Error(400, "invalid", "quarter: YYYY-Qn, e.g. 2026-Q1", "quarter");
  }
  engine::ScoreWeights weights;
  if (!c.Param("weights").empty()) {
    auto w = engine::ParseWeights(c.Param("weights"));
    if (!w.ok()) return c.Error(400, "invalid", w.status().message(), "weights");
    weights = *w;
  }
  auto groups = engine::TallyFigures(*b.state, partitions, quarter->first, quarter->second,
                                     {FigureDimension::kStreet}, FigureScope(c.who()));
  if (!groups.ok()) return c.Fail(groups.status());
  // Every town (street-level jurisdiction) in the caller's view, scored or not.
  const User& u = c.who();
  auto scope = FigureScope(u);
  std::vector<std::pair<std::string, const engine::Jurisdiction*>> towns;
  world.With([&](const engine::World& w) {
    for (const auto& [code, j] : w.reference().jurisdictions()) {
      if (j.level != engine::JurisdictionLevel::kStreet) continue;
      engine::FigureCell probe;
      probe.street = code;
      probe.lead = "\x01";  // no department: the area alone decides
      if (u.role == Role::kAdmin || u.role == Role::kAuditor || scope(probe) ||
          groups->count({code}) != 0) {
        towns.emplace_back(code, &j);
      }
    }
    json rows = json::array();
    for (const auto& [code, j] : towns) {
      auto it = groups->find({code});
      FigureTotals t = it == groups->end() ? FigureTotals{} : it->second;
      auto score = engine::TownScore(t, weights);
      json row = {{"town", code},
                  {"town_name_zh", j->name_zh},
                  {"town_name_en", j->name_en},
                  {"district", std::string(engine::DistrictOf(code))},
                  {"rectification", Rate(t.RectificationRate())},
                  {"on_time", Rate(t.OnTimeRate())},
                  {"duties", Rate(t.DutyCompletionRate())},
                  {"proactive", Rate(t.ProactiveShare())},
                  {"score", score ? json(std::round(*score * 10.0) / 10.0) : json(nullptr)},
                  {"figures", FiguresJson(t)}};
      rows.push_back(std::move(row));
    }
    // Ranked by score, then by code; a town with nothing to measure is unranked, last.
    std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& z) {
      if (a["score"].is_null() != z["score"].is_null()) return z["score"].is_null();
      if (a["score"].is_null()) return false;
      return a["score"].get<double>() > z["score"].get<double>();
    });
    int rank = 0;
    double previous = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i]["score"].is_null()) {
        rows[i]["rank"] = nullptr;
        continue;
      }
      const double s = rows[i]["score"].get<double>();
      if (s != previous) rank = static_cast<int>(i) + 1;  // ties share a rank
      previous = s;
      rows[i]["rank"] = rank;
    }
    const std::string name = engine::QuarterText(quarter->first);
    if (WantsCsv(c)) {
      json flat = json::array();
      for (const auto& r : rows) {
        json f = r["figures"];
        for (auto it = r.begin(); it != r.end(); ++it) {
          if (it.key() != "figures") f[it.key()] = it.value();
        }
        flat.push_back(std::move(f));
      }
      std::vector<std::string> cols = {"rank",     "town",     "town_name_zh",  "town_name_en",
                                       "district", "score",    "rectification", "on_time",
                                       "duties",   "proactive"};
      for (const auto& f : CsvFigures()) cols.push_back(f);
      AnswerCsv(c, "town-scores-" + name + ".csv", cols, flat);
      return 0;
    }
    c.Json(200, {{"quarter", name},
                 {"from", engine::DayText(quarter->first)},
                 {"to", engine::DayText(quarter->second)},
                 {"weights",
                  {{"rectification", weights.rectification},
                   {"on_time", weights.on_time},
                   {"duties", weights.duties},
                   {"proactive", weights.proactive}}},
                 {"towns", rows}});
    return 0;
  });
}

void Api::Impl::RegisterReports(httplib::Server& s) {
  const uint32_t readers =
      Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kAuditor, Role::kAdmin});
  Route(s, "GET", "/v1/reports/figures", readers, [this](Call& c) { GetFigures(c); });
  Route(s, "GET", "/v1/reports/weekly", readers, [this](Call& c) { GetWeekly(c); });
  Route(s, "GET", "/v1/reports/town-scores", readers, [this](Call& c) { GetTownScores(c); });
}

}  // namespace closeloop::http
