#include "workflows/demo/agencies.h"

#include <date/date.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace closeloop::demo {
namespace {

using Json = nlohmann::ordered_json;
constexpr int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

int64_t LocalDay(int64_t at) { return (at + 8 * kHour) / kDay; }
int HourOf(int64_t at) { return static_cast<int>(((at + 8 * kHour) % kDay) / kHour); }
bool Weekend(int64_t at) {
  int wd = static_cast<int>((LocalDay(at) + 4) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
  return wd == 0 || wd == 6;
}
date::year_month_day Ymd(int64_t at) {
  return date::year_month_day{date::sys_days{date::days{LocalDay(at)}}};
}
std::string Compact(int64_t at) {
  auto d = Ymd(at);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// Share of a day's events in this hour.
double OfficeShare(int64_t at) {
  int h = HourOf(at);
  return !Weekend(at) && h >= 9 && h < 17 ? 1.0 / 8 : 0;
}
double PublicShare(int64_t at) {
  static const double kWeights[24] = {1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7,
                                      6, 7, 7, 7, 7, 6, 5, 5, 4, 3, 2, 1};
  double w = kWeights[HourOf(at)] / 108.0;
  return Weekend(at) ? w * 0.8 : w;
}
double AnyShare(int64_t) { return 1.0 / 24; }

Json GeoOf(double lat, double lon) { return {{"lat", lat}, {"lon", lon}}; }

Json Envelope(const char* source, const std::string& subject, const std::string& jurisdiction,
              int64_t at, const char* type, Json body) {
  return Json{{"source", source},  {"subject", subject}, {"jurisdiction", jurisdiction},
              {"occurred_at", at}, {"body_type", type},  {"body", std::move(body)}};
}

const std::map<std::string, std::vector<const char*>>& HazardTexts() {
  static const std::map<std::string, std::vector<const char*>> kTexts = {
      {"fire_safety",
       {"消防通道被杂物堵塞", "灭火器过期未检", "电动自行车在楼道内违规充电", "安全出口上锁",
        "消防设施损坏未修复"}},
      {"gas", {"液化石油气钢瓶违规存放在厨房", "燃气管道老化有异味", "餐饮店未安装燃气报警器"}},
      {"hazardous_chemicals",
       {"储罐区可燃气体检测报警器失灵", "危化品仓库超量储存", "装卸作业未落实静电接地"}},
      {"special_equipment", {"锅炉超期未检验", "电梯困人故障频发", "起重机械无证操作"}},
      {"construction", {"施工现场脚手架未设置安全网", "深基坑未按方案支护", "塔吊司机无证上岗"}},
      {"road_transport", {"危货车辆违规停放", "客运车辆超员", "驾驶员疲劳驾驶"}},
      {"hazardous_waste", {"危险废物露天堆放未设防渗措施", "危废台账缺失"}},
      {"civil_explosives", {"爆破器材储存不规范", "民爆物品领退记录不全"}},
      {"industrial_trade",
       {"厂区配电箱线路私拉乱接", "粉尘作业场所未及时清扫", "有限空间作业未审批"}},
      {"mining", {"采石场边坡存在滑塌隐患", "爆破警戒不到位"}},
      {"fireworks", {"烟花爆竹超量存放", "仓库防雷设施失效"}},
      {"tourism_venue", {"游乐设施未按期检验", "景区游客超限未分流"}},
      {"flood", {"排水泵站设备故障", "低洼地段积水未设警示"}},
      {"geological", {"山体护坡出现裂缝", "地面塌陷隐患"}},
      {"school", {"校舍外墙瓷砖脱落", "实验室化学品管理混乱"}},
      {"other", {"其他安全隐患"}},
  };
  return kTexts;
}

const char* Pick(Rng& rng, const std::vector<const char*>& v) { return v[rng.Below(v.size())]; }

}  // namespace

int64_t Shanghai(int y, int m, int d, int hh, int mm) {
  auto day = date::sys_days{date::year{y} / m / d};
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
  return ms + (hh * 60LL + mm) * kMinute - 8 * kHour;
}

Agencies::Agencies(const City& city, Rates rates, uint64_t seed)
    : city_(city), rates_(rates), rng_(SeedFor(seed, "agencies")) {
  // Sensors take turns in a shuffled order, so one sensor's storms are days apart.
  sensor_order_.resize(city.sensors.size());
  for (size_t i = 0; i < sensor_order_.size(); ++i) sensor_order_[i] = i;
  for (size_t i = sensor_order_.size(); i > 1; --i)
    std::swap(sensor_order_[i - 1], sensor_order_[rng_.Below(i)]);
}

void Agencies::Later(int64_t at, std::string json) { pending_.push({at, seq_++, std::move(json)}); }

void Agencies::Between(int64_t from, int64_t to, std::vector<AgencyEvent>* out) {
  for (int64_t start = from; start < to;) {
    int64_t end = std::min(to, (start / kHour + 1) * kHour);
    Hour(start, end);
    start = end;
  }
  while (!pending_.empty() && pending_.top().at < to) {
    Pending p = pending_.top();
    pending_.pop();
    const size_t type = p.json.find(R"("body_type":")") + 13;
    counts_[p.json.substr(type, p.json.find('"', type) - type)]++;
    out->push_back({std::max(p.at, from), std::move(p.json)});
  }
}

void Agencies::Hour(int64_t from, int64_t to) {
  const double f = static_cast<double>(to - from) / kHour;  // share of the hour in the window
  auto draw = [&](double per_day, double share, void (Agencies::*make)(int64_t)) {
    for (int64_t n = rng_.Poisson(per_day * share * f); n > 0; --n) {
      (this->*make)(from + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(to - from))));
    }
  };
  if (rates_.periodic_inspections) {
    const auto ymd = Ymd(from);
    const int64_t month = static_cast<int>(ymd.year()) * 12 + static_cast<unsigned>(ymd.month());
    if (month != last_month_) {
      last_month_ = month;
      MonthlyDuties(from);
    }
  }
  draw(rates_.hazard_reports, PublicShare(from), &Agencies::HazardReport);
  draw(rates_.video_alarms, AnyShare(from), &Agencies::VideoAlarm);
  for (int64_t n = rng_.Poisson(rates_.sensor_storms * AnyShare(from) * f); n > 0; --n)
    SensorStorm(from + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(to - from))), false);
  for (int64_t n = rng_.Poisson(rates_.plant_upsets * AnyShare(from) * f); n > 0; --n)
    SensorStorm(from + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(to - from))), true);
  draw(rates_.self_reports, OfficeShare(from), &Agencies::SelfReport);
  draw(rates_.inspections, OfficeShare(from), &Agencies::Inspection);
  draw(rates_.enforcement_cases, OfficeShare(from), &Agencies::EnforcementCase);
  draw(rates_.incidents, AnyShare(from), &Agencies::Incident);
  draw(rates_.service_requests, OfficeShare(from) * 0.7 + PublicShare(from) * 0.3,
       &Agencies::ServiceRequest);
}

