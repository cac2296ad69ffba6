#include "bench/engine_bench_workload.h"

#include <date/date.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <sstream>

#include "events/ids.h"
#include "events/partition.h"
#include "workflows/demo/rng.h"

namespace closeloop::bench {
namespace {

using Json = nlohmann::ordered_json;  // body_type must precede body for the FlatBuffers parser
constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

// The demo city's generator (splitmix64). Percent draws are `Below(100) < p`, as they were
// when the benchmarks' stream was first measured, so the same seed gives the same stream.
using demo::Rng;

std::vector<Json> ReadJsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<Json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(Json::parse(line));
  }
  return out;
}

std::string Reference(const City& city, const std::string& table) {
  return city.source_dir + "/workflows/reference/" + table + ".jsonl";
}

// Returns the record's id.
std::string Publish(Publisher& pub, Ids& ids, Json rec, int64_t at_ms) {
  Json out;
  out["id"] = ids.Next(at_ms);
  for (auto& [k, v] : rec.items()) out[k] = std::move(v);
  pub.Add(out.dump(), at_ms);
  return out["id"];
}

// What a generated ticket's staff (or sensor) do next, and when.
enum class Act {
  kAlarm,
  kNormal,
  kSignFor,
  kOrder,
  kProgress,
  kEvidence,
  kPass,
  kFail,
  kFalseAlarm,
  kReturnAway,
  kReturnBack
};
struct Step {
  int64_t delay = 0;
  Act act = Act::kAlarm;
};

struct GenTicket {
  std::string id, subject, jurisdiction, district, lead, home, away, sensor_id, risk_source,
      measure;
  double threshold = 0;
  std::vector<Step> plan;
  size_t next = 0;
};