std::string Agencies::Address(const std::string& grid_code) const {
  for (const Grid& g : city_.grids) {
    if (g.code == grid_code) return city_.profile.name_zh + g.name_zh;
  }
  return city_.profile.name_zh + grid_code;
}

const Enterprise& Agencies::PickEnterprise() {
  // Riskier enterprises draw more reports: red x4, orange x2 (two tries at a weighted pick).
  for (int tries = 0; tries < 3; ++tries) {
    const Enterprise& e = city_.enterprises[rng_.Below(city_.enterprises.size())];
    int keep = e.colour == "red" ? 100 : e.colour == "orange" ? 50 : e.colour == "yellow" ? 35 : 25;
    if (rng_.Chance(keep)) return e;
  }
  return city_.enterprises[rng_.Below(city_.enterprises.size())];
}

void Agencies::HazardReport(int64_t at) {
  static const std::pair<const char*, const char*> kChannels[] = {
      {"hotline_12345", "hotline-12345"}, {"hotline_12345", "hotline-12345"},
      {"grid_inspector", "grid-app"},     {"grid_inspector", "grid-app"},
      {"public_app", "public-app"},       {"web", "web-portal"}};
  const auto& ch = kChannels[rng_.Below(std::size(kChannels))];
  Json body;
  std::string subject, jurisdiction;
  if (rng_.Chance(20)) {  // a residential site: gas and fire complaints from the public
    const Grid& g = city_.grids[rng_.Below(city_.grids.size())];
    subject = "SITE-" + g.code + "-" + std::to_string(rng_.Below(40) + 1);
    jurisdiction = g.code;
    std::string category = rng_.Chance(50) ? "gas" : "fire_safety";
    body = {{"channel", ch.first},
            {"category", category},
            {"severity", "general"},
            {"description", std::string(Pick(rng_, HazardTexts().at(category))) + "（居民小区）"},
            {"location", GeoOf(g.lat, g.lon)},
            {"address", Address(g.code)}};
  } else {
    const Enterprise& e = PickEnterprise();
    const std::string& category = e.classes[rng_.Below(e.classes.size())];
    auto texts = HazardTexts().find(category);
    subject = e.id;
    jurisdiction = e.jurisdiction;
    body = {{"channel", ch.first},
            {"category", category},
            {"severity", rng_.Chance(12) ? "major" : "general"},
            {"description",
             std::string(texts != HazardTexts().end() ? Pick(rng_, texts->second) : "安全隐患") +
                 "（" + e.name_zh + "）"},
            {"location", GeoOf(e.lat, e.lon)},
            {"address", Address(e.jurisdiction)}};
  }
  body["reporter"] = std::string(ch.first) == "grid_inspector" ? "网格员" : "市民";
  if (std::string(ch.first) == "hotline_12345")
    body["external_ref"] = "12345-" + Compact(at) + "-" + std::to_string(++serial_);
  Later(at, Envelope(ch.second, subject, jurisdiction, at, "HazardReport", body).dump());
}