struct Pending {
  int64_t at;
  uint64_t seq;
  size_t ticket;
  bool operator>(const Pending& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

const char* const kReportText[] = {
    "消防通道被杂物堵塞，灭火器过期未检", "储罐区可燃气体检测报警器失灵",
    "液化石油气钢瓶违规存放在厨房",       "电动自行车在楼道内违规充电",
    "施工现场脚手架未设置安全网",         "危险废物露天堆放未设防渗措施",
    "特种设备（锅炉）超期未检验",         "厂区配电箱线路私拉乱接"};

// The staff plan after a ticket opens. Delays are from the previous step.
std::vector<Step> FullDisposal(Rng& rng, bool major) {
  std::vector<Step> p = {{rng.Between(10, 110) * kMinute, Act::kSignFor},
                         {rng.Between(1, 6) * kHour, Act::kOrder}};
  if (rng.Below(100) < 50) p.push_back({rng.Between(6, 30) * kHour, Act::kProgress});
  p.push_back({(major ? rng.Between(2, 10) : rng.Between(1, 4)) * kDay, Act::kEvidence});
  if (rng.Below(100) < 15) {
    p.push_back({rng.Between(2, 24) * kHour, Act::kFail});
    p.push_back({rng.Between(1, 2) * kDay, Act::kEvidence});
  }
  p.push_back({rng.Between(2, 24) * kHour, Act::kPass});
  return p;
}

std::vector<Step> ReportPlan(Rng& rng, bool major) {
  int roll = static_cast<int>(rng.Below(100));
  if (roll < 55) return FullDisposal(rng, major);
  if (roll < 65)
    return {{rng.Between(10, 60) * kMinute, Act::kSignFor},
            {rng.Between(2, 8) * kHour, Act::kFalseAlarm}};
  if (roll < 73) {  // returned once and back, then disposed of
    std::vector<Step> p = {{rng.Between(5, 30) * kMinute, Act::kReturnAway},
                           {rng.Between(10, 60) * kMinute, Act::kReturnBack}};
    for (auto& s : FullDisposal(rng, major)) p.push_back(s);
    return p;
  }
  if (roll < 75) {  // ping-pong: the third return goes to arbitration, then nobody acts
    return {{rng.Between(5, 30) * kMinute, Act::kReturnAway},
            {rng.Between(10, 60) * kMinute, Act::kReturnBack},
            {rng.Between(10, 60) * kMinute, Act::kReturnAway}};
  }
  if (roll < 90) {  // rectification ordered, then silence: the whole ladder, then oversight
    return {{rng.Between(10, 110) * kMinute, Act::kSignFor},
            {rng.Between(1, 6) * kHour, Act::kOrder}};
  }
  return {};  // never signed for: reminded, overdue, escalated in dispatched
}

}  // namespace

int64_t Shanghai(int y, int m, int d, int hh, int mm) {
  auto day = date::sys_days{date::year{y} / m / d};
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
  return ms + (hh * 60LL + mm) * kMinute - 8 * kHour;
}

Route City::RouteFor(const std::string& category, const std::string& district) const {
  auto it = routing.find({category, district});
  if (it == routing.end()) it = routing.find({"", district});
  if (it == routing.end()) return {"nj.awb", {}};
  return it->second;
}

City LoadCity(const std::string& source_dir) {
  City city;
  city.source_dir = source_dir;
  for (const Json& rec : ReadJsonl(Reference(city, "hazard_routing"))) {
    for (const Json& row : rec["body"]["rows"]) {
      std::string category, district;
      for (const Json& m : row["match"]) {
        (m["key"] == "category" ? category : district) = m["value"].get<std::string>();
      }
      city.routing[{category, district}] = {row["lead"],
                                            row.value("assist", std::vector<std::string>{})};
    }
  }
  for (const Json& rec : ReadJsonl(Reference(city, "jurisdictions"))) {
    const Json content = Json::parse(rec["body"]["content_json"].get<std::string>());
    for (const Json& j : content["items"]) {
      if (j["level"] == "grid") city.grids.push_back(j["code"]);
    }
  }
  for (const Json& rec : ReadJsonl(Reference(city, "enterprises"))) {
    const Json content = Json::parse(rec["body"]["content_json"].get<std::string>());
    for (const Json& e : content["items"]) {
      Enterprise ent{e["id"], e["district"], e["jurisdiction"], e["name_zh"], {}};
      for (const Json& c : e["hazard_classes"]) {
        if (city.routing.count({c, ent.district})) ent.classes.push_back(c);
      }
      if (ent.classes.empty()) ent.classes.push_back("fire_safety");
      for (const Json& rs : e.value("risk_sources", Json::array())) {
        for (const Json& s : rs["sensors"]) {
          city.sensors.push_back({s["id"], rs["id"], s["measure"], s.value("unit", ""),
                                  s.value("alarm", 0.0), s.value("critical", 0.0),
                                  city.enterprises.size()});
        }
      }
      city.enterprises.push_back(std::move(ent));
    }
  }
  if (city.enterprises.empty() || city.sensors.empty() || city.grids.empty())
    Die("reference data is empty");
  return city;
}

std::string Ids::Next(int64_t at_ms) {
  return events::DeriveId(at_ms, "engine-bench", next_++).ToString();
}

void PublishClock(Publisher& pub, Ids& ids, int64_t now_ms) {
  Publish(pub, ids,
          Json{{"source", "scheduler"}, {"body_type", "ClockTick"}, {"body", {{"now", now_ms}}}},
          now_ms);
}

void PublishSetup(const City& city, Publisher& pub, Ids& ids, int64_t start_ms) {
  PublishClock(pub, ids, start_ms);
  for (const char* table :
       {"calendars", "jurisdictions", "departments", "hazard_classes", "hazard_routing",
        "enterprises", "rescue_teams", "material_depots", "experts", "plans"}) {
    for (Json& rec : ReadJsonl(Reference(city, table))) Publish(pub, ids, std::move(rec), start_ms);
  }
  // Oversight work orders go to the district's discipline commission (as the scenario tests).
  Json rows = Json::array();
  std::set<std::string> districts;
  for (const auto& e : city.enterprises) districts.insert(e.district);
  for (const auto& d : districts) {
    rows.push_back({{"match", {{{"key", "district"}, {"value", d}}}}, {"lead", "nj." + d + ".jw"}});
  }
  Publish(pub, ids,
          Json{{"source", "admin"},
               {"body_type", "RoutingTableUpdated"},
               {"body",
                {{"table_name", "oversight_routing"},
                 {"version", 1},
                 {"rows", rows},
                 {"fallback", "nj.jw"}}}},
          start_ms);
  for (const char* wf : {"oversight_case", "hazard_disposal"}) {
    std::ifstream in(city.source_dir + "/engine/tests/workflows/" + wf + ".wf");
    std::stringstream src;
    src << in.rdbuf();
    if (src.str().empty()) Die(std::string("cannot read workflow ") + wf);
    Publish(pub, ids,
            Json{{"source", "admin"},
                 {"body_type", "WorkflowDeployed"},
                 {"body", {{"name", wf}, {"source", src.str()}}}},
            start_ms);
  }
  pub.Flush();
}

MixCounts PublishMix(const City& city, const MixOptions& o, Publisher& pub, Ids& ids) {
  Rng rng(o.seed);
  MixCounts counts;
  std::vector<GenTicket> tickets;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  uint64_t seq = 0, promised = pub.records();
  const uint64_t base = pub.records();
  const uint32_t partitions = pub.partitions();
  const int64_t tick = o.tick_minutes * kMinute;
  const int64_t ticks = o.days * kDay / tick;
  // Sensors take turns (in a shuffled order), so one sensor's storms are days apart.
  std::vector<size_t> sensor_order(city.sensors.size());
  for (size_t i = 0; i < sensor_order.size(); ++i) sensor_order[i] = i;
  for (size_t i = sensor_order.size(); i > 1; --i)
    std::swap(sensor_order[i - 1], sensor_order[rng.Below(i)]);
  size_t next_sensor = 0;
  int64_t engine_now = 0;  // the last clock tick: the engine's "now" for every record after it

  auto command = [&](GenTicket& t, const std::string& verb, int64_t at, Json extra) {
    Json body = {{"ticket_id", t.id}, {"verb", verb}, {"role", "staff"}, {"department", t.lead}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    Publish(pub, ids,
            Json{{"source", "console"},
                 {"subject", t.subject},
                 {"jurisdiction", t.jurisdiction},
                 {"occurred_at", at},
                 {"actor", body["department"].get<std::string>() + "/staff"},
                 {"body_type", "StaffCommand"},
                 {"body", body}},
            at);
    ++counts.commands;
    ++counts.verbs[verb];
  };
  auto alarm = [&](GenTicket& t, int64_t at, bool normal) -> std::string {
    Json body = {
        {"sensor_id", t.sensor_id},
        {"risk_source_id", t.risk_source},
        {"measure", t.measure},
        {"state", normal ? "normal" : "alarm"},
        {"level", normal ? "none" : "critical"},
        {"value", normal ? t.threshold * 0.4 : t.threshold * (1.05 + 0.01 * rng.Below(40))},
        {"threshold", t.threshold}};
    ++(normal ? counts.normals : counts.alarms);
    return Publish(pub, ids,
                   Json{{"source", "iot-platform"},
                        {"subject", t.subject},
                        {"jurisdiction", t.jurisdiction},
                        {"occurred_at", at},
                        {"body_type", "SensorAlarm"},
                        {"body", body}},
                   at);
  };
  // The engine opens the ticket while processing `opener` in the subject's partition, at
  // its clock: the id follows (engine/step.cc Step::NewTicketId).
  auto open_id = [&](const std::string& opener, const std::string& subject) {
    const uint32_t p = events::PartitionForKey(subject, partitions);
    return events::DeriveId(engine_now, opener + "/p" + std::to_string(p) + "/ticket", 0)
        .ToString();
  };
  auto schedule = [&](size_t i, int64_t at) { queue.push({at, seq++, i}); };

  auto start_incident = [&](int64_t at) {
    GenTicket t;
    std::string opener;
    size_t index = tickets.size();
    if (rng.Below(100) < 30) {  // a sensor storm: the first alarm opens, the rest deduplicate
      const Sensor& s = city.sensors[sensor_order[next_sensor++ % sensor_order.size()]];
      const Enterprise& e = city.enterprises[s.enterprise];
      t = {"",
           e.id,
           e.jurisdiction,
           e.district,
           "",
           "",
           "",
           s.id,
           s.risk_source,
           s.measure,
           s.alarm > 0 ? s.alarm : 25};
      Route r = city.RouteFor("hazardous_chemicals", e.district);
      t.lead = t.home = r.lead;
      t.away = r.assist.empty() ? "nj." + e.district + ".awb" : r.assist[0];
      int64_t storm = std::min<int64_t>(2 + rng.Below(4) * rng.Below(8), 30);
      for (int64_t i = 1; i < storm; ++i)
        t.plan.push_back({rng.Between(10, 60) * 1000, Act::kAlarm});
      int roll = static_cast<int>(rng.Below(100));
      if (roll < 40) {
        t.plan.push_back({rng.Between(15, 90) * kMinute, Act::kNormal});
      } else if (roll < 85) {
        for (auto& st : FullDisposal(rng, true)) t.plan.push_back(st);
      }
      opener = alarm(t, at, false);
      ++counts.storms;
    } else {
      const Enterprise& e = city.enterprises[rng.Below(city.enterprises.size())];
      const std::string& category = e.classes[rng.Below(e.classes.size())];
      bool major = rng.Below(100) < 20;
      t = {"", e.id, e.jurisdiction, e.district, "", "", "", "", "", "", 0};
      Route r = city.RouteFor(category, e.district);
      t.lead = t.home = r.lead;
      t.away = r.assist.empty() ? "nj." + e.district + ".awb" : r.assist[0];
      t.plan = ReportPlan(rng, major);
      Json body = {
          {"channel", "hotline_12345"},
          {"category", category},
          {"severity", major ? "major" : "general"},
          {"description", std::string(kReportText[rng.Below(8)]) + "（" + e.name_zh + "）"},
          {"address", "南京市" + e.jurisdiction},
          {"reporter", "市民"},
          {"external_ref", "12345-" + std::to_string(counts.reports)}};
      opener = Publish(pub, ids,
                       Json{{"source", "hotline-12345"},
                            {"subject", e.id},
                            {"jurisdiction", e.jurisdiction},
                            {"occurred_at", at},
                            {"body_type", "HazardReport"},
                            {"body", body}},
                       at);
      ++counts.reports;
    }
    t.id = open_id(opener, t.subject);
    ++counts.tickets;
    promised += 1 + t.plan.size();
    tickets.push_back(std::move(t));
    if (!tickets[index].plan.empty()) schedule(index, at + tickets[index].plan[0].delay);
  };

  auto run_step = [&](size_t index, int64_t at) {
    GenTicket& t = tickets[index];
    const Step& s = t.plan[t.next++];
    const std::string awb = "nj." + t.district + ".awb";
    switch (s.act) {
      case Act::kAlarm:
        alarm(t, at, false);
        break;
      case Act::kNormal:
        alarm(t, at, true);
        break;
      case Act::kSignFor:
        command(t, "sign_for", at, Json::object());
        break;
      case Act::kOrder:
        command(t, "order_rectification", at, Json::object());
        break;
      case Act::kProgress:
        command(t, "progress", at, {{"note", "整改进行中：已更换阀门"}});
        break;
      case Act::kEvidence:
        command(t, "submit_evidence", at,
                {{"evidence", {"sha256:" + std::string(64, 'e')}}, {"note", "整改完成"}});
        break;
      case Act::kPass:
        command(t, "review_pass", at, {{"role", "supervisor"}, {"department", awb}});
        break;
      case Act::kFail:
        command(t, "review_fail", at,
                {{"role", "supervisor"}, {"department", awb}, {"reason", "复查仍有隐患"}});
        break;
      case Act::kFalseAlarm:
        command(t, "resolve", at,
                {{"fields", {{{"key", "resolution"}, {"value", "false_alarm"}}}}});
        break;
      case Act::kReturnAway:
        command(t, "return", at, {{"reason", "不属于本部门职责"}, {"to_department", t.away}});
        t.lead = t.away;
        break;
      case Act::kReturnBack:
        command(t, "return", at, {{"reason", "应由原部门主办"}, {"to_department", t.home}});
        t.lead = t.home;
        break;
    }
    if (t.next < t.plan.size()) schedule(index, at + t.plan[t.next].delay);
  };

  for (int64_t i = 0; pub.records() - base < o.inputs; ++i) {
    if (i >= ticks && queue.empty()) break;
    engine_now = o.start_ms + i * tick;
    PublishClock(pub, ids, engine_now);
    promised += partitions;
    ++counts.ticks;
    const uint64_t target = i < ticks ? base + o.inputs * (i + 1) / ticks : 0;
    while (promised < target) start_incident(engine_now + static_cast<int64_t>(rng.Below(tick)));
    while (!queue.empty() && queue.top().at < engine_now + tick &&
           pub.records() - base < o.inputs) {
      Pending p = queue.top();
      queue.pop();
      run_step(p.ticket, std::max(p.at, engine_now));
    }
  }
  pub.Flush();
  return counts;
}

void PublishOpenTickets(const City& city, Publisher& pub, Ids& ids, uint64_t first, uint64_t count,
                        int64_t at_ms, bool one_subject) {
  static const char* const kClasses[] = {"fire_safety",       "gas",          "hazardous_chemicals",
                                         "special_equipment", "construction", "hazardous_waste",
                                         "industrial_trade"};
  for (uint64_t i = first; i < first + count; ++i) {
    const std::string& grid = city.grids[one_subject ? 0 : i % city.grids.size()];
    Json body = {{"channel", "grid_inspector"},
                 {"category", kClasses[i % 7]},
                 {"severity", "general"},
                 {"description", std::string(kReportText[i % 8])},
                 {"address", "南京市" + grid}};
    Publish(pub, ids,
            Json{{"source", "grid-app"},
                 {"subject", "SITE-" + std::to_string(one_subject ? 0 : i)},
                 {"jurisdiction", grid},
                 {"occurred_at", at_ms},
                 {"body_type", "HazardReport"},
                 {"body", body}},
            at_ms);
  }
  pub.Flush();
}

}  // namespace closeloop::bench