void Agencies::SensorStorm(int64_t at, bool upset) {
  if (city_.sensors.empty()) return;
  const Sensor& first = city_.sensors[sensor_order_[next_sensor_++ % sensor_order_.size()]];
  std::vector<const Sensor*> sensors;
  if (upset) {  // a plant upset: every sensor of the risk source
    for (const Sensor& s : city_.sensors) {
      if (s.risk_source == first.risk_source) sensors.push_back(&s);
    }
  } else {
    sensors.push_back(&first);
  }
  for (const Sensor* s : sensors) {
    const Enterprise& e = city_.enterprises[s->enterprise];
    const bool warning_only = !upset && rng_.Chance(20);
    const double threshold = warning_only ? s->warning : (s->alarm > 0 ? s->alarm : 25);
    const int64_t alarms = upset ? rng_.Between(5, 30) : 2 + rng_.Below(4) * rng_.Below(8);
    int64_t t = at + (upset ? rng_.Between(0, 120) * kSecond : 0);
    // The monitoring system sends the source's grade with every reading (alarm_response.wf).
    Json grade = Json::array();
    if (s->grade > 0) grade.push_back({{"key", "grade"}, {"value", std::to_string(s->grade)}});
    for (int64_t i = 0; i < alarms; ++i) {
      const bool critical = !warning_only && (upset || rng_.Chance(30));
      Json body = {{"sensor_id", s->id},
                   {"risk_source_id", s->risk_source},
                   {"measure", s->measure},
                   {"state", "alarm"},
                   {"level", warning_only ? "warning"
                             : critical   ? "critical"
                                          : "alarm"},
                   {"value", threshold * (1.02 + 0.01 * static_cast<double>(rng_.Below(40)))},
                   {"threshold", threshold},
                   {"unit", s->unit},
                   {"attrs", grade}};
      Later(t, Envelope("iot-platform", e.id, e.jurisdiction, t, "SensorAlarm", body).dump());
      t += rng_.Between(10, 60) * kSecond;
    }
    if (rng_.Chance(upset ? 30 : 45)) {  // the reading returns to normal
      // Most plants answer on the monitoring system's terminal within minutes, with the
      // cause (消警); the rest leave the duty officer to chase them.
      static const char* const kCauses[] = {"工艺波动，已调整", "仪表校准，已恢复",
                                            "检维修作业置换，有作业票", "探头受潮误报，已更换"};
      const bool explained = rng_.Chance(upset ? 40 : 70);
      t += explained ? rng_.Between(3, 9) * kMinute : rng_.Between(15, 120) * kMinute;
      Json attrs = grade;
      if (explained)
        attrs.push_back({{"key", "cause"}, {"value", kCauses[rng_.Below(std::size(kCauses))]}});
      Json body = {{"sensor_id", s->id},     {"risk_source_id", s->risk_source},
                   {"measure", s->measure},  {"state", "normal"},
                   {"level", "none"},        {"value", threshold * 0.4},
                   {"threshold", threshold}, {"unit", s->unit},
                   {"attrs", attrs}};
      Later(t, Envelope("iot-platform", e.id, e.jurisdiction, t, "SensorAlarm", body).dump());
    }
  }
}

void Agencies::VideoAlarm(int64_t at) {
  static const char* const kAlgorithms[] = {
      "smoke", "fire", "no_helmet", "intrusion", "fire_exit_blocked", "phone_in_hazard_area"};
  const Enterprise& e = PickEnterprise();
  char camera[40];
  std::snprintf(camera, sizeof camera, "CAM-%s-%02d", e.id.c_str(),
                static_cast<int>(rng_.Below(12) + 1));
  Json body = {
      {"camera_id", camera},
      {"algorithm", kAlgorithms[rng_.Below(std::size(kAlgorithms))]},
      {"confidence", 0.6 + 0.01 * static_cast<double>(rng_.Below(40))},
      {"snapshot_uri", std::string("snapshot://") + camera + "/" + std::to_string(at) + ".jpg"},
      {"location", GeoOf(e.lat, e.lon)},
      // The camera registry knows the sector of the place it watches: the enterprise's
      // first hazard class (hazard_disposal.wf routes detections by it).
      {"attrs", Json::array({{{"key", "sector"}, {"value", e.classes.front()}}})}};
  Later(at, Envelope("video-ai", e.id, e.jurisdiction, at, "VideoAlarm", body).dump());
}

void Agencies::SelfReport(int64_t at) {
  const Enterprise& e = PickEnterprise();
  const std::string& category = e.classes[rng_.Below(e.classes.size())];
  auto texts = HazardTexts().find(category);
  Json body = {
      {"category", category},
      {"description", texts != HazardTexts().end() ? Pick(rng_, texts->second) : "安全隐患"},
      {"severity", rng_.Chance(8) ? "major" : "general"},
      {"rectification_plan", "已制定整改方案，落实责任人和资金"},
      {"planned_done_at", at + rng_.Between(3, 20) * kDay}};
  Later(
      at,
      Envelope("enterprise-portal", e.id, e.jurisdiction, at, "EnterpriseSelfReport", body).dump());
}

void Agencies::Inspection(int64_t at) {
  static const char* const kKinds[] = {"industry", "territorial", "special", "double_random",
                                       "routine"};
  static const char* const kLaws[] = {"《安全生产法》第四十一条", "《安全生产法》第三十六条",
                                      "《消防法》第十六条", "《特种设备安全法》第四十条"};
  const Enterprise& e = PickEnterprise();
  const std::string inspection = "INSP-" + Compact(at) + "-" + std::to_string(++serial_);
  const char* kind = kKinds[rng_.Below(std::size(kKinds))];
  for (int64_t n = rng_.Between(1, 4), i = 0; i < n; ++i) {
    const std::string& category = e.classes[rng_.Below(e.classes.size())];
    auto texts = HazardTexts().find(category);
    Json body = {
        {"inspection_id", inspection},
        {"kind", kind},
        {"category", category},
        {"severity", rng_.Chance(10) ? "major" : "general"},
        {"description", texts != HazardTexts().end() ? Pick(rng_, texts->second) : "安全隐患"}};
    // A finding that cites a law is also an enforcement matter (enforcement_case.wf).
    if (rng_.Chance(25)) body["law_ref"] = kLaws[rng_.Below(std::size(kLaws))];
    int64_t t = at + i * rng_.Between(5, 30) * kMinute;
    Later(t, Envelope("inspection-app", e.id, e.jurisdiction, t, "InspectionFinding", body).dump());
  }
}

void Agencies::EnforcementCase(int64_t at) {
  static const char* const kSteps[] = {"filed",           "investigating", "evidence_collected",
                                       "penalty_decided", "executed",      "closed"};
  static const int64_t kGapDays[][2] = {{0, 0}, {1, 3}, {3, 10}, {5, 20}, {5, 15}, {1, 5}};
  const Enterprise& e = PickEnterprise();
  const std::string& category = e.classes[rng_.Below(e.classes.size())];
  const std::string case_id = "CASE-" + Compact(at) + "-" + std::to_string(++serial_);
  const size_t last = rng_.Chance(15) ? rng_.Below(4) : 5;  // some cases stall past their limits
  const double penalty = 10000.0 * static_cast<double>(rng_.Between(1, 30));
  int64_t t = at;
  for (size_t s = 0; s <= last; ++s) {
    t += rng_.Between(kGapDays[s][0], kGapDays[s][1]) * kDay;
    Json body = {{"case_id", case_id},
                 {"step", kSteps[s]},
                 {"law_articles", {"《安全生产法》第九十九条"}},
                 {"description", "安全生产行政执法案件"},
                 {"attrs", {{{"key", "category"}, {"value", category}}}}};
    if (s >= 3) body["penalty_yuan"] = penalty;
    Later(t,
          Envelope("enforcement-system", e.id, e.jurisdiction, t, "EnforcementStep", body).dump());
  }
}

void Agencies::Incident(int64_t at) {
  static const std::pair<const char*, int> kTypes[] = {{"fire", 35},
                                                       {"road_traffic_accident", 15},
                                                       {"gas_leak", 10},
                                                       {"hazardous_chemical_leak", 5},
                                                       {"waterlogging", 8},
                                                       {"special_equipment_accident", 6},
                                                       {"environmental_pollution", 5},
                                                       {"building_collapse", 2},
                                                       {"explosion", 2},
                                                       {"flood", 3},
                                                       {"geological_disaster", 2},
                                                       {"crowd_incident", 4},
                                                       {"forest_fire", 3}};
  int pick = static_cast<int>(rng_.Below(100));
  const char* type = "fire";
  for (const auto& [t, w] : kTypes) {
    if ((pick -= w) < 0) {
      type = t;
      break;
    }
  }
  int roll = static_cast<int>(rng_.Below(100));
  const char* level = roll < 85 ? "general" : roll < 97 ? "large" : "major";
  const Grid& g = city_.grids[rng_.Below(city_.grids.size())];
  Json body = {{"incident_type", type},
               {"level", level},
               {"casualties", rng_.Chance(10) ? rng_.Between(1, 3) : 0},
               {"trapped", rng_.Chance(10) ? rng_.Between(1, 5) : 0},
               {"location", GeoOf(g.lat, g.lon)},
               {"address", Address(g.code)},
               {"description", std::string("接报突发事件：") + type}};
  const std::string subject = "INC-" + Compact(at) + "-" + std::to_string(++serial_);
  Later(at, Envelope("emergency-110-119-120", subject, g.code, at, "IncidentReport", body).dump());
}

void Agencies::ServiceRequest(int64_t at) {
  static const char* const kCodes[] = {"consultation",  "consultation", "training",
                                       "risk_reminder", "insurance",    "rescue_service"};
  const bool enterprise = rng_.Chance(60);
  const Enterprise& e = PickEnterprise();
  const std::string subject = enterprise ? e.id : "PUB-" + std::to_string(rng_.Between(1, 500000));
  const char* code = kCodes[rng_.Below(std::size(kCodes))];
  Json body = {{"service_code", code},
               {"description", std::string("申请服务：") + code},
               {"requester", enterprise ? e.name_zh : "市民"},
               {"requester_kind", enterprise ? "enterprise" : "public"},
               {"channel", rng_.Chance(50) ? "web" : "hotline_12345"},
               {"location", GeoOf(e.lat, e.lon)},
               {"external_id", "SR-" + Compact(at) + "-" + std::to_string(++serial_)}};
  Later(at, Envelope("service-portal", subject, e.jurisdiction, at, "ServiceRequest", body).dump());
}

void Agencies::MonthlyDuties(int64_t from) {
  // "1+2+3" and the four colours (workflows/periodic_inspection.wf): every enterprise
  // self-inspects monthly and its safety officers inspect it every two months; supervisors
  // visit red enterprises monthly, orange ones every two months, other key ones quarterly.
  // Most answer within the month's first three working weeks; some never do (the duty runs
  // overdue), and some inspections are perfunctory (fewer than 10 items checked).
  const auto ymd = Ymd(from);
  const unsigned m = static_cast<unsigned>(ymd.month());
  const int64_t month_start = Shanghai(static_cast<int>(ymd.year()), static_cast<int>(m), 1, 9, 0);
  char period[16];
  std::snprintf(period, sizeof period, "%04d-%02u", static_cast<int>(ymd.year()), m);
  auto answer = [&](const Enterprise& e, const char* role, int percent) {
    if (!rng_.Chance(percent)) return;
    const int first_day = std::string(role) == "supervisor" ? 5 : 1;  // when the duty opens
    int64_t at =
        month_start + rng_.Between(first_day, 20) * kDay + rng_.Between(0, 7 * 60) * kMinute;
    if (at < from) return;
    const bool perfunctory = rng_.Chance(8);
    Json body = {{"period", period},
                 {"inspector_role", role},
                 {"items_checked", perfunctory ? 3 : 20 + rng_.Below(20)},
                 {"hazards_found", perfunctory ? 0 : rng_.Below(3)},
                 {"hazards_rectified", 0},
                 {"summary", perfunctory ? "无" : "按检查清单逐项检查"}};
    Later(at,
          Envelope("enterprise-self-inspection", e.id, e.jurisdiction, at, "SelfInspection", body)
              .dump());
  };
  for (const Enterprise& e : city_.enterprises) {
    answer(e, "enterprise", 85);
    if (m % 2 == 1) answer(e, "safety_officer", 80);
    if (e.colour == "red" || (e.colour == "orange" && m % 2 == 1) || (e.key && m % 3 == 1))
      answer(e, "supervisor", 75);
  }
}

}  // namespace closeloop::demo
